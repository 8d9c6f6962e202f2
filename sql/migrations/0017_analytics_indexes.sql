-- Analytics (SPEC §15, sql/functions/analytics_*.sql) ask for a date range, for the mechanics a viewer sees
-- or for the whole platform. These indexes let each measure read only the range's rows, most of them from the
-- index alone; without them every call reads whole tables (a million sessions and several million money rows
-- on the benchmark's world).

-- sessions created in a range, per mechanic (peak hours, lead times, Book Now acceptance, and the sessions
-- whose money a narrower view of revenue keeps), and Book Now requests nobody took (mechanic_id is null)
create index sessions_mechanic_created_idx on app.sessions (mechanic_id, created_at) include (id, kind);
-- Book Now requests offered by name to a mechanic, for the acceptance of the mechanics a viewer sees
create index session_offers_mechanic_created_idx on app.session_offers (mechanic_id, created_at) include (session_id)
    where kind = 'targeted';
-- revenue: each ledger by the time its money moved, with what the sums need
create index payments_succeeded_idx on app.payments (succeeded_at) include (session_id, amount_cents, credit_cents)
    where status = 'succeeded';
create index refunds_completed_idx on app.refunds (completed_at) include (session_id, amount_cents)
    where status = 'succeeded';
create index credit_entries_granted_idx on app.credit_entries (created_at) include (session_id, amount_cents)
    where amount_cents > 0 and reason <> 'payment_failed';
create index payouts_created_idx on app.payouts (created_at) include (session_id, payee, amount_cents);
-- waitlist conversion: entries created in a range (customer_waitlist_pending_idx holds only the pending ones)
create index customer_waitlist_created_idx on app.customer_waitlist (created_at);
