-- What the analytics measures (SPEC §15) read (this and analytics_read_plan_days, analytics_read_hours): for each
-- local day of a range, its summary if refresh_analytics has made one, or else its rows
-- (analytics_summarized_days), through the same analytics_compute_* functions that make the summaries.
-- p_mechanics are the viewer's (analytics_request); p_platform adds what belongs to no mechanic (and reads the
-- whole platform's hour summaries).
create or replace function app.analytics_read_days(
    p_zone text, p_from date, p_to date, p_mechanics bigint[], p_platform boolean, p_facts text[] default null)
returns table (
    day date, mechanic_id bigint, available_minutes numeric, booked_minutes numeric, bookings integer,
    lead_times integer[], charged_cents bigint, refunded_cents bigint, credited_cents bigint,
    platform_cents bigint, payee_cents bigint
)
language sql stable
as $$
    select d.day, d.mechanic_id, d.available_minutes, d.booked_minutes, d.bookings, d.lead_times, d.charged_cents,
           d.refunded_cents, d.credited_cents, d.platform_cents, d.payee_cents
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join unnest(x.summarized) s(day)
    join app.analytics_days d on d.zone = p_zone and d.day = s.day
    where p_platform or d.mechanic_id in (select unnest(p_mechanics))
    union all
    select f.*
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join lateral app.analytics_compute_days(p_zone, x.computed, case when not p_platform then p_mechanics end, p_facts) f
$$;
comment on function app.analytics_read_days(text, date, date, bigint[], boolean, text[]) is
    'The daily facts (analytics_compute_days) of the local days p_from..p_to of p_zone for the mechanics '
    'p_mechanics, and with p_platform those of no mechanic: from the summaries for the days summed, computed for '
    'the rest (only the facts p_facts).';
