create or replace function app.payments_to_reconcile(p_older_than interval default '2 minutes')
returns setof app.payments
language sql stable security definer
set search_path = app, pg_temp
as $$
    select * from app.payments p
    where p.status in ('pending', 'processing') and p.amount_cents > 0
      and p.created_at <= app.app_now() - p_older_than
    order by p.created_at, p.id
    limit 500
$$;
comment on function app.payments_to_reconcile(interval) is
    'Card payments whose outcome the app has not heard for a while (a crash between the charge and its '
    'answer, a lost webhook): reconciliation asks the gateway about each and applies the answer.';
grant execute on function app.payments_to_reconcile(interval) to autodoctor_app;
