create or replace function app.apply_policy_outcome(p_session app.sessions, p_by text, p_tier text, p_refund integer,
                                                    p_credit integer, p_payee integer, p_platform integer)
returns void
language plpgsql volatile
as $$
declare
    v_left integer := p_refund;
    v_pay app.payments;
    v_part integer;
    v_reason text := case when p_tier = 'no_show' then 'no_show' else 'customer_cancelled' end;
    v_refund_reason text := case p_tier when 'not_accepted' then 'not_accepted'
        when 'provider_cancelled' then p_by || '_cancelled' else 'customer_cancelled' end;
    v_now timestamptz := app.app_now();
begin
    -- give back across the session's payments, each to its own card (then its credit)
    for v_pay in select * from app.payments p where p.session_id = p_session.id and p.status = 'succeeded' order by p.id loop
        exit when v_left = 0;
        v_part := least(v_left, v_pay.amount_cents + v_pay.credit_cents);
        perform app.give_back(v_pay.id, p_session.id, v_part, v_refund_reason);
        v_left := v_left - v_part;
    end loop;
    if p_credit > 0 then
        insert into app.credit_entries (customer_id, amount_cents, reason, session_id, created_at)
        values (p_session.customer_id, p_credit, case when p_tier = 'no_show' then 'no_show' else 'late_cancellation' end,
                p_session.id, v_now);
    end if;
    if p_payee > 0 then
        insert into app.payouts (session_id, payee, mechanic_id, workshop_id, amount_cents, reason, created_at)
        select p_session.id, y.payee, y.mechanic_id, y.workshop_id, p_payee, v_reason, v_now
        from app.session_payee(p_session.mechanic_id) y;
    end if;
    if p_platform > 0 then
        insert into app.payouts (session_id, payee, amount_cents, reason, created_at)
        values (p_session.id, 'platform', p_platform, v_reason, v_now);
    end if;
end
$$;
comment on function app.apply_policy_outcome(app.sessions, text, text, integer, integer, integer, integer) is
    'Writes a policy outcome as money rows: refunds (card first, then the credit each payment spent), the '
    'policy''s account credit, the payee''s and the platform''s shares in the payout ledger.';
