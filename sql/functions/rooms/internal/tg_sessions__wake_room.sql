create or replace function app.tg_sessions__wake_room() returns trigger
language plpgsql
as $$
begin
    perform pg_notify('session_room', new.id::text);
    return null;
end
$$;
comment on function app.tg_sessions__wake_room() is
    'A change of an online session''s status or mechanic reaches the people in its room at once: the lobby '
    'becomes live, a finished session closes the chat.';

create or replace trigger tg_sessions__wake_room
    after update of status, mechanic_id on app.sessions
    for each row when (new.service_type = 'online'
                       and (new.status is distinct from old.status or new.mechanic_id is distinct from old.mechanic_id))
    execute function app.tg_sessions__wake_room();
