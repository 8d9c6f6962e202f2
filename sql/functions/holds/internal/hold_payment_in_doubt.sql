create or replace function app.hold_payment_in_doubt(p_hold bigint) returns boolean
language sql stable
as $$
    select exists (select 1 from app.payments p
                   where p.reservation_id = p_hold and p.status in ('pending', 'processing') and p.amount_cents > 0)
$$;
comment on function app.hold_payment_in_doubt(bigint) is
    'Whether a card payment for this hold has no outcome yet (the gateway or the database went away during the '
    'request, or the card network is still deciding). Such a hold is kept past its 15 minutes, by the cleanup job '
    'and by a claim on the same time alike, until reconciliation decides: the customer was told the time is held.';
