-- Money (SPEC §9): the policy each booking is sold under, payments, refunds, account credit, the payout
-- ledger and the gateway events already applied. Every cent is a row; app.money_audit() lists the sessions
-- whose rows do not add up (charged = refunded + credited + mechanic share + platform share).

-- A version of the cancellation policy. A booking keeps the version it was sold under; versions never change
-- (tg_cancellation_policies__frozen), a new policy is a new row.
create table app.cancellation_policies (
    version integer primary key,
    online_fee_cents integer not null,
    full_refund_hours integer not null,
    late_hours integer not null,
    mid_refund_percent integer not null,
    late_credit_percent integer not null,
    deposit_cents integer not null,
    commission_percent integer not null,
    effective_from timestamptz not null,
    constraint cancellation_policies_amounts check (online_fee_cents >= 0 and deposit_cents > 0),
    constraint cancellation_policies_hours check (full_refund_hours > late_hours and late_hours >= 0),
    constraint cancellation_policies_percents check (
        mid_refund_percent between 0 and 100 and late_credit_percent between 0 and 100
        and commission_percent between 0 and 100),
    constraint cancellation_policies_effective_key unique (effective_from)
);
-- SPEC §9: $5 fee ≥ 24 h; 75% refund 2–24 h; 50% credit < 2 h or no-show; $15 deposit; 30% commission
insert into app.cancellation_policies
    (version, online_fee_cents, full_refund_hours, late_hours, mid_refund_percent, late_credit_percent,
     deposit_cents, commission_percent, effective_from)
values (1, 500, 24, 2, 75, 50, 1500, 30, '2026-01-01 00:00+00');

alter table app.sessions add column policy_version integer not null default 1,
    add constraint sessions_policy_fkey foreign key (policy_version) references app.cancellation_policies (version)
        on delete restrict;
alter table app.sessions alter column policy_version drop default;

-- One attempt to take money for a booking: the full price (online), the deposit (in person, at booking) or
-- the balance (in person, after the service). Account credit is spent first (credit_cents); the card pays the
-- rest (amount_cents). `booking` carries what create_session needs once the money is in.
create table app.payments (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    reservation_id bigint,
    session_id bigint,
    kind text not null,
    session_kind text not null,
    plan_code text not null,
    amount_cents integer not null,
    credit_cents integer not null default 0,
    currency text not null default 'CAD',
    status text not null default 'pending',
    payment_method text,
    idempotency_key text not null,
    intent_id text,
    failure_code text,
    failure_message text,
    booking jsonb not null default '{}',
    policy_version integer not null,
    created_at timestamptz not null,
    succeeded_at timestamptz,
    failed_at timestamptz,
    constraint payments_customer_fkey foreign key (customer_id) references app.customers (id) on delete restrict,
    constraint payments_reservation_fkey foreign key (reservation_id) references app.slot_reservations (id) on delete restrict,
    constraint payments_session_fkey foreign key (session_id) references app.sessions (id) on delete restrict,
    constraint payments_plan_fkey foreign key (plan_code) references app.plans (code) on delete restrict,
    constraint payments_policy_fkey foreign key (policy_version) references app.cancellation_policies (version) on delete restrict,
    constraint payments_kind_check check (kind in ('full', 'deposit', 'balance')),
    constraint payments_session_kind_check check (session_kind in ('immediate', 'scheduled')),
    constraint payments_status_check check (status in ('pending', 'processing', 'succeeded', 'failed')),
    constraint payments_amounts check (amount_cents >= 0 and credit_cents >= 0 and amount_cents + credit_cents > 0),
    constraint payments_currency_check check (currency = 'CAD'),
    constraint payments_card_needs_method check (amount_cents = 0 or payment_method is not null),
    constraint payments_idempotency_key unique (idempotency_key),
    constraint payments_intent_key unique (intent_id),
    constraint payments_balance_has_session check (kind <> 'balance' or session_id is not null)
);
create index payments_customer_idx on app.payments (customer_id, created_at desc);
create index payments_session_idx on app.payments (session_id) where session_id is not null;
create index payments_reservation_idx on app.payments (reservation_id) where reservation_id is not null;
-- what reconciliation looks at: attempts whose outcome we have not heard
create index payments_unsettled_idx on app.payments (created_at) where status in ('pending', 'processing');

