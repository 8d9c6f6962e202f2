create or replace function app.visit_for_workshop(p_actor bigint, p_session bigint) returns app.sessions
language plpgsql volatile
as $$
declare
    v_session app.sessions;
begin
    perform app.require_role(p_actor, 'workshop_admin');
    select * into v_session from app.sessions s where s.id = p_session for update;
    if not found or v_session.service_type <> 'in_person'
       or app.session_actor_side(v_session, p_actor) is distinct from 'workshop' then
        raise exception using errcode = 'UN001', message = format('no visit %s at a workshop of user %s', p_session, p_actor);
    end if;
    return v_session;
end
$$;
comment on function app.visit_for_workshop(bigint, bigint) is
    'The in-person visit p_session, locked, when p_actor administers its workshop. Raises UP001 (not a '
    'workshop admin), UN001 (no such visit at their workshop).';
