create or replace function app.answer_deadline(p_session app.sessions) returns timestamptz
language sql stable
as $$
    select case
        when p_session.kind = 'immediate' and p_session.status = 'pending' and p_session.mechanic_id is null
            then p_session.created_at + interval '10 minutes'
        -- a request the workshop answered with another time lives until the later of the two is near
        when p_session.status = 'requested'
            then greatest(p_session.scheduled_for,
                          (select o.proposed_start from app.visit_counter_offers o
                           where o.session_id = p_session.id and o.status = 'pending')) - interval '2 hours'
    end
$$;
comment on function app.answer_deadline(app.sessions) is
    'Until when a session waiting for a mechanic may be taken (SPEC §4, §7): an immediate one 10 minutes after '
    'it was paid, a booking request 2 h before its start (or before the workshop''s proposed time, if later); '
    'null for a session that waits for nobody. expire_unanswered_sessions expires it then; nobody accepts it after.';
