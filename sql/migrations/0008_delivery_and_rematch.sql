-- Outbox delivery (SPEC §14): how each message went out, and messages withdrawn before they were sent (a
-- reminder of a session that was cancelled or moved). The re-match queue of SPEC §8: sessions whose booked
-- mechanic cancelled, waiting for the job that finds another mechanic or refunds the customer.
alter table app.outbox
    add column delivered_via text,
    add column provider_ref text,
    drop constraint outbox_status_check,
    add constraint outbox_status_check check (status in ('pending', 'sent', 'failed', 'withdrawn')),
    add constraint outbox_delivered_via_check check (
        delivered_via is null or delivered_via in ('smtp', 'mailbox', 'sms_gateway', 'recorded', 'in_app'));

create table app.session_rematches (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    from_mechanic_id bigint not null,
    reason text,
    requested_at timestamptz not null,
    resolved_at timestamptz,
    outcome text,
    to_mechanic_id bigint,
    constraint session_rematches_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint session_rematches_from_fkey foreign key (from_mechanic_id) references app.mechanics (id) on delete restrict,
    constraint session_rematches_to_fkey foreign key (to_mechanic_id) references app.mechanics (id) on delete restrict,
    constraint session_rematches_outcome_check check (outcome in ('rematched', 'cancelled', 'skipped')),
    constraint session_rematches_resolved_shape check ((resolved_at is null) = (outcome is null)
                                                       and (to_mechanic_id is not null) = (outcome is not distinct from 'rematched')),
    constraint session_rematches_reason_length check (reason is null or length(reason) <= 500)
);
-- one open re-match per session; the job scans only the open ones
create unique index session_rematches_open_key on app.session_rematches (session_id) where resolved_at is null;
