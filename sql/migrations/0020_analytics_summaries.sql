-- Summaries for the analytics pages (issue 15, SPEC §15). On a million sessions the platform's measures read
-- about a million rows per call and no index removes that work (bench/analytics.py), so the job
-- refresh_analytics sums each local day once per zone a viewer lives in (today again at every run, every five
-- minutes) with the same functions a page uses for a day without a summary (analytics_compute_*), so that a
-- summary is never a second definition of a measure. A page reads the summaries of the days of its range that
-- have one and computes the others from the rows, and says up to when it counted (analytics_as_of).
--
-- A change that can alter a day already summed (a session's status, time, mechanic, plan or kind) writes the
-- instants it touches to analytics_changes; the next run sums those days again. Money rows are written at the
-- clock's now, into today. Bookable time is summed as the schedule was then: editing a weekly schedule today
-- does not rewrite last month's utilization.

-- which local days of which zone are summed, and when
create table app.analytics_summaries (
    zone text not null,
    day date not null,
    summarized_at timestamptz not null,
    primary key (zone, day)
);

-- instants whose days must be summed again (tg_sessions__analytics_changes); refresh_analytics takes them
create table app.analytics_changes (
    id bigint generated always as identity primary key,
    at timestamptz not null
);

-- per local day and mechanic (null: money and sessions of no mechanic): bookable and booked minutes, confirmed
-- claims starting that day, scheduled bookings made that day by lead-time bucket, and the money that moved
create table app.analytics_days (
    zone text not null,
    day date not null,
    mechanic_id bigint,
    available_minutes numeric not null,
    booked_minutes numeric not null,
    bookings integer not null,
    lead_times integer[] not null,
    charged_cents bigint not null,
    refunded_cents bigint not null,
    credited_cents bigint not null,
    platform_cents bigint not null,
    payee_cents bigint not null,
    constraint analytics_days_key unique nulls not distinct (zone, day, mechanic_id)
);

-- per local day of the start, mechanic and plan: scheduled sessions that took place, were missed or cancelled
create table app.analytics_plan_days (
    zone text not null,
    day date not null,
    mechanic_id bigint not null,
    plan_code text not null,
    completed integer not null,
    no_shows integer not null,
    cancelled integer not null,
    primary key (zone, day, mechanic_id, plan_code)
);

-- per local day and hour, for the whole platform: sessions created (the heat map of peak hours); a narrower view
-- reads its mechanics' rows, which an index finds
create table app.analytics_hours (
    zone text not null,
    day date not null,
    hour integer not null,
    immediate integer not null,
    scheduled integer not null,
    primary key (zone, day, hour)
);

-- the admin's ledgers, newest first within a range, stopping at their limit (admin_ledger)
create index payments_created_idx on app.payments (created_at, id);
create index refunds_created_idx on app.refunds (created_at, id);
create index credit_entries_created_idx on app.credit_entries (created_at, id);
-- the customers who missed sessions in a range (admin_no_shows_by_customer)
create index sessions_no_show_idx on app.sessions (scheduled_for) include (customer_id)
    where kind = 'scheduled' and status = 'no_show';
-- and their sessions due in it, index-only per customer: replaces 0019's index by start, which read every
-- customer's sessions of the range
drop index app.sessions_due_customer_idx;
create index sessions_customer_due_idx on app.sessions (customer_id, scheduled_for)
    where kind = 'scheduled' and status in ('completed', 'no_show');
