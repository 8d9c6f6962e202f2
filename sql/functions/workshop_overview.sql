create or replace function app.workshop_overview(p_actor bigint)
returns table (id bigint, name text, city text, timezone text, hours jsonb, mechanics jsonb)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'workshop_admin');
    return query
        select w.id, w.name, w.city, w.timezone,
               coalesce((select jsonb_agg(jsonb_build_object(
                             'weekday', h.weekday, 'closed', h.is_closed,
                             'opens', to_char(h.opens_at, 'HH24:MI'), 'closes', to_char(h.closes_at, 'HH24:MI'),
                             'break_start', to_char(h.break_start, 'HH24:MI'), 'break_end', to_char(h.break_end, 'HH24:MI'),
                             'capacity', h.capacity) order by h.weekday)
                         from app.workshop_availability h where h.workshop_id = w.id), '[]'),
               coalesce((select jsonb_agg(jsonb_build_object(
                             'id', m.id, 'name', u.name, 'partnership', m.partnership_type,
                             'online', m.currently_on_shift) order by u.name)
                         from app.mechanics m join app.users u on u.id = m.id
                         where m.workshop_id = w.id), '[]')
        from app.workshops w
        join app.workshop_admins a on a.workshop_id = w.id and a.user_id = p_actor
        order by w.name;
end
$$;
comment on function app.workshop_overview(bigint) is
    'The workshops the acting admin runs, with opening hours and mechanics. Raises UP001 for other roles.';
grant execute on function app.workshop_overview(bigint) to autodoctor_app;
