create or replace function app.available_days(
    p_mechanic bigint,
    p_from date,
    p_to date,
    p_plan text,
    p_service_type text default 'online',
    p_viewer_tz text default 'UTC',
    p_customer bigint default null
) returns table (day date, free_starts integer)
language sql stable security definer
set search_path = app, pg_temp
as $$
    with free as (
        select (s.slot_start at time zone p_viewer_tz)::date as day, count(*) as n
        from app.available_slots(p_mechanic, p_from, p_to, p_plan, p_service_type, p_viewer_tz, p_customer) s
        where s.available
        group by 1
    )
    select d::date, coalesce(free.n, 0)::integer
    from generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') d
    left join free on free.day = d::date
    order by 1
$$;
comment on function app.available_days(bigint, date, date, text, text, text, bigint) is
    'Free starts per day of the viewer''s zone between two dates: the calendar''s summary (0 greys a day out). '
    'Raises as available_slots.';
grant execute on function app.available_days(bigint, date, date, text, text, text, bigint) to autodoctor_app;
