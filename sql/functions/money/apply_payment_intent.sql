create or replace function app.apply_payment_intent(p_intent jsonb, p_payment bigint default null)
returns setof app.payments
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_pay app.payments;
    v_intent text := p_intent->>'id';
    v_error jsonb := p_intent->'last_payment_error';
begin
    select * into v_pay from app.payments p
    where p.id = coalesce(p_payment, (p_intent->'metadata'->>'payment_id')::bigint)
       or (v_intent is not null and p.intent_id = v_intent)
    order by p.intent_id = v_intent desc nulls last
    limit 1
    for update;
    if not found then
        raise exception using errcode = 'UN003', message = format('no payment for intent %s', v_intent);
    end if;
    if v_intent is null or coalesce(v_pay.intent_id, v_intent) <> v_intent
       or (p_intent->>'amount')::integer is distinct from v_pay.amount_cents
       or lower(p_intent->>'currency') is distinct from lower(v_pay.currency) then
        raise exception using errcode = 'UR006',
            message = format('intent %s does not match payment %s (amount, currency or intent)', v_intent, v_pay.id);
    end if;
    update app.payments set intent_id = v_intent where id = v_pay.id and intent_id is null;

    case p_intent->>'status'
        when 'succeeded' then
            perform app.complete_payment(v_pay.id);
        when 'processing' then
            update app.payments set status = 'processing' where id = v_pay.id and status = 'pending';
        when 'requires_payment_method', 'canceled' then
            perform app.fail_payment(v_pay.id, coalesce(v_error->>'decline_code', v_error->>'code', p_intent->>'status'),
                                     coalesce(v_error->>'message', 'The payment was not completed.'));
        else
            null;  -- requires_confirmation / requires_action / requires_capture: nothing is decided yet
    end case;
    return query select * from app.payments p where p.id = v_pay.id;
end
$$;
comment on function app.apply_payment_intent(jsonb, bigint) is
    'Applies what the gateway says a PaymentIntent is now (its JSON, as Stripe shapes it): succeeded completes '
    'the payment (complete_payment), processing waits, requires_payment_method / canceled fails it '
    '(fail_payment). Idempotent and order-proof: success is final and applied once. The payment is found by '
    'p_payment, the intent''s metadata.payment_id or its id. Raises UN003 (no such payment), UR006 (the intent''s '
    'amount, currency or id do not match the payment).';
grant execute on function app.apply_payment_intent(jsonb, bigint) to autodoctor_payments;
