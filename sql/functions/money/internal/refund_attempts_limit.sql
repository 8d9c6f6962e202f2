create or replace function app.refund_attempts_limit() returns integer
language sql immutable parallel safe
as $$
    select 8
$$;
comment on function app.refund_attempts_limit() is
    'How many times the sender tries a refund the gateway refuses or does not answer before it is failed '
    '(note_refund_attempt): with the back-off of 1 minute doubling, about four hours. A failed refund waits for '
    'the platform admin to send it again (admin_retry_refund); money_overdue lists it until then.';
