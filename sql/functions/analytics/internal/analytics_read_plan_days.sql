create or replace function app.analytics_read_plan_days(
    p_zone text, p_from date, p_to date, p_mechanics bigint[])
returns table (day date, mechanic_id bigint, plan_code text, completed integer, no_shows integer, cancelled integer)
language sql stable
as $$
    select d.day, d.mechanic_id, d.plan_code, d.completed, d.no_shows, d.cancelled
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join unnest(x.summarized) s(day)
    join app.analytics_plan_days d on d.zone = p_zone and d.day = s.day
    where d.mechanic_id in (select unnest(p_mechanics))
    union all
    select f.*
    from app.analytics_summarized_days(p_zone, p_from, p_to) x
    cross join lateral app.analytics_compute_plan_days(p_zone, x.computed, p_mechanics) f
$$;
comment on function app.analytics_read_plan_days(text, date, date, bigint[]) is
    'The no-show facts (analytics_compute_plan_days) of the local days p_from..p_to of p_zone for the mechanics '
    'p_mechanics: from the summaries for the days summed, computed for the rest.';
