create or replace function app.claim_slot(
    p_actor bigint,
    p_mechanic bigint,
    p_start timestamptz,
    p_plan text,
    p_service_type text,
    p_status text
) returns app.slot_reservations
language plpgsql volatile
as $$
declare
    v_duration interval := app.plan_duration(p_plan);
    v_now timestamptz;
    v_reason text;
    v_workshop bigint;
    v_claim app.slot_reservations;
begin
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    select m.workshop_id into v_workshop
    from app.mechanics m join app.users u on u.id = m.id
    where m.id = p_mechanic and u.deactivated_at is null;
    if not found then
        raise exception using errcode = 'UN002', message = format('no mechanic %s', p_mechanic);
    end if;
    -- claims on one mechanic (and, in person, on one workshop's capacity) take turns: lock order is always
    -- mechanic (class 1) then workshop (class 2), after a customer's payment (3) when completing one claims, so
    -- waiting never turns into a deadlock (take_turn lists the classes)
    perform app.take_turn(1, p_mechanic);
    if p_service_type = 'in_person' and v_workshop is not null then
        perform app.take_turn(2, v_workshop);
    end if;
    v_now := app.app_now();
    -- a stale hold never blocks anyone, even before the cleanup job has run; but one whose payment has no outcome
    -- yet is kept until it has
    update app.slot_reservations r set status = 'expired', released_at = v_now
    where r.status = 'reserved' and r.expires_at <= v_now and (r.mechanic_id = p_mechanic or r.customer_id = p_actor)
      and not app.hold_payment_in_doubt(r.id);

    select e.reason into v_reason
    from app.evaluate_slots(p_mechanic, array[p_start], v_duration, p_service_type, p_actor) e;
    if v_reason in ('booked', 'workshop_full') then
        raise exception using errcode = 'UC001', detail = v_reason,
            message = format('mechanic %s is no longer free at %s', p_mechanic, p_start);
    elsif v_reason = 'customer_busy' then
        raise exception using errcode = 'UC002', detail = v_reason,
            message = format('customer %s already has a claim at %s', p_actor, p_start);
    elsif v_reason is not null then
        raise exception using errcode = 'UR002', detail = v_reason,
            hint = app.availability_reason_message(v_reason, p_mechanic, p_start),
            message = format('mechanic %s is not available at %s: %s', p_mechanic, p_start, v_reason);
    end if;

    insert into app.slot_reservations as r (mechanic_id, customer_id, workshop_id, service_type, plan_code, starts_at,
                                            ends_at, buffer_minutes, status, expires_at, confirmed_at)
    select p_mechanic, p_actor, case when p_service_type = 'in_person' then v_workshop end, p_service_type, p_plan,
           p_start, p_start + v_duration, s.buffer_minutes, p_status,
           case when p_status = 'reserved' then v_now + interval '15 minutes' end,
           case when p_status = 'confirmed' then v_now end
    from app.mechanic_settings s where s.mechanic_id = p_mechanic
    returning * into v_claim;
    return v_claim;
end
$$;
comment on function app.claim_slot(bigint, bigint, timestamptz, text, text, text) is
    'Claims [start, start + plan) of the mechanic for the customer, as a 15-minute hold (reserved) or at once '
    '(confirmed, when a booking moves), after expiring stale holds; claims on one mechanic are serialized. '
    'Raises UV001/UV003 (service type, plan), UN002 (no such mechanic, or deactivated), UC001 (taken: booked or '
    'workshop full), UC002 (the customer is busy then), UR002 (not available for another reason, in DETAIL; its sentence, '
    'availability_reason_message, in HINT).';
