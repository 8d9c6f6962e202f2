create or replace function app.confirm_reservation(p_hold_id bigint, p_customer bigint) returns app.slot_reservations
language plpgsql volatile
as $$
declare
    v_hold app.slot_reservations;
begin
    update app.slot_reservations
    set status = 'confirmed', confirmed_at = app.app_now(), expires_at = null
    where id = p_hold_id and customer_id = p_customer and status = 'reserved' and expires_at > app.app_now()
    returning * into v_hold;
    if not found then
        if exists (select 1 from app.slot_reservations where id = p_hold_id and customer_id = p_customer and status in ('reserved', 'expired')) then
            raise exception using errcode = 'UR003', message = format('hold %s has expired', p_hold_id);
        end if;
        raise exception using errcode = 'UN001', message = format('no hold %s of customer %s', p_hold_id, p_customer);
    end if;
    return v_hold;
end
$$;
comment on function app.confirm_reservation(bigint, bigint) is
    'Turns the customer''s live hold into a confirmed claim and returns it. Raises UR003 when the hold has '
    'expired, UN001 when it is missing or someone else''s. Called by create_session (and, later, payment).';
