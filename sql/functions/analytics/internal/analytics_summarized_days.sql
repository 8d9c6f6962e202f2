create or replace function app.analytics_summarized_days(p_zone text, p_from date, p_to date)
returns table (summarized date[], computed date[], as_of timestamptz)
language sql stable rows 1
as $$
    with held as (
        select m.day, m.summarized_at from app.analytics_summaries m where m.zone = p_zone and m.day between p_from and p_to
    )
    select coalesce((select array_agg(h.day order by h.day) from held h), '{}'),
           array(select d::date from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d
                 where d::date not in (select h.day from held h) order by 1),
           (select min(h.summarized_at) from held h)
$$;
comment on function app.analytics_summarized_days(text, date, date) is
    'The local days p_from..p_to of zone p_zone split in two: those summed by refresh_analytics (analytics_days, '
    'analytics_plan_days, analytics_hours) and those to compute from the rows; and as_of, when the oldest of '
    'those summaries was made (null when every day is computed).';
