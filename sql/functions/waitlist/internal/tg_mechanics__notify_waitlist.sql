create or replace function app.tg_mechanics__notify_waitlist() returns trigger
language plpgsql
as $$
begin
    perform app.notify_waitlist_customers(new.id);
    return null;
end
$$;
comment on function app.tg_mechanics__notify_waitlist() is
    'A mechanic going online (currently_on_shift false → true) wakes the oldest waiting customers.';

create or replace trigger tg_mechanics__notify_waitlist
    after update of currently_on_shift on app.mechanics
    for each row when (new.currently_on_shift and not old.currently_on_shift)
    execute function app.tg_mechanics__notify_waitlist();
