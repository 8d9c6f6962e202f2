create or replace function app.tg_sessions__log_event() returns trigger
language plpgsql
as $$
begin
    if tg_op = 'UPDATE' and new.status = old.status then
        return null;
    end if;
    insert into app.session_events (session_id, actor_id, from_status, to_status, reason, at)
    values (new.id, nullif(current_setting('autodoctor.actor_id', true), '')::bigint,
            case when tg_op = 'UPDATE' then old.status end, new.status,
            nullif(current_setting('autodoctor.reason', true), ''), app.app_now());
    return null;
end
$$;
comment on function app.tg_sessions__log_event() is
    'Writes every status a session takes into session_events, with the actor and reason set by set_actor.';

create or replace trigger tg_sessions__log_event
    after insert or update of status on app.sessions
    for each row execute function app.tg_sessions__log_event();
