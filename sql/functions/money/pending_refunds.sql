create or replace function app.pending_refunds(p_limit integer default 100, p_session bigint default null,
                                               p_payment bigint default null)
returns table (refund_id bigint, intent_id text, amount_cents integer, idempotency_key text, reason text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    select r.id, p.intent_id, r.amount_cents, r.idempotency_key, r.reason
    from app.refunds r join app.payments p on p.id = r.payment_id
    where r.status = 'pending' and p.intent_id is not null
      and (p_session is null or r.session_id = p_session)
      and (p_payment is null or r.payment_id = p_payment)
    order by r.created_at, r.id
    limit least(greatest(p_limit, 1), 1000)
$$;
comment on function app.pending_refunds(integer, bigint, bigint) is
    'Refunds decided but not yet sent to the gateway (oldest first), all of them or those of one session or one '
    'payment: the sender calls the gateway with each idempotency key, after commit, and records the answer with '
    'record_refund.';
grant execute on function app.pending_refunds(integer, bigint, bigint) to autodoctor_payments;
