create or replace function app.reschedule_session(p_actor bigint, p_session bigint, p_start timestamptz)
returns table (session_id bigint, starts_at timestamptz, ends_at timestamptz, calendar_sequence integer)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_session app.sessions;
    v_moved app.sessions;
begin
    perform app.require_role(p_actor, 'customer');
    if p_start is null then
        raise exception using errcode = 'UV001', column = 'start', message = 'pick the new time';
    end if;
    select * into v_session from app.sessions s where s.id = p_session and s.customer_id = p_actor for update;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    if v_session.kind <> 'scheduled' or v_session.status not in ('requested', 'scheduled') then
        raise exception using errcode = 'UR001', message = format('session %s is %s: it cannot move', p_session, v_session.status);
    end if;
    if app.app_now() > v_session.scheduled_for - make_interval(mins => app.reschedule_cutoff_minutes()) then
        raise exception using errcode = 'UR011',
            message = format('session %s starts in less than %s', p_session, app.duration_words(app.reschedule_cutoff_minutes())),
            hint = format('A session can be moved until %s before its start. Cancel it instead?',
                          app.duration_words(app.reschedule_cutoff_minutes()));
    end if;
    if p_start = v_session.scheduled_for then
        raise exception using errcode = 'UV001', column = 'start', message = 'that is the time it already has';
    end if;
    perform app.set_actor(p_actor, null);  -- the move is logged (tg_sessions__log_event) as the customer's
    v_moved := app.move_session_claim(v_session, v_session.mechanic_id, p_start);
    return query select p_session, v_moved.scheduled_for,
                        v_moved.scheduled_for + make_interval(mins => v_moved.duration_minutes), v_moved.calendar_sequence;
end
$$;
comment on function app.reschedule_session(bigint, bigint, timestamptz) is
    'Moves the customer''s scheduled (or requested) session to another free time with the same mechanic, '
    'until 2 h before its start (reschedule_cutoff_minutes; SPEC §3.3): a new confirmed claim replaces the old, the invite''s sequence '
    'goes up, both sides are told. Raises UP001, UV001 (no or same time), UN001 (not theirs), UR001 (not '
    'movable), UR011 (too late), and the slot errors of claim_slot (UC001 taken, UC002, UR002).';
grant execute on function app.reschedule_session(bigint, bigint, timestamptz) to autodoctor_app;
