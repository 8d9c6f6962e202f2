create or replace function app.room_messages(
    p_actor bigint, p_session bigint, p_after integer default 0, p_signals boolean default false,
    p_limit integer default 500)
returns table (
    seq integer, kind text, side text, sender_name text, body text, signal jsonb, photo_type text,
    created_at timestamptz
)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
declare
    v_session app.sessions := app.room_party(p_session, p_actor);
begin
    perform app.require_actor(p_actor);
    return query
        select m.seq, m.kind, case when m.sender_id = v_session.customer_id then 'customer' else 'mechanic' end,
               u.name, m.body, m.signal, m.photo_type, m.created_at
        from app.session_messages m
        join app.users u on u.id = m.sender_id
        where m.session_id = p_session and m.seq > p_after
          and (m.kind <> 'signal' or (p_signals and m.sender_id <> p_actor))
        order by m.seq
        limit least(greatest(p_limit, 1), 500);
end
$$;
comment on function app.room_messages(bigint, bigint, integer, boolean, integer) is
    'The room''s messages after seq p_after, in order, for one of its two parties (at any status: the '
    'transcript stays with the session): texts and photos of both sides, and with p_signals the other side''s '
    'WebRTC signals. At most 500 rows a call. Raises UN001 for anyone else.';
grant execute on function app.room_messages(bigint, bigint, integer, boolean, integer) to autodoctor_app;
