-- Issue 17: a message says what was true when its event happened. Each outbox row keeps a snapshot of its
-- session (times, names, plan, money, the invite's sequence) taken as the transaction that queued it commits
-- (tg_outbox__snapshot); delivery renders only that snapshot, however the session changed since. Rows queued
-- before this migration have none and are rendered from the session as it is (session_snapshot), as before.
alter table app.outbox add column snapshot jsonb;

-- claim_outbox returns the snapshot instead of the session's columns; my_appointments tells refunds by state
drop function if exists app.claim_outbox(integer, interval);
drop function if exists app.my_appointments(bigint, bigint);
drop function if exists app.workshop_visits(bigint, bigint, bigint);

-- admin_money_attention reads the payments reconciliation gave up on, and the failed refunds, through indexes
-- of their own (it read every payment: 4.6 s on the 1M-booking world)
create index payments_unreconciled_idx on app.payments (failed_at) where failure_code = 'unreconciled';
create index refunds_failed_idx on app.refunds (created_at) where status = 'failed';
