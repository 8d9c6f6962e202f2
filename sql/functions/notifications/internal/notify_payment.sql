create or replace function app.notify_payment(p_payment app.payments) returns void
language sql volatile
as $$
    select app.notify(p_payment.customer_id, 'payment_received',
                      jsonb_build_object('payment_id', p_payment.id, 'kind', p_payment.kind,
                                         'amount_cents', p_payment.amount_cents, 'credit_cents', p_payment.credit_cents,
                                         'audience', 'customer'),
                      p_payment.session_id, format('payment-%s', p_payment.id));
$$;
comment on function app.notify_payment(app.payments) is
    'Queues the receipt of a payment that went through (SPEC §14): what was taken from the card and from '
    'account credit, once per payment.';
