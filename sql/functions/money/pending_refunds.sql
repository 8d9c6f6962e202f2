create or replace function app.pending_refunds(p_limit integer default 100, p_session bigint default null,
                                               p_payment bigint default null)
returns table (refund_id bigint, intent_id text, amount_cents integer, idempotency_key text, reason text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- due first (refunds_due_idx): a refund tried before waits its back-off (note_refund_attempt), so the ones
    -- that keep failing never hold back the ones behind them
    select r.id, p.intent_id, r.amount_cents, r.idempotency_key, r.reason
    from app.refunds r join app.payments p on p.id = r.payment_id
    where r.status = 'pending' and p.intent_id is not null
      and (r.next_attempt_at is null or r.next_attempt_at <= app.app_now())
      and (p_session is null or r.session_id = p_session)
      and (p_payment is null or r.payment_id = p_payment)
    order by coalesce(r.next_attempt_at, r.created_at), r.id
    limit least(greatest(p_limit, 1), 1000)
$$;
comment on function app.pending_refunds(integer, bigint, bigint) is
    'Refunds decided but not yet sent to the gateway and due now (never tried, or past their back-off), the '
    'longest due first: all of them or those of one session or one payment. The sender calls the gateway with '
    'each idempotency key, after commit, and records the answer with record_refund, or the failure with '
    'note_refund_attempt.';
grant execute on function app.pending_refunds(integer, bigint, bigint) to autodoctor_payments;
