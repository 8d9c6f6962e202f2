create or replace function app.policy_outcome(p_session app.sessions, p_by text, p_at timestamptz)
returns table (tier text, charged_cents integer, refund_cents integer, credit_cents integer, payee_cents integer,
               platform_cents integer)
language plpgsql stable
as $$
declare
    v_policy app.cancellation_policies;
    v_charged integer;
    v_left interval := p_session.scheduled_for - p_at;
    v_tier text;
begin
    select * into v_policy from app.cancellation_policies where version = p_session.policy_version;
    select coalesce(sum(p.amount_cents + p.credit_cents), 0) into v_charged
    from app.payments p where p.session_id = p_session.id and p.status = 'succeeded';

    v_tier := case
        when p_by in ('mechanic', 'workshop', 'admin') then 'provider_cancelled'
        -- from the stamps, not the status, so the outcome is the same before and after the move to cancelled
        when (p_session.kind = 'scheduled' and p_session.accepted_at is null)
             or (p_session.kind = 'immediate' and p_session.mechanic_id is null) then 'not_accepted'
        when p_by = 'no_show' then 'no_show'
        when v_left >= make_interval(hours => v_policy.full_refund_hours) then 'early'
        when v_left >= make_interval(hours => v_policy.late_hours) then 'mid'
        else 'late'
    end;
    tier := v_tier;
    charged_cents := v_charged;
    platform_cents := 0;
    credit_cents := 0;
    if v_tier in ('provider_cancelled', 'not_accepted') then
        refund_cents := v_charged;
    elsif p_session.service_type = 'in_person' then
        -- the deposit: all back when early, otherwise forfeited to the mechanic or workshop
        refund_cents := case when v_tier = 'early' then v_charged else 0 end;
    elsif v_tier = 'early' then
        platform_cents := least(v_policy.online_fee_cents, v_charged);
        refund_cents := v_charged - platform_cents;
    elsif v_tier = 'mid' then
        refund_cents := v_charged * v_policy.mid_refund_percent / 100;
    else
        refund_cents := 0;
        credit_cents := v_charged * v_policy.late_credit_percent / 100;
    end if;
    payee_cents := v_charged - refund_cents - credit_cents - platform_cents;
    return next;
end
$$;
comment on function app.policy_outcome(app.sessions, text, timestamptz) is
    'SPEC §9 applied to a session at a moment, under the policy it was sold under. p_by: customer, mechanic, '
    'workshop, admin or no_show. Tiers: provider_cancelled and not_accepted (a request the mechanic has not '
    'accepted, an immediate session nobody took: all back), early (≥ full_refund_hours '
    'before: all but the fee online, the whole deposit in person), mid (online: mid_refund_percent back, the '
    'rest to the payee; in person: deposit forfeited), late and no_show (online: late_credit_percent as account '
    'credit, the rest to the payee; in person: deposit forfeited). An immediate session a mechanic took counts as '
    'late. Cents are whole; the payee gets the remainder.';
