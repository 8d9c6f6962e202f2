create or replace function app.my_workshops(p_actor bigint, p_workshop_id bigint default null)
returns table (
    id bigint, name text, phone text, street text, city text, province text, postal_code text, country text,
    timezone text, capacity integer, hours jsonb, closures jsonb, mechanics jsonb,
    upcoming_in_person integer, bookings_outside_hours integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    if p_workshop_id is null then
        perform app.require_role(p_actor, 'workshop_admin');
    else
        perform app.require_workshop_admin(p_actor, p_workshop_id);
    end if;
    return query
        select w.id, w.name, w.phone, w.street, w.city, w.province, w.postal_code, w.country, w.timezone,
               -- one capacity for the workshop (update_workshop writes it to every weekday)
               coalesce((select max(h.capacity)::integer from app.workshop_availability h where h.workshop_id = w.id), 5),
               -- all seven weekdays: a weekday without a row is closed, as the availability functions read it
               (select jsonb_agg(jsonb_build_object(
                           'weekday', d, 'closed', h.is_closed is not false,
                           'opens', to_char(h.opens_at, 'HH24:MI'), 'closes', to_char(h.closes_at, 'HH24:MI'),
                           'break_start', to_char(h.break_start, 'HH24:MI'), 'break_end', to_char(h.break_end, 'HH24:MI'))
                       order by d)
                from generate_series(1, 7) d
                left join app.workshop_availability h on h.workshop_id = w.id and h.weekday = d),
               coalesce((select jsonb_agg(jsonb_build_object(
                                    'date', c.closed_on, 'label', to_char(c.closed_on, 'FMDay FMDD FMMonth YYYY'),
                                    'reason', c.reason) order by c.closed_on)
                         from app.workshop_closures c
                         where c.workshop_id = w.id and c.closed_on >= (app.app_now() at time zone w.timezone)::date), '[]'),
               coalesce((select jsonb_agg(jsonb_build_object(
                                    'id', m.id, 'name', u.name, 'online', m.currently_on_shift,
                                    'type', app.mechanic_type_of(m.workshop_id, m.account_type)) order by u.name)
                         from app.mechanics m join app.users u on u.id = m.id
                         where m.workshop_id = w.id), '[]'),
               (select count(*)::integer from app.sessions s
                where s.workshop_id = w.id and s.kind = 'scheduled' and s.status in ('requested', 'scheduled', 'pending')
                  and s.scheduled_for > app.app_now()),
               app.workshop_bookings_outside_hours(w.id)
        from app.workshops w
        join app.workshop_admins a on a.workshop_id = w.id and a.user_id = p_actor
        where p_workshop_id is null or w.id = p_workshop_id
        order by w.name, w.id;
end
$$;
comment on function app.my_workshops(bigint, bigint) is
    'The workshops the acting admin runs (or the one named): contact details, zone, capacity, the seven weekdays'' '
    'hours (a weekday without a row is closed), closed days from today on (local), mechanics, upcoming in-person '
    'bookings and how many upcoming bookings fall outside the hours. Raises UP001 for other roles, UN001 for a '
    'workshop the admin does not run.';
grant execute on function app.my_workshops(bigint, bigint) to autodoctor_app;