-- Money going back to a card. Written `pending` in the transaction that decides it; the gateway call happens
-- after commit, keyed by idempotency_key, and its answer is recorded.
create table app.refunds (
    id bigint generated always as identity primary key,
    payment_id bigint not null,
    session_id bigint,
    amount_cents integer not null,
    reason text not null,
    status text not null default 'pending',
    idempotency_key text not null,
    gateway_refund_id text,
    failure_message text,
    attempts integer not null default 0,
    created_at timestamptz not null,
    completed_at timestamptz,
    constraint refunds_payment_fkey foreign key (payment_id) references app.payments (id) on delete restrict,
    constraint refunds_session_fkey foreign key (session_id) references app.sessions (id) on delete restrict,
    constraint refunds_amount_positive check (amount_cents > 0),
    constraint refunds_status_check check (status in ('pending', 'succeeded', 'failed')),
    constraint refunds_reason_check check (reason in (
        'customer_cancelled', 'mechanic_cancelled', 'workshop_cancelled', 'admin_cancelled', 'not_accepted',
        'slot_lost', 'booking_failed')),
    constraint refunds_idempotency_key unique (idempotency_key),
    constraint refunds_gateway_key unique (gateway_refund_id)
);
create index refunds_payment_idx on app.refunds (payment_id);
create index refunds_session_idx on app.refunds (session_id) where session_id is not null;
create index refunds_pending_idx on app.refunds (created_at) where status = 'pending';

-- Account credit, a ledger: + granted (a late cancellation, a no-show, money given back as credit),
-- − spent at checkout. It never expires; the balance is the sum and never goes below zero.
create table app.credit_entries (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    amount_cents integer not null,
    reason text not null,
    session_id bigint,
    payment_id bigint,
    created_at timestamptz not null,
    constraint credit_entries_customer_fkey foreign key (customer_id) references app.customers (id) on delete restrict,
    constraint credit_entries_session_fkey foreign key (session_id) references app.sessions (id) on delete restrict,
    constraint credit_entries_payment_fkey foreign key (payment_id) references app.payments (id) on delete restrict,
    constraint credit_entries_amount_nonzero check (amount_cents <> 0),
    constraint credit_entries_reason_check check (reason in (
        'late_cancellation', 'no_show', 'refund_as_credit', 'spent', 'payment_failed')),
    constraint credit_entries_sign check ((reason = 'spent') = (amount_cents < 0))
);
create index credit_entries_customer_idx on app.credit_entries (customer_id, id);
create index credit_entries_session_idx on app.credit_entries (session_id) where session_id is not null;

-- Who earns what from a session (SPEC §1): the mechanic, or the workshop of a workshop-affiliated mechanic
-- (mechanic_id says who did the work), and the platform. One row per payee and session.
create table app.payouts (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    payee text not null,
    mechanic_id bigint,
    workshop_id bigint,
    amount_cents integer not null,
    reason text not null,
    created_at timestamptz not null,
    paid_out_at timestamptz,
    constraint payouts_session_fkey foreign key (session_id) references app.sessions (id) on delete restrict,
    constraint payouts_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete restrict,
    constraint payouts_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete restrict,
    constraint payouts_payee_check check (payee in ('mechanic', 'workshop', 'platform')),
    constraint payouts_payee_shape check (
        (payee = 'mechanic' and mechanic_id is not null and workshop_id is null)
        or (payee = 'workshop' and workshop_id is not null)
        or (payee = 'platform' and mechanic_id is null and workshop_id is null)),
    constraint payouts_amount_nonnegative check (amount_cents >= 0),
    constraint payouts_reason_check check (reason in ('completed', 'customer_cancelled', 'no_show')),
    constraint payouts_once_per_payee unique (session_id, payee)
);
create index payouts_mechanic_idx on app.payouts (mechanic_id, created_at) where mechanic_id is not null;
create index payouts_workshop_idx on app.payouts (workshop_id, created_at) where workshop_id is not null;

-- Gateway events already applied; inserted in the transaction of their effect, so a redelivery does nothing.
create table app.gateway_events (
    event_id text primary key,
    type text not null,
    object_id text,
    received_at timestamptz not null,
    constraint gateway_events_id_length check (length(event_id) between 1 and 255)
);

-- create_session takes the policy a payment was sold under, and only payments call it now
drop function if exists app.create_session(bigint, text, text, text, bigint, boolean, text, text, text, boolean, bigint, jsonb);
