create or replace function app.settle_completed_session(p_session bigint) returns boolean
language plpgsql volatile
as $$
declare
    v_session app.sessions;
    v_commission integer;
    v_charged integer;
    v_platform integer;
    v_now timestamptz := app.app_now();
begin
    select * into v_session from app.sessions where id = p_session for update;
    if v_session.status is distinct from 'completed' then
        raise exception using errcode = 'UR001', message = format('session %s is not completed', p_session);
    end if;
    if v_session.service_type = 'in_person' and not exists (
            select 1 from app.payments p where p.session_id = p_session and p.kind = 'balance' and p.status = 'succeeded') then
        return false;  -- settled when its balance is paid
    end if;
    if exists (select 1 from app.payouts y where y.session_id = p_session) then
        return false;
    end if;
    select c.commission_percent into v_commission from app.cancellation_policies c where c.version = v_session.policy_version;
    select coalesce(sum(p.amount_cents + p.credit_cents), 0) into v_charged
    from app.payments p where p.session_id = p_session and p.status = 'succeeded';
    v_platform := v_charged - v_charged * (100 - v_commission) / 100;
    insert into app.payouts (session_id, payee, mechanic_id, workshop_id, amount_cents, reason, created_at)
    select p_session, y.payee, y.mechanic_id, y.workshop_id, v_charged - v_platform, 'completed', v_now
    from app.session_payee(v_session.mechanic_id) y
    union all
    select p_session, 'platform', null, null, v_platform, 'completed', v_now;
    return true;
end
$$;
comment on function app.settle_completed_session(bigint) is
    'Shares a completed session''s money once: 70% to the payee of SPEC §1 (the mechanic, or the workshop of a '
    'workshop-affiliated mechanic), 30% to the platform (the commission of the policy it was sold under). An '
    'in-person session waits for its balance. True when it settled now.';
