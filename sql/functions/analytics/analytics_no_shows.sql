create or replace function app.analytics_no_shows(
    p_actor bigint,
    p_from date,
    p_to date,
    p_zone text,
    p_mechanic bigint default null,
    p_workshop bigint default null
) returns table (
    level text, mechanic_id bigint, mechanic_name text, plan_code text, plan_name text,
    due integer, completed integer, no_shows integer, cancelled integer, no_show_rate numeric
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
        with booked as (
            -- scheduled sessions (only they can be no-shows) whose start lies in the range, per mechanic and plan
            select f.mechanic_id, f.plan_code, sum(f.completed) as completed, sum(f.no_shows) as no_shows,
                   sum(f.cancelled) as cancelled
            from app.analytics_read_plan_days(p_zone, p_from, p_to, q.mechanics) f
            group by f.mechanic_id, f.plan_code
        ), counted as (
            select 'mechanic' as level, 0 as rank, m.id as mechanic_id, u.name as mechanic_name,
                   null::text as plan_code, null::text as plan_name, u.name as sort_name,
                   coalesce(sum(b.completed), 0) as completed, coalesce(sum(b.no_shows), 0) as no_shows,
                   coalesce(sum(b.cancelled), 0) as cancelled
            from unnest(q.mechanics) ids(id)
            join app.mechanics m on m.id = ids.id
            join app.users u on u.id = m.id
            left join booked b on b.mechanic_id = m.id
            group by m.id, u.name
            union all
            select 'plan', 1, null, null, pl.code, pl.name, lpad(pl.sort_order::text, 6, '0'),
                   coalesce(sum(b.completed), 0), coalesce(sum(b.no_shows), 0), coalesce(sum(b.cancelled), 0)
            from app.plans pl
            left join booked b on b.plan_code = pl.code
            group by pl.code, pl.name, pl.sort_order
            union all
            select 'total', 2, null, null, null, null, null,
                   coalesce(sum(b.completed), 0), coalesce(sum(b.no_shows), 0), coalesce(sum(b.cancelled), 0)
            from booked b
        )
        select c.level, c.mechanic_id, c.mechanic_name, c.plan_code, c.plan_name,
               (c.completed + c.no_shows)::integer, c.completed::integer, c.no_shows::integer, c.cancelled::integer,
               case when c.completed + c.no_shows > 0 then round(c.no_shows::numeric / (c.completed + c.no_shows), 4) end
        from counted c
        order by c.rank, c.sort_name, c.mechanic_id, c.plan_code;
end
$$;
comment on function app.analytics_no_shows(bigint, date, date, text, bigint, bigint) is
    'No-show rate (SPEC §15) of the scheduled sessions whose start falls on the local dates p_from..p_to of zone '
    'p_zone, for the mechanics in the viewer''s view (analytics_request): one row per mechanic (level mechanic), '
    'per plan (level plan, every plan) and in total (level total). due = completed + no_shows (the sessions that '
    'were due to happen); no_show_rate = no_shows ÷ due (null when none were due); cancelled sessions are '
    'counted apart and never in the rate; sessions still to come, expired requests and immediate sessions '
    '(they cannot be no-shows) are left out. Raises UP001, UV004, UV090, UV006, UN001.';
grant execute on function app.analytics_no_shows(bigint, date, date, text, bigint, bigint) to autodoctor_app;
