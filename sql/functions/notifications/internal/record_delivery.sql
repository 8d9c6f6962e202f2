create or replace function app.record_delivery(p_id bigint, p_via text default null, p_ref text default null,
                                               p_error text default null, p_max_attempts integer default 8)
returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_status text;
begin
    update app.outbox o
    set status = case when p_error is null then 'sent' when o.attempts >= p_max_attempts then 'failed' else 'pending' end,
        sent_at = case when p_error is null then app.app_now() end,
        delivered_via = case when p_error is null then p_via end,
        provider_ref = case when p_error is null then left(p_ref, 300) end,
        last_error = left(p_error, 1000),
        -- back-off: 1, 2, 4 … minutes after each failed attempt, at most 6 hours
        next_attempt_at = case when p_error is null then o.next_attempt_at
                               else app.app_now() + least(interval '1 minute' * power(2, o.attempts - 1), interval '6 hours') end
    where o.id = p_id and o.status = 'pending'
    returning o.status into v_status;
    return v_status;
end
$$;
comment on function app.record_delivery(bigint, text, text, text, integer) is
    'Records how a claimed message went: sent (with the channel that took it and its reference), or an error '
    'that makes it due again after a back-off (1 min, doubling, at most 6 h) until p_max_attempts, then failed. '
    'A message already recorded is left alone. Returns the new status.';
