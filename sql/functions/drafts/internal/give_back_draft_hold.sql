create or replace function app.give_back_draft_hold(p_actor bigint, p_hold bigint) returns void
language sql volatile
as $$
    update app.slot_reservations r set status = 'cancelled', released_at = app.app_now()
    where r.id = p_hold and r.customer_id = p_actor and r.status = 'reserved';
$$;
comment on function app.give_back_draft_hold(bigint, bigint) is
    'Gives back a hold a draft took, when it still holds (a lapsed or booked one is left as it is).';
