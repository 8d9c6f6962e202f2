create or replace function app.apply_policy_outcome(p_session app.sessions, p_by text)
returns table (tier text, charged_cents integer, refund_cents integer, credit_cents integer, payee_cents integer,
               platform_cents integer)
language plpgsql volatile
as $$
#variable_conflict use_column
declare
    o record;
    v_left integer;
    v_pay app.payments;
    v_part integer;
    v_reason text;
    v_refund_reason text;
    v_now timestamptz := app.app_now();
begin
    select * into o from app.policy_outcome(p_session, p_by, v_now);
    v_left := o.refund_cents;
    v_reason := case when o.tier = 'no_show' then 'no_show' else 'customer_cancelled' end;
    v_refund_reason := case o.tier when 'not_accepted' then 'not_accepted'
        when 'provider_cancelled' then p_by || '_cancelled' else 'customer_cancelled' end;
    -- give back across the session's payments, each to its own card (then its credit)
    for v_pay in select * from app.payments p where p.session_id = p_session.id and p.status = 'succeeded' order by p.id loop
        exit when v_left = 0;
        v_part := least(v_left, v_pay.amount_cents + v_pay.credit_cents);
        perform app.give_back(v_pay.id, p_session.id, v_part, v_refund_reason);
        v_left := v_left - v_part;
    end loop;
    if o.credit_cents > 0 then
        insert into app.credit_entries (customer_id, amount_cents, reason, session_id, created_at)
        values (p_session.customer_id, o.credit_cents, case when o.tier = 'no_show' then 'no_show' else 'late_cancellation' end,
                p_session.id, v_now);
    end if;
    if o.payee_cents > 0 then
        insert into app.payouts (session_id, payee, mechanic_id, workshop_id, amount_cents, reason, created_at)
        select p_session.id, y.payee, y.mechanic_id, y.workshop_id, o.payee_cents, v_reason, v_now
        from app.session_payee(p_session.mechanic_id) y;
    end if;
    if o.platform_cents > 0 then
        insert into app.payouts (session_id, payee, amount_cents, reason, created_at)
        values (p_session.id, 'platform', o.platform_cents, v_reason, v_now);
    end if;
    insert into app.policy_outcomes (session_id, tier, decided_by, charged_cents, refund_cents, credit_cents,
                                     payee_cents, platform_cents, decided_at)
    values (p_session.id, o.tier, p_by, o.charged_cents, o.refund_cents, o.credit_cents, o.payee_cents,
            o.platform_cents, v_now);
    return query select o.tier, o.charged_cents, o.refund_cents, o.credit_cents, o.payee_cents, o.platform_cents;
end
$$;
comment on function app.apply_policy_outcome(app.sessions, text) is
    'Applies SPEC §9 to a session now (policy_outcome, by p_by) and writes it as money rows: refunds (card '
    'first, then the credit each payment spent), the policy''s account credit, the payee''s and the platform''s '
    'shares in the payout ledger, and the outcome itself in app.policy_outcomes. Returns the outcome.';
