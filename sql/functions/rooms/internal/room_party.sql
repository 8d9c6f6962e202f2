create or replace function app.room_party(p_session bigint, p_actor bigint) returns app.sessions
language plpgsql stable
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
begin
    perform app.require_actor(p_actor);
    select * into v_session from app.sessions s
    where s.id = p_session and s.service_type = 'online' and p_actor in (s.customer_id, s.mechanic_id);
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s has no room for user %s', p_session, p_actor);
    end if;
    return v_session;
end
$$;
comment on function app.room_party(bigint, bigint) is
    'The online session whose room the user may enter: only its customer and its current mechanic (a mechanic '
    'it was handed over from is out). Raises UN001 for anyone else, the same as for a missing id.';
