create or replace function app.waitlist_entry(p_actor bigint)
returns table (entry_id bigint, status text, created_at timestamptz, expires_at timestamptz, notified_at timestamptz,
               place_in_line integer)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_now timestamptz := app.app_now();
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select w.id, case when w.status = 'pending' and w.expires_at <= v_now then 'expired' else w.status end,
               w.created_at, w.expires_at, w.notified_at,
               case when w.status = 'pending' and w.expires_at > v_now then
                   (select count(*) from app.customer_waitlist o
                    where o.status = 'pending' and o.expires_at > v_now and (o.created_at, o.id) <= (w.created_at, w.id))::integer
               end
        from app.customer_waitlist w
        where w.customer_id = p_actor and w.status <> 'cancelled' and w.created_at > v_now - interval '1 day'
        order by w.id desc
        limit 1;
end
$$;
comment on function app.waitlist_entry(bigint) is
    'The acting customer''s latest waitlist entry of the last day (not cancelled): its status (pending, '
    'notified, expired), times, and place in line while pending. Raises UP001.';
grant execute on function app.waitlist_entry(bigint) to autodoctor_app;
