create or replace function app.analytics_read_hours(
    p_zone text, p_from date, p_to date, p_mechanics bigint[], p_platform boolean)
returns table (day date, hour integer, immediate integer, scheduled integer)
language sql stable
as $$
    -- the hour summaries are the whole platform's: a narrower view computes its mechanics' rows
    select d.day, d.hour, d.immediate, d.scheduled
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join unnest(x.summarized) s(day)
    join app.analytics_hours d on d.zone = p_zone and d.day = s.day
    where p_platform
    union all
    select f.*
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join lateral app.analytics_compute_hours(
        p_zone,
        case when p_platform then x.computed
             else array(select d::date from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d) end,
        case when not p_platform then p_mechanics end) f
$$;
comment on function app.analytics_read_hours(text, date, date, bigint[], boolean) is
    'The peak-hour facts (analytics_compute_hours) of the local days p_from..p_to of p_zone: the whole '
    'platform''s (p_platform) from the summaries for the days summed, computed for the rest; a narrower view''s '
    '(the mechanics p_mechanics) computed.';
