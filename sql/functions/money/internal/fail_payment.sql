create or replace function app.fail_payment(p_payment bigint, p_code text, p_message text) returns void
language plpgsql volatile
as $$
declare
    v_pay app.payments;
begin
    update app.payments set status = 'failed', failed_at = app.app_now(), failure_code = p_code,
                            failure_message = left(p_message, 500)
    where id = p_payment and status in ('pending', 'processing')
    returning * into v_pay;
    if not found then
        return;
    end if;
    if v_pay.credit_cents > 0 then
        insert into app.credit_entries (customer_id, amount_cents, reason, payment_id, created_at)
        values (v_pay.customer_id, v_pay.credit_cents, 'payment_failed', p_payment, app.app_now());
    end if;
    -- its hold (if any) is left as it is: the customer may pay again with another card until it expires, and
    -- release_expired_reservations gives the time back to everyone after that
end
$$;
comment on function app.fail_payment(bigint, text, text) is
    'A payment the gateway refused: failed (once, never after success), its credit returned. Its hold is kept '
    'until its own expiry (not extended), so that the customer can retry with another card.';
