create or replace function app.begin_balance_payment(p_actor bigint, p_session bigint) returns setof app.payments
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_session app.sessions;
    v_deposit app.payments;
    v_due integer;
    v_credit integer;
    v_id bigint;
    v_existing app.payments;
begin
    perform app.require_actor(p_actor);
    select * into v_session from app.sessions s where s.id = p_session;
    if not found or v_session.service_type <> 'in_person'
       or coalesce(app.session_actor_side(v_session, p_actor), '') not in ('mechanic', 'workshop') then
        raise exception using errcode = 'UN001', message = format('session %s is not at a workshop of user %s', p_session, p_actor);
    end if;
    if v_session.status <> 'completed' then
        raise exception using errcode = 'UR001', message = format('session %s is %s: its balance is due after the service', p_session, v_session.status);
    end if;
    -- one balance per session: a repeated click finds the attempt under way (or the one that succeeded)
    perform app.take_turn(3, v_session.customer_id);
    select * into v_existing from app.payments p
    where p.session_id = p_session and p.kind = 'balance' and p.status in ('pending', 'processing', 'succeeded');
    if found then
        return next v_existing;
        return;
    end if;
    select * into v_deposit from app.payments p
    where p.session_id = p_session and p.kind = 'deposit' and p.status = 'succeeded';
    select pl.price_cents - (v_deposit.amount_cents + v_deposit.credit_cents) into v_due
    from app.plans pl where pl.code = v_session.plan_code;
    v_credit := least(app.credit_balance(v_session.customer_id), v_due);
    if v_due > v_credit and v_deposit.payment_method is null then
        raise exception using errcode = 'UV012', column = 'card', message = 'no card on file for the balance';
    end if;

    v_id := nextval(pg_get_serial_sequence('app.payments', 'id'));
    insert into app.payments (id, customer_id, session_id, kind, session_kind, plan_code, amount_cents, credit_cents,
                              payment_method, idempotency_key, policy_version, created_at)
    overriding system value
    values (v_id, v_session.customer_id, p_session, 'balance', 'scheduled', v_session.plan_code, v_due - v_credit, v_credit,
            case when v_due > v_credit then v_deposit.payment_method end,
            format('balance-%s-%s', p_session,
                   1 + (select count(*) from app.payments p where p.session_id = p_session and p.kind = 'balance')),
            v_session.policy_version, app.app_now());
    return query select * from app.spend_credit(v_id);
end
$$;
comment on function app.begin_balance_payment(bigint, bigint) is
    'Starts charging the balance of a completed in-person session (SPEC §9: plan price minus the deposit), '
    'for its mechanic or its workshop''s staff: account credit first, the rest on the card that paid the '
    'deposit, under the key balance-<session>-<attempt>. Once it succeeds the session is settled. A second '
    'call returns the attempt under way. Raises UN001 (not theirs), UR001 (not completed), UV012 (no card).';
grant execute on function app.begin_balance_payment(bigint, bigint) to autodoctor_app;
