create or replace function app.tg_sessions__log_event() returns trigger
language plpgsql
as $$
declare
    v_moved boolean := tg_op = 'UPDATE' and new.scheduled_for is distinct from old.scheduled_for;
    v_handed boolean := tg_op = 'UPDATE' and old.mechanic_id is not null and new.mechanic_id is distinct from old.mechanic_id;
begin
    if tg_op = 'UPDATE' and new.status = old.status and not v_moved and not v_handed then
        return null;
    end if;
    insert into app.session_events (session_id, actor_id, from_status, to_status, reason, at)
    values (new.id, nullif(current_setting('autodoctor.actor_id', true), '')::bigint,
            case when tg_op = 'UPDATE' then old.status end, new.status,
            nullif(concat_ws('; ',
                             nullif(current_setting('autodoctor.reason', true), ''),
                             case when v_moved then format('rescheduled from %s to %s', old.scheduled_for, new.scheduled_for) end,
                             case when v_handed then format('mechanic %s instead of %s', new.mechanic_id, old.mechanic_id) end),
                   ''),
            app.app_now());
    return null;
end
$$;
comment on function app.tg_sessions__log_event() is
    'Writes into session_events every status a session takes, every move of its time and every change of its '
    'mechanic (a reschedule, a re-match, the workshop''s choice, an accepted counter-offer), with the actor and '
    'reason set by set_actor.';

create or replace trigger tg_sessions__log_event
    after insert or update of status, scheduled_for, mechanic_id on app.sessions
    for each row execute function app.tg_sessions__log_event();
