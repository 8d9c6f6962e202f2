create or replace function app.checkout_quote(p_actor bigint, p_plan text, p_service_type text default 'online')
returns table (price_cents integer, due_now_cents integer, credit_cents integer, card_cents integer,
               balance_later_cents integer, currency text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
declare
    v_price integer;
    v_currency text;
    v_due integer;
    v_credit integer;
begin
    perform app.require_role(p_actor, 'customer');
    perform app.plan_duration(p_plan);
    if p_service_type is null or p_service_type not in ('online', 'in_person') then
        raise exception using errcode = 'UV001', column = 'service_type', message = 'service type is online or in_person';
    end if;
    select pl.price_cents, pl.currency into v_price, v_currency from app.plans pl where pl.code = p_plan;
    -- begin_checkout charges exactly this: the plan online, the policy's deposit in person; credit first
    v_due := case when p_service_type = 'in_person'
                  then (select p.deposit_cents from app.cancellation_policies p where p.version = app.current_policy())
                  else v_price end;
    v_credit := least(app.credit_balance(p_actor), v_due);
    return query select v_price, v_due, v_credit, v_due - v_credit, v_price - v_due, v_currency;
end
$$;
comment on function app.checkout_quote(bigint, text, text) is
    'What paying for a scheduled booking will take now (SPEC §9), before it is paid: the plan''s price, what '
    'is due at booking (the price online, the deposit in person), the account credit spent first, the rest '
    'on the card, and the balance charged after an in-person service. Raises UP001, UV001 (service type), '
    'UV003 (plan).';
grant execute on function app.checkout_quote(bigint, text, text) to autodoctor_app;
