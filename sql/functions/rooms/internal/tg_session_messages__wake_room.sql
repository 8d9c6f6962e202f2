create or replace function app.tg_session_messages__wake_room() returns trigger
language plpgsql
as $$
begin
    perform pg_notify('session_room', new.session_id::text);
    return null;
end
$$;
comment on function app.tg_session_messages__wake_room() is
    'Wakes the room''s listeners (rooms.py) when the transaction that wrote a message commits.';

create or replace trigger tg_session_messages__wake_room
    after insert on app.session_messages
    for each row execute function app.tg_session_messages__wake_room();
