create or replace function app.expire_waitlist_entries() returns integer
language sql volatile security definer
set search_path = app, pg_temp
as $$
    with expired as (
        update app.customer_waitlist set status = 'expired'
        where status = 'pending' and expires_at <= app.app_now()
        returning 1
    )
    select count(*)::integer from expired
$$;
comment on function app.expire_waitlist_entries() is
    'Waitlist entries pending for 2 hours become expired (SPEC §10). Idempotent; returns how many.';
