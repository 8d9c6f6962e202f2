create or replace function app.note_refund_attempt(p_refund bigint, p_error text)
returns app.refunds
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_refund app.refunds;
begin
    update app.refunds r
    set attempts = r.attempts + 1,
        next_attempt_at = app.app_now() + app.retry_backoff(r.attempts),
        last_error = left(p_error, 500)
    where r.id = p_refund and r.status = 'pending'
    returning * into v_refund;
    -- a refund the gateway holds (it answered 'pending') is asked about again, never failed here: its money may
    -- still go back, and the gateway's answer (or webhook) decides it
    if found and v_refund.attempts >= app.refund_attempts_limit() and v_refund.gateway_refund_id is null then
        update app.refunds r
        set status = 'failed', completed_at = app.app_now(), next_attempt_at = null,
            failure_message = left(format('not sent after %s attempts: %s', v_refund.attempts, v_refund.last_error), 500)
        where r.id = p_refund
        returning * into v_refund;
    end if;
    return v_refund;
end
$$;
comment on function app.note_refund_attempt(bigint, text) is
    'Records that the sender tried a pending refund and it was not sent (the gateway unreachable or refusing it, '
    'or holding it as pending): its next attempt backs off (1 minute doubling to 6 hours), and at '
    'refund_attempts_limit() attempts one the gateway does not hold becomes ''failed'' with a failure_message. '
    'A refund already decided is left as it is. Returns the refund (null when there is none).';
grant execute on function app.note_refund_attempt(bigint, text) to autodoctor_payments;
