-- Reconciliation as a fair queue (issue 16, in the shape issue 22 gives refunds too): each pending payment has
-- its own attempt count and next attempt, backing off from a minute to six hours; one that still has no answer
-- after twelve attempts (about a day) fails as 'unreconciled', so nothing retries for ever and nothing starves
-- the payments behind it. A success the gateway reports later still arrives (apply_payment_intent) and is
-- given back in full, as any payment that came too late for its booking.
alter table app.payments
    add column reconcile_attempts integer not null default 0,
    add column next_reconcile_at timestamptz,
    add column last_reconcile_error text,
    add constraint payments_reconcile_attempts check (reconcile_attempts >= 0),
    add constraint payments_reconcile_error_length check (length(last_reconcile_error) <= 500);
-- what payments_to_reconcile reads: the unanswered card payments, by when each is due
create index payments_reconcile_due_idx on app.payments (coalesce(next_reconcile_at, created_at), id)
    where status in ('pending', 'processing') and amount_cents > 0;
