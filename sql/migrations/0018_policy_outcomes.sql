-- Which tier of the cancellation and no-show policy (SPEC §9) settled each session, and what it moved: one row
-- per session, written by apply_policy_outcome with the money rows it writes. The admin's operations page
-- counts cancellations by tier from it. Sessions settled before this migration have no row.
create table app.policy_outcomes (
    session_id bigint primary key,
    tier text not null,
    decided_by text not null,
    charged_cents integer not null,
    refund_cents integer not null,
    credit_cents integer not null,
    payee_cents integer not null,
    platform_cents integer not null,
    decided_at timestamptz not null,
    constraint policy_outcomes_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade
);
create index policy_outcomes_decided_idx on app.policy_outcomes (decided_at);
-- the outbox rows that need a person: failed, or retried at least once
create index outbox_trouble_idx on app.outbox (created_at) where status = 'failed' or (status = 'pending' and attempts > 0);
