create or replace function app.workshop_mechanics(p_actor bigint, p_workshop_id bigint)
returns table (
    id bigint, name text, email text, phone text, mechanic_type text, partnership text, online boolean,
    last_seen_at timestamptz, timezone text, upcoming_in_person integer, upcoming_online integer
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    return query
        select m.id, u.name, u.email, u.phone, app.mechanic_type_of(m.workshop_id, m.account_type), m.partnership_type,
               m.currently_on_shift, m.last_seen_at, m.timezone,
               count(s.id) filter (where s.service_type = 'in_person' and s.workshop_id = p_workshop_id)::integer,
               count(s.id) filter (where s.service_type = 'online')::integer
        from app.mechanics m
        join app.users u on u.id = m.id
        left join app.sessions s on s.mechanic_id = m.id and s.kind = 'scheduled'
                                 and s.status in ('requested', 'scheduled', 'pending') and s.scheduled_for > app.app_now()
        where m.workshop_id = p_workshop_id
        group by m.id, u.id
        order by u.name, m.id;
end
$$;
comment on function app.workshop_mechanics(bigint, bigint) is
    'The mechanics of a workshop the acting admin runs: contact, type (SPEC §1) and partnership, online status, '
    'and their upcoming bookings (in person at this workshop, and online). Raises UP001 for other roles, UN001 '
    'for a workshop the admin does not run.';
grant execute on function app.workshop_mechanics(bigint, bigint) to autodoctor_app;
