create or replace function app.complete_session(p_actor bigint, p_session bigint, p_summary text default null)
returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'mechanic');
    perform app.set_actor(p_actor, 'completed by the mechanic');
    -- a browser counts a line break as one character and sends it as two (CR LF): stored as one, the summary its
    -- maxlength allowed fits sessions_summary_length
    update app.sessions set status = 'completed', summary = nullif(btrim(replace(p_summary, E'\r\n', E'\n')), '')
    where id = p_session and mechanic_id = p_actor;
    if not found then
        raise exception using errcode = 'UN001', message = format('session %s is not assigned to mechanic %s', p_session, p_actor);
    end if;
    perform app.settle_completed_session(p_session);
end
$$;
comment on function app.complete_session(bigint, bigint, text) is
    'The assigned mechanic ends a live session (live → completed; other moves are refused with UR001), with an '
    'optional summary for the customer (kept on the session; an in-person visit booked after it starts from '
    'it). Its money is shared at once (settle_completed_session). Raises UN001 when it is not theirs.';
grant execute on function app.complete_session(bigint, bigint, text) to autodoctor_app;
