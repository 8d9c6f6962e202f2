create or replace function app.spend_credit(p_payment bigint) returns app.payments
language plpgsql volatile
as $$
declare
    v_pay app.payments;
begin
    select * into v_pay from app.payments p where p.id = p_payment;
    if v_pay.credit_cents > 0 then
        insert into app.credit_entries (customer_id, amount_cents, reason, session_id, payment_id, created_at)
        values (v_pay.customer_id, -v_pay.credit_cents, 'spent', v_pay.session_id, v_pay.id, app.app_now());
    end if;
    -- credit that covers the whole price leaves nothing for the card: the booking is paid now
    if v_pay.amount_cents = 0 then
        perform app.complete_payment(v_pay.id);
    end if;
    select * into v_pay from app.payments p where p.id = p_payment;
    return v_pay;
end
$$;
comment on function app.spend_credit(bigint) is
    'The end of begin_checkout and begin_balance_payment, for the payment they have just written: spends its '
    'credit_cents from the customer''s account credit (a ''spent'' ledger entry, tied to its session if any) and, '
    'when credit covers the whole price (nothing left for the card), completes it at once (complete_payment). '
    'Returns the payment as it then stands.';
