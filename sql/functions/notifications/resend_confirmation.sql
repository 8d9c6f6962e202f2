create or replace function app.resend_confirmation(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_role(p_actor, 'customer');
    select * into v_session from app.sessions s where s.id = p_session and s.customer_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not one of user %s', p_session, p_actor);
    end if;
    if v_session.status not in ('requested', 'scheduled', 'pending') then
        raise exception using errcode = 'UR001', message = format('session %s is %s: nothing to confirm', p_session, v_session.status);
    end if;
    -- at most one resend a minute, however often the button is pressed
    perform app.notify(p_actor, case when v_session.status = 'requested' then 'session_requested' else 'session_booked' end,
                       jsonb_build_object('session_id', p_session, 'status', v_session.status, 'starts_at', v_session.scheduled_for,
                                          'sequence', v_session.calendar_sequence, 'audience', 'customer', 'resent', true),
                       p_session, format('resend-%s-%s', p_session, to_char(app.app_now() at time zone 'UTC', 'YYYYMMDDHH24MI')));
end
$$;
comment on function app.resend_confirmation(bigint, bigint) is
    'Queues the booking confirmation (with its invite) to the customer again, at most once a minute. Raises '
    'UP001, UN001 (not theirs), UR001 (nothing upcoming to confirm).';
grant execute on function app.resend_confirmation(bigint, bigint) to autodoctor_app;
