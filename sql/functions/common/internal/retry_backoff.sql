create or replace function app.retry_backoff(p_attempts integer) returns interval
language sql immutable
as $$
    select least(interval '1 minute' * 2 ^ p_attempts, interval '6 hours')
$$;
comment on function app.retry_backoff(integer) is
    'How long a queue waits before its next attempt after p_attempts failed ones (0 before the first retry): 1, 2, '
    '4 … minutes, at most 6 hours. Reconciliation of payments and the sending of refunds back off alike.';
