create or replace function app.available_slots(
    p_mechanic bigint,
    p_from date,
    p_to date,
    p_plan text,
    p_service_type text default 'online',
    p_viewer_tz text default 'UTC',
    p_customer bigint default null
) returns table (slot_start timestamptz, slot_end timestamptz, available boolean, reason text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    return query
        with q as (
            select * from app.check_slot_query(p_mechanic, p_from, p_to, p_plan, p_service_type, p_viewer_tz)
        ),
        w as (
            select sw.* from q, app.schedule_window(p_mechanic, q.lo, q.hi) sw
        ),
        -- every grid start of each local day (stepping in real time from local midnight, so a DST day has
        -- 46 or 50 of them and none in the spring-forward gap) that lies in the mechanic's hours
        candidates as (
            select g as start
            from q, w,
                 generate_series((q.lo at time zone w.zone)::date::timestamp, (q.hi at time zone w.zone)::date::timestamp,
                                 interval '1 day') day,
                 generate_series(day at time zone w.zone, (day + interval '1 day') at time zone w.zone - interval '1 microsecond',
                                 w.grid) g
            where g >= q.lo and g < q.hi
              and (case when w.kind = 'workshop_affiliated' then w.workshop_hours else w.own end) @> g
        )
        select e.slot_start, e.slot_end, e.reason is null, e.reason
        from q, app.evaluate_slots(p_mechanic, array(select start from candidates), q.duration, p_service_type, p_customer) e;
end
$$;
comment on function app.available_slots(bigint, date, date, text, text, text, bigint) is
    'Every candidate slot of the plan''s length between two dates of the viewer''s zone (at most 62 days): '
    'starts on the mechanic''s local grid inside their hours, each with its end, whether it is free and why '
    'not (the reasons of evaluate_slots). Raises as check_slot_query.';
grant execute on function app.available_slots(bigint, date, date, text, text, text, bigint) to autodoctor_app;
