create or replace function app.give_back(p_payment bigint, p_session bigint, p_cents integer, p_reason text)
returns void
language plpgsql volatile
as $$
declare
    v_pay app.payments;
    v_card integer;
    v_credit integer;
begin
    select * into v_pay from app.payments where id = p_payment;
    -- to the card first, what it paid and has not had back; then the account credit the payment spent
    v_card := least(p_cents, v_pay.amount_cents - coalesce(
        (select sum(r.amount_cents) from app.refunds r where r.payment_id = p_payment and r.status <> 'failed'), 0));
    v_credit := p_cents - v_card;
    if v_card > 0 then
        insert into app.refunds (payment_id, session_id, amount_cents, reason, idempotency_key, created_at)
        values (p_payment, p_session, v_card, p_reason,
                format('refund-%s-%s', p_payment, 1 + (select count(*) from app.refunds r where r.payment_id = p_payment)),
                app.app_now());
    end if;
    if v_credit > 0 then
        insert into app.credit_entries (customer_id, amount_cents, reason, session_id, payment_id, created_at)
        values (v_pay.customer_id, v_credit, 'refund_as_credit', p_session, p_payment, app.app_now());
    end if;
end
$$;
comment on function app.give_back(bigint, bigint, integer, text) is
    'Gives p_cents of a payment back: a pending refund to the card for what the card paid, the rest as account '
    'credit (what the payment spent of it). The refund is sent after commit (pending_refunds, record_refund).';
