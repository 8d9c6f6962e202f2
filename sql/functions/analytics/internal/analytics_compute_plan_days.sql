create or replace function app.analytics_compute_plan_days(p_zone text, p_days date[], p_mechanics bigint[] default null)
returns table (day date, mechanic_id bigint, plan_code text, completed integer, no_shows integer, cancelled integer)
language plpgsql stable
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- each span read with its own bounds, through the indexes
as $$
#variable_conflict use_column
declare
    v_lo timestamptz;
    v_hi timestamptz;
begin
    for v_lo, v_hi in select s.lo, s.hi from app.analytics_spans(p_zone, p_days) s loop
        -- scheduled sessions (only they can be no-shows) due that day that took place, were missed or cancelled
        return query
            select (s.scheduled_for at time zone p_zone)::date, s.mechanic_id, s.plan_code,
                   count(*) filter (where s.status = 'completed')::integer,
                   count(*) filter (where s.status = 'no_show')::integer,
                   count(*) filter (where s.status = 'cancelled')::integer
            from app.sessions s
            where s.scheduled_for >= v_lo and s.scheduled_for < v_hi and s.mechanic_id is not null
              and (p_mechanics is null or s.mechanic_id = any(p_mechanics))
              and s.status in ('completed', 'no_show', 'cancelled')
            group by 1, 2, 3;
    end loop;
end
$$;
comment on function app.analytics_compute_plan_days(text, date[], bigint[]) is
    'The no-show facts of the analytics (SPEC §15), computed from the rows: for each local day of p_days in zone '
    'p_zone, mechanic (p_mechanics, or all) and plan, the sessions due that day that were completed, missed '
    '(no_show) or cancelled. refresh_analytics stores them in analytics_plan_days.';
