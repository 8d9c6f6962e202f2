create or replace function app.tg_slot_reservations__blocked_until() returns trigger
language plpgsql
as $$
begin
    new.blocked_until := new.ends_at + make_interval(mins => new.buffer_minutes);
    return new;
end
$$;
comment on function app.tg_slot_reservations__blocked_until() is
    'Keeps slot_reservations.blocked_until = ends_at + buffer_minutes, the end of the range the exclusion '
    'constraint slot_reservations_no_overlap compares.';

create or replace trigger tg_slot_reservations__blocked_until
    before insert or update of ends_at, buffer_minutes on app.slot_reservations
    for each row execute function app.tg_slot_reservations__blocked_until();
