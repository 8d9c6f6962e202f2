create or replace function app.notify_waitlist_customers(p_mechanic bigint) returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    -- how many waiting customers one mechanic coming online wakes: `alter database ... set autodoctor.waitlist_batch = 5`
    v_batch integer := coalesce(nullif(current_setting('autodoctor.waitlist_batch', true), '')::integer, 3);
    v_entry app.customer_waitlist;
    v_count integer := 0;
begin
    for v_entry in
        update app.customer_waitlist w set status = 'notified', notified_at = app.app_now(), notified_for = p_mechanic
        where w.id in (select o.id from app.customer_waitlist o
                       where o.status = 'pending' and o.expires_at > app.app_now()
                       order by o.created_at, o.id
                       limit v_batch
                       for update skip locked)
        returning w.*
    loop
        perform app.notify(v_entry.customer_id, 'waitlist_mechanic_online',
                           jsonb_build_object('entry_id', v_entry.id, 'mechanic_id', p_mechanic, 'plan', v_entry.plan_code),
                           null, format('waitlist-online-%s', v_entry.id), '{email,in_app}');
        perform pg_notify('waitlist', jsonb_build_object('customer_id', v_entry.customer_id, 'entry_id', v_entry.id)::text);
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;
comment on function app.notify_waitlist_customers(bigint) is
    'A mechanic came online (SPEC §10): the oldest pending waitlist entries, at most autodoctor.waitlist_batch '
    '(default 3) per mechanic, become notified, with an email and an in-app notice to book now, and a '
    'pg_notify on channel waitlist. Concurrent calls never take the same entry. Returns how many.';
