create or replace function app.assign_visit_mechanic(p_actor bigint, p_session bigint, p_mechanic bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_before bigint;
    v_payload jsonb;
begin
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
    v_session := app.move_session_claim(v_session, p_mechanic, v_session.scheduled_for);
    insert into app.session_events (session_id, actor_id, from_status, to_status, reason, at)
    values (p_session, p_actor, v_session.status, v_session.status,
            format('mechanic %s assigned instead of %s', p_mechanic, v_before), app.app_now());
    v_payload := jsonb_build_object('session_id', p_session, 'status', v_session.status,
                                    'starts_at', v_session.scheduled_for, 'sequence', v_session.calendar_sequence,
                                    'audience', 'mechanic');
    perform app.notify(p_mechanic, 'session_booked', v_payload, p_session,
                       format('assign-%s-%s-new', p_session, v_session.calendar_sequence));
    perform app.notify(v_before, 'session_handed_over', v_payload, p_session,
                       format('assign-%s-%s-old', p_session, v_session.calendar_sequence));
end
$$;
comment on function app.assign_visit_mechanic(bigint, bigint, bigint) is
    'The workshop gives an in-person visit to another of its mechanics, free at that time (a new confirmed '
    'claim; SPEC §11); both mechanics are told. Raises UP001, UN001, UR001 (visit over), UN002 (not a mechanic '
    'of this workshop), and the slot errors of claim_slot (UC001: busy then).';
grant execute on function app.assign_visit_mechanic(bigint, bigint, bigint) to autodoctor_app;
