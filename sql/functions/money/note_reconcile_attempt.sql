create or replace function app.note_reconcile_attempt(p_payment bigint, p_error text)
returns app.payments
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_pay app.payments;
begin
    update app.payments p
    set reconcile_attempts = p.reconcile_attempts + 1,
        next_reconcile_at = app.app_now() + app.retry_backoff(p.reconcile_attempts),
        last_reconcile_error = left(p_error, 500)
    where p.id = p_payment and p.status in ('pending', 'processing')
    returning * into v_pay;
    if found and v_pay.reconcile_attempts >= 12 then
        perform app.fail_payment(v_pay.id, 'unreconciled',
            'We could not confirm this payment with the card network, so nothing was booked. If your card '
            'was charged, the amount goes back to it.');
        select * into v_pay from app.payments p where p.id = p_payment;
    end if;
    return v_pay;
end
$$;
comment on function app.note_reconcile_attempt(bigint, text) is
    'Records that reconciliation asked about a payment and still has no answer (the gateway unreachable, or '
    'the intent undecided): its next attempt backs off (1 minute doubling to 6 hours), and at the twelfth (about '
    'a day) it fails as ''unreconciled'' (fail_payment: the credit returned; its hold expired long before). A payment '
    'already decided is left as it is. Returns the payment.';
grant execute on function app.note_reconcile_attempt(bigint, text) to autodoctor_payments;
