create or replace function app.room_updates(p_actor bigint, p_session bigint, p_after integer default 0)
returns jsonb
language sql stable security definer
set search_path = app, pg_temp
as $$
    select app.require_actor(p_actor);
    select jsonb_build_object(
        'status', r.status, 'is_open', r.is_open, 'started_at', r.started_at, 'ends_at', r.ends_at,
        'other_name', r.other_name,
        'messages', coalesce((select jsonb_agg(to_jsonb(m) order by m.seq)
                              from app.room_messages(p_actor, p_session, p_after, true) m), '[]'))
    from app.room_for(p_actor, p_session) r
$$;
comment on function app.room_updates(bigint, bigint, integer) is
    'What a party''s open room needs after seq p_after, in one call: the session''s state and clock, and the '
    'messages and the other side''s signals since (room_messages). Raises UN001 for anyone else.';
grant execute on function app.room_updates(bigint, bigint, integer) to autodoctor_app;
