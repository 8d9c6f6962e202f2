create or replace function app.give_back_draft_hold(p_actor bigint, p_hold bigint) returns void
language plpgsql volatile
as $$
begin
    if app.hold_payment_in_doubt(p_hold) then
        raise exception using errcode = 'UR090', column = 'hold_id',
            message = format('hold %s is kept while its payment has no outcome', p_hold);
    end if;
    update app.slot_reservations r set status = 'cancelled', released_at = app.app_now()
    where r.id = p_hold and r.customer_id = p_actor and r.status = 'reserved';
end
$$;
comment on function app.give_back_draft_hold(bigint, bigint) is
    'Gives back a hold a draft took, when it still holds (a lapsed or booked one is left as it is). Raises UR090 '
    'while a payment for it has no outcome (hold_payment_in_doubt): the time stays the customer''s until it has.';
