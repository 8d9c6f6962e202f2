create or replace function app.record_deliveries(p_results jsonb)
returns table (id bigint, status text)
language sql volatile security definer
set search_path = app, pg_temp
as $$
    -- one statement for a whole batch: a delivery run records its batch in one round trip and one commit
    update app.outbox o
    set status = case when r.error is null then 'sent'
                      when o.attempts >= coalesce(r.max_attempts, 8) then 'failed' else 'pending' end,
        sent_at = case when r.error is null then app.app_now() end,
        delivered_via = case when r.error is null then r.via end,
        provider_ref = case when r.error is null then left(r.ref, 300) end,
        last_error = left(r.error, 1000),
        -- back-off: 1, 2, 4 … minutes after each failed attempt, at most 6 hours
        next_attempt_at = case when r.error is null then o.next_attempt_at
                               else app.app_now() + least(interval '1 minute' * power(2, o.attempts - 1), interval '6 hours') end
    from jsonb_to_recordset(p_results) as r (id bigint, via text, ref text, error text, max_attempts integer)
    where o.id = r.id and o.status = 'pending'
    returning o.id, o.status;
$$;
comment on function app.record_deliveries(jsonb) is
    'Records how a batch of claimed messages went, from [{id, via, ref} | {id, error, max_attempts}]: sent (with '
    'the channel that took it and its reference), or an error that makes it due again after a back-off (1 min, '
    'doubling, at most 6 h) until max_attempts (8 unless given), then failed. A message already recorded is left '
    'alone. Returns each recorded message''s new status.';
