-- Issue 22: refunds as a fair queue, in the shape 0024 gave reconciliation. Each pending refund has its own
-- attempt count and next attempt, backing off from a minute to six hours (note_refund_attempt), so refunds that
-- keep failing never block the ones behind them; one the gateway still refuses after refund_attempts_limit()
-- attempts becomes 'failed', the admin sees it (admin_money_attention, money_overdue) and may send it again
-- (admin_retry_refund, which records who did and when).
alter table app.refunds
    add column next_attempt_at timestamptz,
    add column last_error text,
    add column retried_at timestamptz,
    add column retried_by bigint,
    add constraint refunds_attempts_not_negative check (attempts >= 0),
    add constraint refunds_last_error_length check (length(last_error) <= 500),
    add constraint refunds_retried_by_fkey foreign key (retried_by) references app.users (id) on delete set null,
    add constraint refunds_retried_by_only_when_retried check (retried_at is not null or retried_by is null);
comment on column app.refunds.next_attempt_at is
    'When the sender may try a pending refund again (null: at once); set by note_refund_attempt''s back-off.';
comment on column app.refunds.last_error is 'What the last attempt to send it met (the gateway''s refusal or silence).';
comment on column app.refunds.retried_at is 'When the platform admin last sent a failed refund again (admin_retry_refund).';
comment on column app.refunds.retried_by is 'The platform admin who last sent a failed refund again.';

-- what pending_refunds reads: the pending refunds by when each is due, so that a batch takes the due ones first
drop index app.refunds_pending_idx;
create index refunds_due_idx on app.refunds (coalesce(next_attempt_at, created_at), id) where status = 'pending';
