create or replace function app.room_is_open(p_session app.sessions) returns boolean
language sql immutable
as $$
    select p_session.status in ('pending', 'live') and p_session.mechanic_id is not null
$$;
comment on function app.room_is_open(app.sessions) is
    'Whether a session''s room takes messages: from the lobby (pending, with a mechanic) until it ends. '
    'Before, nobody is there; after, the transcript is read-only.';
