create or replace function app.complete_visit(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_actor(p_actor);
    v_session := app.visit_for_workshop(p_actor, p_session);
    if v_session.status not in ('pending', 'live') then
        raise exception using errcode = 'UR062', message = format('visit %s is not checked in', p_session);
    end if;
    -- checked in early, the customer waits: the work, and so the visit's completion, begins at its start
    if app.app_now() < app.session_completes_from(v_session.service_type, v_session.scheduled_for) then
        raise exception using errcode = 'UR063', message = format('visit %s starts at %s', p_session, v_session.scheduled_for);
    end if;
    perform app.set_actor(p_actor, 'completed by the workshop');
    -- a checked-in visit whose work is done goes through live to completed (SPEC §7's path)
    update app.sessions set status = 'live' where id = p_session and status = 'pending';
    update app.sessions set status = 'completed' where id = p_session and status = 'live';
    perform app.settle_completed_session(p_session);
end
$$;
comment on function app.complete_visit(bigint, bigint) is
    'The workshop marks a checked-in (or running) in-person visit complete (SPEC §11), from its start on '
    '(session_completes_from); the balance is charged next (begin_balance_payment), and the money is shared '
    'once it is paid. Raises UP001, UN001, UR062 (not checked in), UR063 (before its start).';
grant execute on function app.complete_visit(bigint, bigint) to autodoctor_app;
