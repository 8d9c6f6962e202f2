create or replace function app.release_expired_reservations() returns integer
language sql volatile security definer
set search_path = app, pg_temp
as $$
    with expired as (
        update app.slot_reservations set status = 'expired', released_at = app.app_now()
        where status = 'reserved' and expires_at <= app.app_now() and not app.hold_payment_in_doubt(id)
        returning 1
    )
    select count(*)::integer from expired
$$;
comment on function app.release_expired_reservations() is
    'Marks every hold past its 15 minutes expired, but for one whose payment has no outcome yet (hold_payment_in_doubt); returns how many. Idempotent; for the every-minute job.';
