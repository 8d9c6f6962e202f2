create or replace function app.tg_session_messages__append_only() returns trigger
language plpgsql
as $$
declare
    v_session app.sessions;
begin
    if tg_op <> 'INSERT' then
        raise exception using errcode = 'UR071', message = 'session messages are kept as they were written';
    end if;
    select * into v_session from app.sessions where id = new.session_id;
    if new.sender_id is distinct from v_session.customer_id and new.sender_id is distinct from v_session.mechanic_id then
        raise exception using errcode = 'UN001',
            message = format('user %s is not in the room of session %s', new.sender_id, new.session_id);
    end if;
    if not app.room_is_open(v_session) then
        raise exception using errcode = 'UR070',
            message = format('the room of session %s is not open (%s)', new.session_id, v_session.status);
    end if;
    return new;
end
$$;
comment on function app.tg_session_messages__append_only() is
    'The guarantee behind the room: a message is written only by the session''s customer or current mechanic '
    'while the room is open (room_is_open), and never changed or deleted afterwards.';

create or replace trigger tg_session_messages__append_only
    before insert or update or delete on app.session_messages
    for each row execute function app.tg_session_messages__append_only();
create or replace trigger tg_session_messages__no_truncate
    before truncate on app.session_messages
    for each statement execute function app.tg_session_messages__append_only();
