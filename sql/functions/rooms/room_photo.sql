create or replace function app.room_photo(p_actor bigint, p_session bigint, p_seq integer)
returns table (photo_type text, photo bytea)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_actor(p_actor);
    perform app.room_party(p_session, p_actor);
    return query select m.photo_type, m.photo from app.session_messages m
                 where m.session_id = p_session and m.seq = p_seq and m.kind = 'photo';
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s has no photo %s', p_session, p_seq);
    end if;
end
$$;
comment on function app.room_photo(bigint, bigint, integer) is
    'A photo sent in a session''s room, only for its two parties. Raises UN001 for anyone else or a missing one.';
grant execute on function app.room_photo(bigint, bigint, integer) to autodoctor_app;
