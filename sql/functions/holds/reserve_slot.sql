create or replace function app.reserve_slot(
    p_actor bigint,
    p_mechanic bigint,
    p_start timestamptz,
    p_plan text,
    p_service_type text default 'online',
    p_replace_hold bigint default null
) returns table (hold_id bigint, mechanic_id bigint, starts_at timestamptz, ends_at timestamptz, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_hold app.slot_reservations;
    v_now timestamptz;
begin
    perform app.require_role(p_actor, 'customer');
    -- a customer's holds take turns (before the mechanic's lock in claim_slot: always customer, then mechanic), so
    -- that parallel requests cannot pass the limits below together
    perform 1 from app.customers c where c.id = p_actor for no key update;
    v_now := app.app_now();
    -- the hold this one replaces steps aside first (it may overlap the new time); a refusal below undoes that
    update app.slot_reservations set status = 'cancelled', released_at = v_now
    where id = p_replace_hold and customer_id = p_actor and status = 'reserved';
    -- nobody hoards a mechanic's week: a few live holds at once (one per wizard and tab), and a bounded number
    -- of holds that did not become bookings in ten minutes (a hold lasts 15, so it was placed 10 ago when it
    -- has more than 5 left)
    if (select count(*) from app.slot_reservations r
        where r.customer_id = p_actor and r.status = 'reserved' and r.expires_at > v_now) >= 3 then
        raise exception using errcode = 'UL002', message = format('customer %s already holds 3 times', p_actor);
    end if;
    if (select count(*) from app.slot_reservations r
        where r.customer_id = p_actor and r.status in ('reserved', 'expired', 'cancelled')
          and r.expires_at > v_now + interval '5 minutes') >= 20 then
        raise exception using errcode = 'UL003', message = format('customer %s placed 20 holds in 10 minutes', p_actor);
    end if;
    v_hold := app.claim_slot(p_actor, p_mechanic, p_start, p_plan, p_service_type, 'reserved');
    return query select v_hold.id, v_hold.mechanic_id, v_hold.starts_at, v_hold.ends_at, v_hold.expires_at;
end
$$;
comment on function app.reserve_slot(bigint, bigint, timestamptz, text, text, bigint) is
    'Places a 15-minute hold for the acting customer on [start, start + plan) with the mechanic (SPEC §6), '
    'after expiring stale holds; claims on one mechanic are serialized. With p_replace_hold, that hold of the '
    'customer''s is given back in the same transaction, so a refused new hold leaves it as it was. Raises UP001 (not a customer), '
    'UV001/UV003 (service type, plan), UN002 (mechanic), UC001 (taken: booked or workshop full), UC002 (the '
    'customer is busy then), UR002 (not available for another reason, in DETAIL), UL002 (the customer already '
    'holds 3 times), UL003 (20 holds that did not become bookings in 10 minutes).';
grant execute on function app.reserve_slot(bigint, bigint, timestamptz, text, text, bigint) to autodoctor_app;
