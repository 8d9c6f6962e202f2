create or replace function app.visit_for_workshop(p_actor bigint, p_session bigint) returns app.sessions
language plpgsql volatile
as $$
declare
    v_session app.sessions;
begin
    perform app.require_actor(p_actor);
    select * into v_session from app.sessions s where s.id = p_session and s.service_type = 'in_person' for update;
    perform app.require_workshop_admin(p_actor, v_session.workshop_id);  -- no such visit: UN001 as well
    return v_session;
end
$$;
comment on function app.visit_for_workshop(bigint, bigint) is
    'The in-person visit p_session, locked, when p_actor administers its workshop. Raises UP001 (not a '
    'workshop admin), UN001 (no such visit at their workshop).';
