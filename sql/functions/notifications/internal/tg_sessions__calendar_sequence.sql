create or replace function app.tg_sessions__calendar_sequence() returns trigger
language plpgsql
as $$
begin
    -- every change an invite carries gets a sequence of its own (RFC 5545 SEQUENCE), so a calendar replaces the
    -- event it holds with each message, in order: accepted (TENTATIVE → CONFIRMED), moved, another mechanic,
    -- cancelled (the CANCEL supersedes the last REQUEST)
    if (old.status = 'requested' and new.status = 'scheduled') or (new.status = 'cancelled' and old.status <> 'cancelled')
       or new.scheduled_for is distinct from old.scheduled_for
       or (old.mechanic_id is not null and new.mechanic_id is distinct from old.mechanic_id) then
        new.calendar_sequence := old.calendar_sequence + 1;
    end if;
    return new;
end
$$;
comment on function app.tg_sessions__calendar_sequence() is
    'Raises a session''s calendar sequence once per change its invite shows: accepted, moved, handed to another '
    'mechanic, cancelled (RFC 5545/5546).';

create or replace trigger tg_sessions__calendar_sequence
    before update of status, scheduled_for, mechanic_id on app.sessions
    for each row execute function app.tg_sessions__calendar_sequence();
