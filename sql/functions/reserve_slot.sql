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
begin
    perform app.require_role(p_actor, 'customer');
    -- the hold this one replaces steps aside first (it may overlap the new time); a refusal below undoes that
    update app.slot_reservations set status = 'cancelled', released_at = app.app_now()
    where id = p_replace_hold and customer_id = p_actor and status = 'reserved';
    v_hold := app.claim_slot(p_actor, p_mechanic, p_start, p_plan, p_service_type, 'reserved');
    return query select v_hold.id, v_hold.mechanic_id, v_hold.starts_at, v_hold.ends_at, v_hold.expires_at;
end
$$;
comment on function app.reserve_slot(bigint, bigint, timestamptz, text, text, bigint) is
    'Places a 15-minute hold for the acting customer on [start, start + plan) with the mechanic (SPEC §6), '
    'after expiring stale holds; claims on one mechanic are serialized. With p_replace_hold, that hold of the '
    'customer''s is given back in the same transaction, so a refused new hold leaves it as it was. Raises UP001 (not a customer), '
    'UV001/UV003 (service type, plan), UN002 (mechanic), UC001 (taken: booked or workshop full), UC002 (the '
    'customer is busy then), UR002 (not available for another reason, in DETAIL).';
grant execute on function app.reserve_slot(bigint, bigint, timestamptz, text, text, bigint) to autodoctor_app;
