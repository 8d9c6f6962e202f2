create or replace function app.start_session(p_actor bigint, p_session bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    perform app.set_actor(p_actor, 'started by the mechanic');
    update app.sessions set status = 'live' where id = p_session and mechanic_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not assigned to mechanic %s', p_session, p_actor);
    end if;
end
$$;
comment on function app.start_session(bigint, bigint) is
    'The assigned mechanic starts a session (pending → live; other moves are refused with UR001). Raises '
    'UN001 when it is not theirs.';
grant execute on function app.start_session(bigint, bigint) to autodoctor_app;
