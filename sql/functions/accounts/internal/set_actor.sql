create or replace function app.set_actor(p_actor bigint, p_reason text default null) returns void
language sql volatile
as $$
    select set_config('autodoctor.actor_id', coalesce(p_actor::text, ''), true),
           set_config('autodoctor.reason', coalesce(p_reason, ''), true);
$$;
comment on function app.set_actor(bigint, text) is
    'Names, for the rest of the transaction, who is acting and why: tg_sessions__log_event writes them into '
    'session_events. Null actor: the system (a job).';
