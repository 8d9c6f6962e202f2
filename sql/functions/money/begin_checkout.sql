create or replace function app.begin_checkout(
    p_actor bigint,
    p_kind text,
    p_plan text,
    p_payment_method text default null,
    p_hold_id bigint default null,
    p_vehicle_id bigint default null,
    p_advice_only boolean default false,
    p_request_type text default 'general',
    p_concern_category text default null,
    p_concern text default null,
    p_is_urgent boolean default false,
    p_intake jsonb default '{}'
) returns setof app.payments
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_hold app.slot_reservations;
    v_service text := 'online';
    v_kind text := 'full';
    v_due integer;
    v_credit integer;
    v_id bigint;
    v_key text;
    v_existing app.payments;
begin
    perform app.require_actor(p_actor);
    if p_kind = 'scheduled' then
        if p_hold_id is null then
            raise exception using errcode = 'UV011', column = 'hold_id', message = 'a scheduled session needs a held time';
        end if;
        select * into v_hold from app.slot_reservations h where h.id = p_hold_id and h.customer_id = p_actor;
        if not found then
            raise exception using errcode = 'UN001', message = format('no hold %s of customer %s', p_hold_id, p_actor);
        end if;
        v_service := v_hold.service_type;
    elsif p_hold_id is not null then
        raise exception using errcode = 'UV001', column = 'hold_id', message = 'an immediate session has no held time';
    elsif not app.waiver_on_file(p_actor, app.app_now()) then
        -- SPEC §12: an immediate session is signed for before it is paid for
        raise exception using errcode = 'UR010', column = 'signature', message = 'sign the waiver before paying';
    end if;
    perform app.check_booking_input(p_actor, p_kind, p_plan, v_service, p_vehicle_id, p_advice_only, p_request_type,
                                    p_concern, p_is_urgent, v_hold.mechanic_id);
    -- one checkout at a time per customer: credit is spent once, a double submit finds the first attempt
    perform app.take_turn(3, p_actor);

    if p_kind = 'scheduled' then
        select * into v_existing from app.payments p
        where p.reservation_id = p_hold_id and p.status in ('pending', 'processing', 'succeeded');
        if found then
            return next v_existing;
            return;
        end if;
        if v_hold.status <> 'reserved' or v_hold.expires_at <= app.app_now() then
            raise exception using errcode = 'UR003', message = format('hold %s has expired', p_hold_id);
        end if;
        if v_hold.plan_code <> p_plan then
            raise exception using errcode = 'UV001', column = 'plan', message = 'the plan differs from the held slot''s';
        end if;
    else
        select * into v_existing from app.payments p
        where p.customer_id = p_actor and p.session_kind = 'immediate' and p.status in ('pending', 'processing');
        if found then
            return next v_existing;
            return;
        end if;
        if exists (select 1 from app.sessions s where s.customer_id = p_actor and s.kind = 'immediate'
                   and s.status in ('pending', 'live')) then
            raise exception using errcode = 'UC004', message = format('customer %s already has an active immediate session', p_actor);
        end if;
    end if;

    -- the price the customer was shown (checkout_quote): the plan online, the deposit in person; credit first
    select q.due_now_cents, q.credit_cents into v_due, v_credit from app.checkout_quote(p_actor, p_plan, v_service) q;
    if v_service = 'in_person' then
        v_kind := 'deposit';
    end if;
    if v_due > v_credit and nullif(btrim(coalesce(p_payment_method, '')), '') is null then
        raise exception using errcode = 'UV012', column = 'card', message = 'a card is needed for what credit does not cover';
    end if;

    v_id := nextval(pg_get_serial_sequence('app.payments', 'id'));
    -- derived from the hold (and the attempt) or from the payment itself: a retried call can never charge twice
    v_key := case when p_kind = 'scheduled'
        then format('hold-%s-%s-%s', p_hold_id, v_kind,
                    1 + (select count(*) from app.payments p where p.reservation_id = p_hold_id))
        else format('checkout-%s', v_id) end;
    insert into app.payments (id, customer_id, reservation_id, kind, session_kind, plan_code, amount_cents, credit_cents,
                              payment_method, idempotency_key, booking, policy_version, created_at)
    overriding system value
    values (v_id, p_actor, p_hold_id, v_kind, p_kind, p_plan, v_due - v_credit, v_credit,
            case when v_due > v_credit then btrim(p_payment_method) end, v_key,
            jsonb_build_object('service_type', v_service, 'vehicle_id', p_vehicle_id, 'advice_only', coalesce(p_advice_only, false),
                               'request_type', p_request_type, 'concern_category', p_concern_category,
                               'concern', p_concern, 'is_urgent', coalesce(p_is_urgent, false), 'intake', coalesce(p_intake, '{}')),
            app.current_policy(), app.app_now());
    return query select * from app.spend_credit(v_id);
end
$$;
comment on function app.begin_checkout(bigint, text, text, text, bigint, bigint, boolean, text, text, text, boolean, jsonb) is
    'Starts paying for a booking (SPEC §9): checks the booking as create_session will, prices it (the plan, '
    'or the deposit in person), spends account credit first and leaves the rest for the card, under an '
    'idempotency key derived from the hold (or the payment). Credit covering everything completes the booking '
    'at once. A second call for the same hold (or open immediate checkout) returns the first attempt. Raises '
    'the booking''s errors, UN001 (hold not theirs), UR003 (hold expired), UC004 (an active immediate '
    'session), UR010 (immediate without a signed waiver), UV011/UV012 (no hold, no card).';
grant execute on function app.begin_checkout(bigint, text, text, text, bigint, bigint, boolean, text, text, text, boolean, jsonb) to autodoctor_app;
