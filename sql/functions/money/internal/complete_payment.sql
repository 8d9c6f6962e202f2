create or replace function app.complete_payment(p_payment bigint) returns void
language plpgsql volatile
as $$
declare
    v_pay app.payments;
    v_hold app.slot_reservations;
    v_hold_id bigint;
    v_session bigint;
    b jsonb;
begin
    select * into v_pay from app.payments where id = p_payment for update;
    if v_pay.status = 'succeeded' then
        return;
    end if;
    update app.payments set status = 'succeeded', succeeded_at = app.app_now() where id = p_payment;
    if v_pay.status = 'failed' then
        -- the customer was told it failed (and got the credit back): the money goes back too
        perform app.give_back(p_payment, null, v_pay.amount_cents, 'booking_failed');
        return;
    end if;
    if v_pay.kind = 'balance' then
        perform app.settle_completed_session(v_pay.session_id);
        perform app.notify_payment(v_pay);
        return;
    end if;

    b := v_pay.booking;
    begin
        v_hold_id := v_pay.reservation_id;
        if v_pay.session_kind = 'scheduled' then
            select * into v_hold from app.slot_reservations where id = v_hold_id;
            if v_hold.status = 'reserved' and v_hold.expires_at <= app.app_now() then
                -- past its 15 minutes but still reserved (kept while this payment had no outcome, or not yet
                -- cleaned up): nobody else can have claimed the time, which is still the customer's
                update app.slot_reservations set expires_at = app.app_now() + interval '1 minute' where id = v_hold_id;
            elsif v_hold.status <> 'reserved' then
                -- the hold lapsed while the customer paid: take the time again if it is still free
                select r.hold_id into v_hold_id
                from app.reserve_slot(v_pay.customer_id, v_hold.mechanic_id, v_hold.starts_at, v_pay.plan_code, v_hold.service_type) r;
                update app.payments set reservation_id = v_hold_id where id = p_payment;
            end if;
        end if;
        v_session := app.create_session(
            p_actor => v_pay.customer_id, p_kind => v_pay.session_kind, p_plan => v_pay.plan_code,
            p_service_type => b->>'service_type', p_vehicle_id => (b->>'vehicle_id')::bigint,
            p_advice_only => (b->>'advice_only')::boolean, p_request_type => b->>'request_type',
            p_concern_category => b->>'concern_category', p_concern => b->>'concern',
            p_is_urgent => (b->>'is_urgent')::boolean, p_hold_id => v_hold_id, p_intake => b->'intake',
            p_policy_version => v_pay.policy_version);
    exception when sqlstate 'UV000' or sqlstate 'UN000' or sqlstate 'UC000' or sqlstate 'UR000'
                   or unique_violation or exclusion_violation then
        -- taken by someone else meanwhile, or no longer bookable (any business refusal, e.g. a plan taken off
        -- sale): the whole payment goes back, once
        perform app.give_back(p_payment, null, v_pay.amount_cents + v_pay.credit_cents, 'slot_lost');
        return;
    end;
    update app.payments set session_id = v_session where id = p_payment;
    update app.credit_entries set session_id = v_session where payment_id = p_payment and reason = 'spent';
    if v_pay.session_kind = 'immediate' then
        v_pay.session_id := v_session;
        perform app.notify_payment(v_pay);  -- a scheduled booking's confirmation says what was paid
    end if;
end
$$;
comment on function app.complete_payment(bigint) is
    'The money of a payment is in: marks it succeeded (once) and does what it paid for. A booking''s session '
    'is created with its hold (still reserved, even past its 15 minutes: kept for this payment); a hold that '
    'lapsed meanwhile is taken again if the time is still free, '
    'otherwise everything is given back (slot_lost). A balance settles its session. A payment already told '
    'as failed is given back (booking_failed). The customer gets a receipt for a Book Now payment and a balance.';
