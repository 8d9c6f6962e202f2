create or replace function app.admin_no_shows_by_customer(p_actor bigint, p_from date, p_to date, p_zone text)
returns table (customer_id bigint, customer_name text, email text, due bigint, no_shows bigint, no_show_rate numeric)
language plpgsql stable security definer
set search_path = app, pg_temp
set plan_cache_mode = force_custom_plan  -- a plan for each range
as $$
#variable_conflict use_column
declare
    r record;
begin
    perform app.require_role(p_actor, 'admin');
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, null, null);
    return query
        with missed as (
            -- the few no-shows first (sessions_no_show_idx), then only the customers who can make the first 100
            select s.customer_id, count(*) as no_shows
            from app.sessions s
            where s.kind = 'scheduled' and s.status = 'no_show' and s.scheduled_for >= r.lo and s.scheduled_for < r.hi
            group by 1
        ), candidates as (
            select m.* from missed m
            where m.no_shows >= (select coalesce(min(t.no_shows), 0)
                                 from (select x.no_shows from missed x order by x.no_shows desc limit 100) t)
        )
        select c.customer_id, u.name, u.email, d.due, c.no_shows, round(c.no_shows::numeric / d.due, 4)
        from candidates c
        join app.users u on u.id = c.customer_id
        cross join lateral (
            select count(*) as due from app.sessions s
            where s.customer_id = c.customer_id and s.kind = 'scheduled' and s.status in ('completed', 'no_show')
              and s.scheduled_for >= r.lo and s.scheduled_for < r.hi
        ) d
        order by 5 desc, 6 desc, 2
        limit 100;
end
$$;
comment on function app.admin_no_shows_by_customer(bigint, date, date, text) is
    'Customers who missed scheduled sessions booked for the local dates p_from..p_to of p_zone: their sessions '
    'due (completed or no-show; cancellations are not counted), no-shows and rate, most no-shows first (at most '
    '100). Raises UP001 and analytics_request''s range checks.';
grant execute on function app.admin_no_shows_by_customer(bigint, date, date, text) to autodoctor_app;
