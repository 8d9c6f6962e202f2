create or replace function app.admin_no_shows_by_customer(p_actor bigint, p_from date, p_to date, p_zone text)
returns table (customer_id bigint, customer_name text, email text, due bigint, no_shows bigint, no_show_rate numeric)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    r record;
begin
    perform app.require_role(p_actor, 'admin');
    select * into r from app.analytics_request(p_actor, p_from, p_to, p_zone, null, null);
    return query
        select s.customer_id, u.name, u.email, count(*), count(*) filter (where s.status = 'no_show'),
               round(count(*) filter (where s.status = 'no_show')::numeric / count(*), 4)
        from app.sessions s join app.users u on u.id = s.customer_id
        where s.kind = 'scheduled' and s.status in ('completed', 'no_show')
          and s.scheduled_for >= r.lo and s.scheduled_for < r.hi
        group by 1, 2, 3
        having count(*) filter (where s.status = 'no_show') > 0
        order by 5 desc, 6 desc, 2
        limit 100;
end
$$;
comment on function app.admin_no_shows_by_customer(bigint, date, date, text) is
    'Customers who missed scheduled sessions booked for the local dates p_from..p_to of p_zone: their sessions '
    'due (completed or no-show; cancellations are not counted), no-shows and rate, most no-shows first (at most '
    '100). Raises UP001 and analytics_request''s range checks.';
grant execute on function app.admin_no_shows_by_customer(bigint, date, date, text) to autodoctor_app;
