create or replace function app.analytics_compute_hours(p_zone text, p_days date[], p_mechanics bigint[] default null)
returns table (day date, hour integer, immediate integer, scheduled integer)
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
        -- a few mechanics through sessions_mechanic_created_idx; the whole platform also counts Book Now
        -- requests nobody took
        return query
            select (s.created_at at time zone p_zone)::date, extract(hour from s.created_at at time zone p_zone)::integer,
                   count(*) filter (where s.kind = 'immediate')::integer,
                   count(*) filter (where s.kind = 'scheduled')::integer
            from app.sessions s
            where s.created_at >= v_lo and s.created_at < v_hi
              and (p_mechanics is null or s.mechanic_id = any(p_mechanics))
            group by 1, 2;
    end loop;
end
$$;
comment on function app.analytics_compute_hours(text, date[], bigint[]) is
    'The peak-hour facts of the analytics (SPEC §15), computed from the rows: for each local day of p_days in '
    'zone p_zone and hour of that day, the sessions created then (Book Now and scheduled, whatever became of '
    'them) of the mechanics p_mechanics, or of the whole platform. refresh_analytics stores the whole '
    'platform''s in analytics_hours.';
