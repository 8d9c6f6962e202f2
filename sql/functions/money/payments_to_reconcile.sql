create or replace function app.payments_to_reconcile(p_older_than interval default '2 minutes')
returns setof app.payments
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- due first: a payment asked about before waits its back-off (note_reconcile_attempt), so the ones that keep
    -- failing never hold back the ones behind them
    select * from app.payments p
    where p.status in ('pending', 'processing') and p.amount_cents > 0
      and coalesce(p.next_reconcile_at, p.created_at + p_older_than) <= app.app_now()
    order by coalesce(p.next_reconcile_at, p.created_at), p.id
    limit 500
$$;
comment on function app.payments_to_reconcile(interval) is
    'Card payments whose outcome the app has not heard for a while (a crash between the charge and its '
    'answer, a lost webhook), due now: older than p_older_than and past their next attempt, the longest due '
    'first, 500 at most. Reconciliation asks the gateway about each and applies the answer.';
grant execute on function app.payments_to_reconcile(interval) to autodoctor_payments;
