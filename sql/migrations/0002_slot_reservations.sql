-- Every claim on a mechanic's time (SPEC §6): a hold (reserved, 15 minutes), a paid booking (confirmed), or
-- a claim that ended (expired, cancelled). The exclusion constraints are the guarantee against double
-- booking; the availability functions are the courtesy.
--
-- blocked_until = ends_at + the mechanic's buffer at the time of the claim (kept by
-- tg_slot_reservations__blocked_until). Two claims of one mechanic conflict exactly when their
-- [starts_at, blocked_until) ranges overlap, which is when fewer than `buffer` minutes separate them.

create table app.slot_reservations (
    id bigint generated always as identity primary key,
    mechanic_id bigint not null,
    customer_id bigint not null,
    workshop_id bigint,
    service_type text not null,
    plan_code text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    buffer_minutes smallint not null default 0,
    blocked_until timestamptz not null,
    status text not null default 'reserved',
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    confirmed_at timestamptz,
    released_at timestamptz,
    constraint slot_reservations_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete restrict,
    constraint slot_reservations_customer_fkey foreign key (customer_id) references app.customers (id) on delete restrict,
    constraint slot_reservations_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete restrict,
    constraint slot_reservations_plan_fkey foreign key (plan_code) references app.plans (code) on delete restrict,
    constraint slot_reservations_service_type_check check (service_type in ('online', 'in_person')),
    constraint slot_reservations_status_check check (status in ('reserved', 'confirmed', 'expired', 'cancelled')),
    constraint slot_reservations_order check (ends_at > starts_at),
    constraint slot_reservations_buffer_range check (buffer_minutes between 0 and 240),
    constraint slot_reservations_in_person_workshop check ((service_type = 'in_person') = (workshop_id is not null)),
    constraint slot_reservations_hold_expiry check (status <> 'reserved' or expires_at is not null),
    constraint slot_reservations_no_overlap exclude using gist (
        mechanic_id with =, tstzrange(starts_at, blocked_until) with &&)
        where (status in ('reserved', 'confirmed')),
    constraint slot_reservations_customer_no_overlap exclude using gist (
        customer_id with =, tstzrange(starts_at, ends_at) with &&)
        where (status in ('reserved', 'confirmed'))
);

-- in-person capacity: the claims at one workshop that overlap a time
create index slot_reservations_workshop_idx on app.slot_reservations
    using gist (workshop_id, tstzrange(starts_at, ends_at))
    where status in ('reserved', 'confirmed') and workshop_id is not null;
-- a mechanic's claims in time order (calendars, and the benchmark's one-query-per-slot comparison)
create index slot_reservations_mechanic_start_idx on app.slot_reservations (mechanic_id, starts_at);
-- the hold-expiry job
create index slot_reservations_expiry_idx on app.slot_reservations (expires_at) where status = 'reserved';
