create or replace function app.analytics_lead_times(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (bucket integer, label text, min_hours integer, max_hours integer, sessions integer, share numeric)
language plpgsql stable security definer
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- a plan for each range: the generic one read every summary row
as $$
#variable_conflict use_column
declare
    q record;
begin
    perform app.require_actor(p_actor);
    select * into q from app.analytics_request(p_actor, p_from, p_to, p_zone, p_mechanic, p_workshop);
    return query
        with buckets as (
            select i as bucket, (array['< 2 h', '2–24 h', '1–3 days', '3–7 days', '1–2 weeks', '> 2 weeks'])[i] as label,
                   coalesce(extract(epoch from b[i - 1]) / 3600, 0)::integer as min_hours,
                   (extract(epoch from b[i]) / 3600)::integer as max_hours
            from app.lead_time_bounds() b, generate_series(1, 6) i
        ), booked as (
            select array[sum(f.lead_times[1]), sum(f.lead_times[2]), sum(f.lead_times[3]), sum(f.lead_times[4]),
                         sum(f.lead_times[5]), sum(f.lead_times[6])] as sessions
            from app.analytics_read_days(p_zone, p_from, p_to, q.mechanics, false, '{leads}') f
        ), counted as (
            select b.bucket, b.label, b.min_hours, b.max_hours, coalesce(k.sessions[b.bucket], 0) as sessions
            from buckets b, booked k
        )
        select c.bucket, c.label, c.min_hours, c.max_hours, c.sessions::integer,
               case when sum(c.sessions) over () > 0 then round(c.sessions / sum(c.sessions) over (), 4) end
        from counted c
        order by c.bucket;
end
$$;
comment on function app.analytics_lead_times(bigint, date, date, text, bigint, bigint) is
    'Booking lead time (SPEC §15): for the scheduled sessions booked (created) on the local dates p_from..p_to '
    'of zone p_zone, of the mechanics in the viewer''s view (analytics_request), whatever became of them, '
    'scheduled_for − created_at in the six buckets of lead_time_bucket, each [min_hours, max_hours): < 2 h, 2–24 h, 1–3 days, '
    '3–7 days, 1–2 weeks, > 2 weeks (no max); all six rows, with the count and its share of the sessions '
    '(null when there are none). A rescheduled session counts with its current time. Raises UP001, UV004, '
    'UV090, UV006, UN001.';
grant execute on function app.analytics_lead_times(bigint, date, date, text, bigint, bigint) to autodoctor_app;
