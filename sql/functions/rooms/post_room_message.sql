create or replace function app.post_room_message(
    p_actor bigint, p_session bigint, p_kind text, p_body text default null, p_signal jsonb default null,
    p_photo bytea default null)
returns table (seq integer, created_at timestamptz)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_session app.sessions;
    v_body text := nullif(btrim(p_body), '');
    v_type text;
    v_seq integer;
begin
    perform app.require_actor(p_actor);
    -- the session's row lock orders this session's writers (seq follows commit order) and keeps the status
    -- from changing under the message: one that lands while the session ends comes before the end
    perform 1 from app.sessions s where s.id = p_session for no key update;
    v_session := app.room_party(p_session, p_actor);
    if p_kind = 'text' then
        if v_body is null or length(v_body) > 2000 then
            raise exception using errcode = 'UV070', column = 'body', message = 'a message has 1 to 2000 characters';
        end if;
    elsif p_kind = 'photo' then
        v_type := app.media_type(p_photo);
        if v_type is null or v_type not like 'image/%' then
            raise exception using errcode = 'UV071', column = 'photo', message = 'only photos (JPEG, PNG, GIF, WebP)';
        end if;
        if octet_length(p_photo) > 10 * 1024 * 1024 then
            raise exception using errcode = 'UV071', column = 'photo', message = 'a photo is at most 10 MB';
        end if;
        if v_body is not null and length(v_body) > 2000 then
            raise exception using errcode = 'UV070', column = 'body', message = 'a caption has at most 2000 characters';
        end if;
    elsif p_kind = 'signal' then
        if jsonb_typeof(p_signal) is distinct from 'object'
           or p_signal->>'type' is null or p_signal->>'type' not in ('hello', 'welcome', 'offer', 'answer', 'candidate', 'bye')
           or octet_length(p_signal::text) > 32 * 1024 then
            raise exception using errcode = 'UV072', message = 'a signal is an object with a known type, at most 32 kB';
        end if;
        v_body := null;
    else
        raise exception using errcode = 'UV072', message = format('unknown message kind %L', p_kind);
    end if;
    if not app.room_is_open(v_session) then
        raise exception using errcode = 'UR070', message = format('the room of session %s is not open', p_session);
    end if;
    select coalesce(max(m.seq), 0) + 1 into v_seq from app.session_messages m where m.session_id = p_session;
    return query
        insert into app.session_messages (session_id, seq, sender_id, kind, body, signal, photo, photo_type, created_at)
        values (p_session, v_seq, p_actor, p_kind, v_body, case when p_kind = 'signal' then p_signal end,
                case when p_kind = 'photo' then p_photo end, v_type, app.app_now())
        returning seq, created_at;
end
$$;
comment on function app.post_room_message(bigint, bigint, text, text, jsonb, bytea) is
    'Writes to a session''s room as its customer or current mechanic, while it is open (pending with a '
    'mechanic, or live): a text (1 to 2000 characters), a photo (JPEG, PNG, GIF or WebP by content, at most '
    '10 MB, an optional caption) or a WebRTC signal (hello, welcome, offer, answer, candidate, bye; at most '
    '32 kB). Returns the message''s seq, which follows commit order within the session. Raises UN001 (not '
    'in this room), UR070 (closed), UV070 (text), UV071 (photo), UV072 (signal).';
grant execute on function app.post_room_message(bigint, bigint, text, text, jsonb, bytea) to autodoctor_app;
