create or replace function app.analytics_utilization(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (
    level text, mechanic_id bigint, mechanic_name text, workshop_id bigint, workshop_name text,
    available_minutes numeric, booked_minutes numeric, bookings integer, utilization numeric
)
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
        with minutes as (
            select m.id, u.name, m.workshop_id, w.name as workshop_name,
                   coalesce(sum(f.available_minutes), 0) as available, coalesce(sum(f.booked_minutes), 0) as booked,
                   coalesce(sum(f.bookings), 0)::integer as bookings
            from unnest(q.mechanics) ids(id)
            join app.mechanics m on m.id = ids.id
            join app.users u on u.id = m.id
            left join app.workshops w on w.id = m.workshop_id
            left join app.analytics_read_days(p_zone, p_from, p_to, q.mechanics, false, '{minutes}') f on f.mechanic_id = m.id
            group by m.id, u.name, m.workshop_id, w.name
        ), answer as (
            select 'mechanic' as level, 0 as rank, x.id, x.name, x.workshop_id, x.workshop_name,
                   x.available, x.booked, x.bookings
            from minutes x
            union all
            select 'total', 1, null, null, null, null,
                   coalesce(sum(x.available), 0), coalesce(sum(x.booked), 0), coalesce(sum(x.bookings), 0)::integer
            from minutes x
        )
        select a.level, a.id, a.name, a.workshop_id, a.workshop_name, round(a.available, 2), round(a.booked, 2),
               a.bookings, case when a.available > 0 then round(a.booked / a.available, 4) end
        from answer a
        order by a.rank, a.name, a.id;
end
$$;
comment on function app.analytics_utilization(bigint, date, date, text, bigint, bigint) is
    'Utilization (SPEC §15) over the local dates p_from..p_to of zone p_zone: per mechanic in the viewer''s view '
    '(analytics_request), then one total row (level total, no mechanic): available minutes (the bookable time '
    'of app.schedule_window, as customers book against it: own blocks, workshop hours or their intersection, '
    'less breaks, closed days and approved time off, wall-clock times fixed across DST; a day already summed as '
    'its schedule was then), booked minutes (the confirmed claims, slot_reservations, within that time), the '
    'number of confirmed claims starting in the range, '
    'and booked ÷ available (null when nothing was available). Raises UP001, UV004, UV090, UV006, UN001.';
grant execute on function app.analytics_utilization(bigint, date, date, text, bigint, bigint) to autodoctor_app;
