create or replace function app.schedule_calendar(
    p_actor bigint,
    p_mechanic bigint,
    p_plan text,
    p_service_type text default 'online',
    p_viewer_tz text default 'UTC',
    p_make text default null,
    p_concern text default null,
    p_request_type text default 'general',
    p_days integer default 30
) returns table (day date, free_starts integer)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_first date;
begin
    perform app.require_role(p_actor, 'customer');
    if not exists (select 1 from app.time_zones z where z.name = p_viewer_tz) then
        raise exception using errcode = 'UV006', column = 'tz', message = format('unknown time zone %L', p_viewer_tz);
    end if;
    if p_days is null or p_days < 1 or p_days > 62 then
        raise exception using errcode = 'UV005', column = 'days', message = 'a calendar covers 1 to 62 days';
    end if;
    v_first := (app.app_now() at time zone p_viewer_tz)::date;
    if p_mechanic is not null then
        return query
            select d.day, d.free_starts
            from app.available_days(p_mechanic, v_first, v_first + p_days - 1, p_plan, p_service_type, p_viewer_tz, p_actor) d;
        return;
    end if;
    -- any available mechanic: a start counts once, however many mechanics are free then
    return query
        with free as (
            select (s.slot_start at time zone p_viewer_tz)::date as free_day, count(*) as n
            from app.any_mechanic_slots(p_actor, v_first, v_first + p_days - 1, p_plan, p_service_type, p_viewer_tz,
                                        p_make, p_concern, p_request_type) s
            group by 1
        )
        select d::date, coalesce(free.n, 0)::integer
        from generate_series(v_first::timestamp, (v_first + p_days - 1)::timestamp, interval '1 day') d
        left join free on free.free_day = d::date
        order by 1;
end
$$;
comment on function app.schedule_calendar(bigint, bigint, text, text, text, text, text, text, integer) is
    'The scheduling page''s calendar (SPEC §3.2): the next p_days days from today in the viewer''s zone, each '
    'with its free starts for the plan and service type (0 greys the day out): the mechanic''s '
    '(available_days), or, when p_mechanic is null, those where any mechanic who may serve the request is '
    'free (any_mechanic_slots). Raises UP001, UV005 (days), UV006 (zone), and as available_days / '
    'any_mechanic_slots.';
grant execute on function app.schedule_calendar(bigint, bigint, text, text, text, text, text, text, integer) to autodoctor_app;
