create or replace function app.tg_sessions__release_slot() returns trigger
language plpgsql
as $$
begin
    update app.slot_reservations
    set status = 'cancelled', released_at = app.app_now()
    where id = new.reservation_id and status in ('reserved', 'confirmed');
    return null;
end
$$;
comment on function app.tg_sessions__release_slot() is
    'A session cancelled or expired gives its time back: its claim becomes cancelled.';

create or replace trigger tg_sessions__release_slot
    after update of status on app.sessions
    for each row when (new.status in ('cancelled', 'expired') and new.status <> old.status)
    execute function app.tg_sessions__release_slot();
