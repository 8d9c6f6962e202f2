create or replace function app.session_rows()
returns table (
    id bigint, kind text, service_type text, status text, plan_code text, plan_name text, price_cents integer,
    duration_minutes integer, scheduled_for timestamptz, created_at timestamptz, accepted_at timestamptz,
    started_at timestamptz, ended_at timestamptz, cancelled_at timestamptz, expired_at timestamptz,
    no_show_at timestamptz, customer_id bigint, customer_name text, customer_first_name text, customer_phone text,
    mechanic_id bigint, mechanic_name text, mechanic_timezone text, workshop_id bigint, workshop_name text,
    workshop_address text, workshop_timezone text, vehicle_id bigint, vehicle text, advice_only boolean,
    concern_category text, concern text, is_urgent boolean, preparation_notes text, special_requests text,
    calendar_sequence integer, cancel_reason text, summary text
)
language sql stable
as $$
    -- left joins on keys only: a reader that does not use a party's columns does not join it (join removal), and
    -- as a plain SQL function without SET or SECURITY DEFINER it is inlined into its reader, whose filters on
    -- the session's columns reach the sessions indexes
    select s.id, s.kind, s.service_type, s.status, s.plan_code, pl.name, pl.price_cents, s.duration_minutes,
           s.scheduled_for, s.created_at, s.accepted_at, s.started_at, s.ended_at, s.cancelled_at, s.expired_at,
           s.no_show_at, s.customer_id, cu.name, split_part(btrim(cu.name), ' ', 1), cu.phone,
           s.mechanic_id, mu.name, m.timezone, s.workshop_id, w.name, w.street || ', ' || w.city, w.timezone,
           s.vehicle_id, case when v.id is not null then v.year || ' ' || v.make || ' ' || v.model end, s.advice_only,
           s.concern_category, s.concern, s.is_urgent,
           nullif(btrim(s.intake->>'preparation_notes'), ''), nullif(btrim(s.intake->>'special_requests'), ''),
           s.calendar_sequence, s.cancel_reason, s.summary
    from app.sessions s
    left join app.plans pl on pl.code = s.plan_code
    left join app.users cu on cu.id = s.customer_id
    left join app.users mu on mu.id = s.mechanic_id
    left join app.mechanics m on m.id = s.mechanic_id
    left join app.workshops w on w.id = s.workshop_id
    left join app.vehicles v on v.id = s.vehicle_id
$$;
comment on function app.session_rows() is
    'Every session as the pages show it: its times, plan and price, the parties (the customer''s name, first '
    'name and phone; the mechanic''s name and zone; the workshop''s name, address and zone), the vehicle, the '
    'concern and intake notes. The read models (my_appointments, mechanic_sessions, workshop_visits, '
    'mechanic_offers) select from it with their own filters and add what only they show; inlined into them.';
