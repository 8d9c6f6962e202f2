create or replace function app.assign_visit_mechanic(p_actor bigint, p_session bigint, p_mechanic bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_before bigint;
begin
    perform app.require_actor(p_actor);
    v_session := app.visit_for_workshop(p_actor, p_session);
    v_before := v_session.mechanic_id;
    if v_session.status not in ('requested', 'scheduled', 'pending') then
        raise exception using errcode = 'UR001', message = format('visit %s is %s', p_session, v_session.status);
    end if;
    if not exists (select 1 from app.mechanics m where m.id = p_mechanic and m.workshop_id = v_session.workshop_id) then
        raise exception using errcode = 'UN002', message = format('mechanic %s is not at workshop %s', p_mechanic, v_session.workshop_id);
    end if;
    if p_mechanic = v_before then
        return;
    end if;
    perform app.set_actor(p_actor, 'assigned by the workshop');
    begin
        perform app.move_session_claim(v_session, p_mechanic, v_session.scheduled_for);  -- logged and told by trigger
    exception when sqlstate 'UC001' or sqlstate 'UR002' then
        raise exception using errcode = 'UC061', column = 'mechanic',
            message = format('mechanic %s is not free for visit %s', p_mechanic, p_session);
    end;
end
$$;
comment on function app.assign_visit_mechanic(bigint, bigint, bigint) is
    'The workshop gives an in-person visit to another of its mechanics, free at that time (a new confirmed '
    'claim; SPEC §11); the customer and both mechanics are told (tg_sessions__notify). Raises UP001, UN001, UR001 (visit over), UN002 (not a mechanic '
    'of this workshop), UC061 (busy or away then).';
grant execute on function app.assign_visit_mechanic(bigint, bigint, bigint) to autodoctor_app;
