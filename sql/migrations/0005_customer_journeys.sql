-- What the customer pages need (SPEC §3, §10, §12, §14): versioned waivers and their signatures, the
-- waitlist, wizard drafts kept on the server, uploaded photos and videos, the notification outbox, and the
-- calendar sequence of a session's invite.

create table app.waiver_versions (
    version integer primary key,
    title text not null,
    body text not null,
    published_at timestamptz not null,
    constraint waiver_versions_body_present check (length(btrim(body)) > 0)
);
insert into app.waiver_versions (version, title, body, published_at) values (1, 'Remote advice waiver',
'Auto Doctor mechanics give advice from what you show and tell them. They cannot see or touch your vehicle, '
'so their advice may be incomplete. You stay responsible for any work you do or have done, and for your '
'safety: never work under a vehicle that is not properly supported, keep clear of moving parts and hot '
'surfaces, and stop the session if you feel unsafe. Do not drive a vehicle you believe is unsafe. '
'Auto Doctor and its mechanics are not liable for damage or injury arising from work you carry out based '
'on advice given in a session, except where the law does not allow this to be excluded.',
    '2026-01-01 00:00+00');

-- A signature is the customer's drawn signature (PNG) or typed name; a signature of the current version
-- in the last 30 days covers every session.
create table app.waiver_signatures (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    session_id bigint,
    version integer not null,
    mode text not null,
    signature_png bytea,
    typed_name text,
    ip inet,
    user_agent text,
    signed_by bigint not null,
    signed_at timestamptz not null,
    constraint waiver_signatures_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint waiver_signatures_session_fkey foreign key (session_id) references app.sessions (id) on delete set null,
    constraint waiver_signatures_version_fkey foreign key (version) references app.waiver_versions (version) on delete restrict,
    constraint waiver_signatures_signed_by_fkey foreign key (signed_by) references app.users (id) on delete restrict,
    constraint waiver_signatures_mode_check check (mode in ('online', 'in_person')),
    constraint waiver_signatures_one_form check ((signature_png is null) <> (typed_name is null)),
    constraint waiver_signatures_typed_name_length check (typed_name is null or length(btrim(typed_name)) between 2 and 120),
    constraint waiver_signatures_png check (signature_png is null or (
        octet_length(signature_png) between 67 and 300000
        and substring(signature_png from 1 for 8) = '\x89504e470d0a1a0a'::bytea)),
    constraint waiver_signatures_user_agent_length check (user_agent is null or length(user_agent) <= 512)
);
create index waiver_signatures_customer_idx on app.waiver_signatures (customer_id, signed_at desc);

-- SPEC §10: pending -> notified / expired (after 2 h) / cancelled; one pending entry per customer.
create table app.customer_waitlist (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    plan_code text not null,
    vehicle_id bigint,
    advice_only boolean not null default false,
    concern text,
    status text not null default 'pending',
    created_at timestamptz not null,
    expires_at timestamptz not null,
    notified_at timestamptz,
    notified_for bigint,
    cancelled_at timestamptz,
    constraint customer_waitlist_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint customer_waitlist_plan_fkey foreign key (plan_code) references app.plans (code) on delete restrict,
    constraint customer_waitlist_vehicle_fkey foreign key (vehicle_id) references app.vehicles (id) on delete set null,
    constraint customer_waitlist_notified_for_fkey foreign key (notified_for) references app.mechanics (id) on delete set null,
    constraint customer_waitlist_status_check check (status in ('pending', 'notified', 'expired', 'cancelled')),
    constraint customer_waitlist_concern_length check (concern is null or length(concern) <= 4000)
);
create unique index customer_waitlist_one_pending on app.customer_waitlist (customer_id) where status = 'pending';
create index customer_waitlist_pending_idx on app.customer_waitlist (created_at, id) where status = 'pending';

-- What a customer has entered in a wizard so far (SPEC §3.1: kept on the server, cleared on leaving).
create table app.booking_drafts (
    customer_id bigint not null,
    flow text not null,
    data jsonb not null default '{}',
    updated_at timestamptz not null,
    constraint booking_drafts_pkey primary key (customer_id, flow),
    constraint booking_drafts_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint booking_drafts_flow_check check (flow in ('book', 'schedule')),
    constraint booking_drafts_data_object check (jsonb_typeof(data) = 'object' and pg_column_size(data) < 65536)
);

-- Photos and videos of a concern: the type is read from the bytes (app.media_type), never from the name.
create table app.attachments (
    id bigint generated always as identity primary key,
    customer_id bigint not null,
    session_id bigint,
    filename text not null,
    content_type text not null,
    size_bytes integer not null,
    data bytea not null,
    created_at timestamptz not null,
    constraint attachments_customer_fkey foreign key (customer_id) references app.customers (id) on delete cascade,
    constraint attachments_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint attachments_filename_length check (length(filename) between 1 and 200),
    constraint attachments_type_check check (content_type in (
        'image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/quicktime', 'video/webm')),
    constraint attachments_size_limit check (size_bytes = octet_length(data) and size_bytes > 0 and size_bytes <=
        case when content_type like 'image/%' then 10 * 1024 * 1024 else 50 * 1024 * 1024 end)
);
create index attachments_customer_idx on app.attachments (customer_id) where session_id is null;
create index attachments_session_idx on app.attachments (session_id) where session_id is not null;

-- SPEC §14: every notification is a row written with its cause; a delivery job sends it (issue 7).
create table app.outbox (
    id bigint generated always as identity primary key,
    user_id bigint not null,
    channel text not null,
    template text not null,
    payload jsonb not null default '{}',
    session_id bigint,
    dedupe_key text,
    status text not null default 'pending',
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    last_error text,
    created_at timestamptz not null,
    sent_at timestamptz,
    constraint outbox_user_fkey foreign key (user_id) references app.users (id) on delete cascade,
    constraint outbox_session_fkey foreign key (session_id) references app.sessions (id) on delete cascade,
    constraint outbox_channel_check check (channel in ('email', 'sms', 'in_app')),
    constraint outbox_status_check check (status in ('pending', 'sent', 'failed')),
    constraint outbox_dedupe_key unique (dedupe_key)
);
create index outbox_due_idx on app.outbox (next_attempt_at) where status = 'pending';
create index outbox_user_idx on app.outbox (user_id, created_at desc);

-- The invite of a session keeps one UID; its SEQUENCE goes up with every change of time (RFC 5545).
alter table app.sessions add column calendar_sequence integer not null default 0;

-- rank_mechanics takes an optional location (the wizard's location field overrides the profile's)
drop function if exists app.rank_mechanics(bigint, text, text, text, text);
