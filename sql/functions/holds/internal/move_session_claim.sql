create or replace function app.move_session_claim(p_session app.sessions, p_mechanic bigint, p_start timestamptz)
returns app.sessions
language plpgsql volatile
as $$
declare
    v_claim app.slot_reservations;
    v_session app.sessions;
begin
    -- the old claim steps aside first, so that a move by less than its length (and the customer's own time)
    -- is judged fairly; if the new claim is refused, the caller's transaction, old claim included, is undone
    update app.slot_reservations set status = 'cancelled', released_at = app.app_now() where id = p_session.reservation_id;
    v_claim := app.claim_slot(p_session.customer_id, p_mechanic, p_start, p_session.plan_code, p_session.service_type,
                              'confirmed');
    update app.sessions
    set mechanic_id = p_mechanic, scheduled_for = p_start, reservation_id = v_claim.id
    where id = p_session.id
    returning * into v_session;
    return v_session;
end
$$;
comment on function app.move_session_claim(app.sessions, bigint, timestamptz) is
    'Gives a scheduled session a new confirmed claim: another time, another mechanic, or both (a reschedule, a '
    're-match, a workshop''s reassignment or counter-offer). The invite''s sequence goes up (tg_sessions__calendar_sequence). Raises the slot '
    'errors of claim_slot (UC001 taken, UC002, UR002), leaving the old claim to the caller''s rollback.';
