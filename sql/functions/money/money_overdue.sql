create or replace function app.money_overdue(p_actor bigint default null,
                                             p_refund_after interval default interval '1 hour',
                                             p_payment_after interval default interval '1 hour')
returns table (what text, id bigint, status text, amount_cents integer, since timestamptz, attempts integer,
               detail text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- the platform admin's dashboard shows it beside money_audit; jobs and tests (the owner) read it too
    select app.require_role(p_actor, 'admin') where not app.trusted_caller();
    -- each through its own partial index (refunds_due_idx, refunds_failed_idx, payments_unsettled_idx)
    with overdue as (
        -- refunds not yet sent for too long: since they were decided, or since the admin sent them again
        select 'refund'::text as what, r.id, r.status, r.amount_cents, coalesce(r.retried_at, r.created_at) as since,
               r.attempts, nullif(concat_ws(' · ', r.reason, r.last_error,
                   'next try ' || to_char(r.next_attempt_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')), '') as detail
        from app.refunds r
        where r.status = 'pending' and coalesce(r.retried_at, r.created_at) < app.app_now() - p_refund_after
        union all
        -- failed refunds are unresolved until the admin sends them again (admin_retry_refund)
        select 'refund', r.id, r.status, r.amount_cents, coalesce(r.completed_at, r.created_at), r.attempts,
               nullif(concat_ws(' · ', r.reason, r.failure_message), '')
        from app.refunds r
        where r.status = 'failed'
        union all
        -- card payments whose outcome nobody knows yet (reconciliation keeps asking)
        select 'payment', p.id, p.status, p.amount_cents, p.created_at, p.reconcile_attempts,
               nullif(concat_ws(' · ', p.intent_id, p.last_reconcile_error,
                   'next try ' || to_char(p.next_reconcile_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')), '')
        from app.payments p
        where p.status in ('pending', 'processing') and p.created_at < app.app_now() - p_payment_after
    )
    select * from overdue order by since, what, id
$$;
comment on function app.money_overdue(bigint, interval, interval) is
    'The second money audit (money_audit checks that the money adds up; this, that it moved): refunds pending '
    'longer than p_refund_after (since decided, or since sent again), failed refunds nobody has sent again, and '
    'card payments pending or processing longer than p_payment_after. Empty when money moves as it should. For '
    'the web role, only for the platform admin bound as p_actor (UA001, UP001).';
grant execute on function app.money_overdue(bigint, interval, interval) to autodoctor_app;
