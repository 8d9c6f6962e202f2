-- Sessions (SPEC §7), their event log, and the offers that find a mechanic for them (SPEC §8).

create table app.sessions (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    mechanic_id bigint,
    kind text not null,
    service_type text not null default 'online',
    request_type text not null default 'general',
    plan_code text not null,
    duration_minutes integer not null,
    vehicle_id bigint,
    advice_only boolean not null default false,
    status text not null,
    scheduled_for timestamptz,
    reservation_id bigint,
    workshop_id bigint,
    concern_category text,
    concern text,
    is_urgent boolean not null default false,
    intake jsonb not null default '{}',
    created_at timestamptz not null,
    accepted_at timestamptz,
    started_at timestamptz,
    ended_at timestamptz,
    cancelled_at timestamptz,
    expired_at timestamptz,
    no_show_at timestamptz,
    cancel_reason text,
    constraint sessions_customer_fkey foreign key (customer_id) references app.customers (id) on delete restrict,
    constraint sessions_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete restrict,
    constraint sessions_plan_fkey foreign key (plan_code) references app.plans (code) on delete restrict,
    constraint sessions_vehicle_fkey foreign key (vehicle_id) references app.vehicles (id) on delete set null,
    constraint sessions_reservation_fkey foreign key (reservation_id) references app.slot_reservations (id) on delete restrict,
    constraint sessions_workshop_fkey foreign key (workshop_id) references app.workshops (id) on delete restrict,
    constraint sessions_reservation_key unique (reservation_id),
    constraint sessions_kind_check check (kind in ('immediate', 'scheduled')),
    constraint sessions_service_type_check check (service_type in ('online', 'in_person')),
    constraint sessions_request_type_check check (request_type in ('general', 'brand_specialist')),
    constraint sessions_status_check check (status in (
        'scheduled', 'requested', 'pending', 'live', 'completed', 'cancelled', 'no_show', 'expired')),
    constraint sessions_duration_positive check (duration_minutes > 0),
    -- a scheduled session has its time and its claim; an immediate one has neither
    constraint sessions_schedule_shape check (
        (kind = 'scheduled' and scheduled_for is not null and reservation_id is not null and mechanic_id is not null)
        or (kind = 'immediate' and scheduled_for is null and reservation_id is null)),
    constraint sessions_immediate_is_online check (kind = 'scheduled' or service_type = 'online'),
    constraint sessions_in_person_workshop check ((service_type = 'in_person') = (workshop_id is not null)),
    constraint sessions_advice_has_no_vehicle check (not advice_only or vehicle_id is null),
    constraint sessions_assigned_when_running check (status not in ('live', 'completed') or mechanic_id is not null),
    constraint sessions_concern_length check (concern is null or length(concern) <= 4000),
    constraint sessions_category_check check (concern_category is null or concern_category in (
        'diagnostic', 'repair', 'maintenance', 'inspection', 'consultation', 'engine', 'brakes', 'electrical',
        'transmission', 'suspension', 'noise', 'warning_light', 'other'))
);
create index sessions_customer_idx on app.sessions (customer_id, created_at desc);
create index sessions_mechanic_idx on app.sessions (mechanic_id, scheduled_for) where mechanic_id is not null;
create index sessions_open_immediate_idx on app.sessions (created_at) where kind = 'immediate' and status = 'pending';
-- a customer has at most one active immediate session
create unique index sessions_one_active_immediate on app.sessions (customer_id)
    where kind = 'immediate' and status in ('pending', 'live');

-- Every status a session takes: who moved it, when, from what, why (written by tg_sessions__log_event).
create table app.session_events (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    actor_id bigint,
    from_status text,
    to_status text not null,
    reason text,
    at timestamptz not null,
    constraint session_events_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint session_events_actor_fkey foreign key (actor_id) references app.users (id) on delete set null
);
create index session_events_session_idx on app.session_events (session_id, id);

-- Offers of an immediate session: targeted ones to the best matches, one broadcast any online mechanic may
-- take (mechanic_id null), and each mechanic's answer to the broadcast. The first acceptance wins.
create table app.session_offers (
    id bigint generated always as identity primary key,
    session_id bigint not null,
    mechanic_id bigint,
    kind text not null,
    status text not null default 'open',
    score integer,
    reasons text[] not null default '{}',
    created_at timestamptz not null,
    responded_at timestamptz,
    constraint session_offers_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint session_offers_mechanic_fkey foreign key (mechanic_id) references app.mechanics (id) on delete cascade,
    constraint session_offers_kind_check check (kind in ('targeted', 'broadcast')),
    constraint session_offers_status_check check (status in ('open', 'accepted', 'declined', 'withdrawn', 'expired')),
    constraint session_offers_targeted_has_mechanic check (kind = 'broadcast' or mechanic_id is not null),
    constraint session_offers_one_per_mechanic unique (session_id, mechanic_id)
);
create unique index session_offers_one_broadcast on app.session_offers (session_id)
    where kind = 'broadcast' and mechanic_id is null;
-- exactly one mechanic wins a session
create unique index session_offers_one_winner on app.session_offers (session_id) where status = 'accepted';
create index session_offers_mechanic_idx on app.session_offers (mechanic_id, status) where mechanic_id is not null;
create index session_offers_open_broadcast_idx on app.session_offers (session_id) where kind = 'broadcast' and status = 'open';
