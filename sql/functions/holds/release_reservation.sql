create or replace function app.release_reservation(p_actor bigint, p_hold_id bigint) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_actor(p_actor);
    if exists (select 1 from app.slot_reservations r where r.id = p_hold_id and r.customer_id = p_actor)
       and app.hold_payment_in_doubt(p_hold_id) then
        raise exception using errcode = 'UR090', message = format('hold %s is kept while its payment has no outcome', p_hold_id);
    end if;
    update app.slot_reservations
    set status = 'cancelled', released_at = app.app_now()
    where id = p_hold_id and customer_id = p_actor and status = 'reserved';
    if not found then
        raise exception using errcode = 'UN001', message = format('no hold %s of user %s to release', p_hold_id, p_actor);
    end if;
end
$$;
comment on function app.release_reservation(bigint, bigint) is
    'The acting customer gives back one of their holds. Raises UN001 when it is missing, someone else''s, '
    'or no longer a hold; UR090 while a payment for it has no outcome (hold_payment_in_doubt).';
grant execute on function app.release_reservation(bigint, bigint) to autodoctor_app;
