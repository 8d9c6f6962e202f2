create or replace function app.mark_room_read(p_actor bigint, p_session bigint, p_seq integer)
returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_seq integer;
begin
    perform app.require_actor(p_actor);
    perform app.room_party(p_session, p_actor);
    select least(greatest(p_seq, 0), coalesce(max(m.seq), 0)) into v_seq
    from app.session_messages m where m.session_id = p_session;
    insert into app.session_room_reads as r (session_id, user_id, last_read_seq)
    values (p_session, p_actor, v_seq)
    on conflict (session_id, user_id) do update set last_read_seq = greatest(r.last_read_seq, excluded.last_read_seq)
    returning r.last_read_seq into v_seq;
    return v_seq;
end
$$;
comment on function app.mark_room_read(bigint, bigint, integer) is
    'Records that a party has read the room up to seq p_seq (never backwards, never past the last message). '
    'Returns the seq kept. Raises UN001 for anyone else.';
grant execute on function app.mark_room_read(bigint, bigint, integer) to autodoctor_app;
