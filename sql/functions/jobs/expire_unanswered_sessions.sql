create or replace function app.expire_unanswered_sessions() returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_count integer := 0;
begin
    perform app.set_actor(null, 'nobody accepted in time');
    for v_session in
        update app.sessions s set status = 'expired'
        where ((s.kind = 'immediate' and s.status = 'pending' and s.mechanic_id is null) or s.status = 'requested')
          and app.answer_deadline(s) <= app.app_now()
        returning s.*
    loop
        perform app.apply_policy_outcome(v_session, 'customer');  -- not accepted: everything back
        perform app.notify(v_session.customer_id, 'session_expired',
                           jsonb_build_object('session_id', v_session.id, 'kind', v_session.kind), v_session.id,
                           format('expired-%s', v_session.id));
        v_count := v_count + 1;
    end loop;
    return v_count;
end
$$;
comment on function app.expire_unanswered_sessions() is
    'The every-minute job for sessions nobody took (SPEC §7, §9, §4): an immediate session still pending '
    '10 minutes after it was paid, and a booking request its mechanic has not answered 2 h before the start, '
    'become expired and are refunded in full, once; the customer is told. Safe to run late, twice or '
    'concurrently (the guarded update takes each session once). Returns how many expired.';
