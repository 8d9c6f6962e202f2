create or replace function app.my_money(p_actor bigint)
returns table (credit_cents integer, entries jsonb)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select app.credit_balance(p_actor),
               coalesce((select jsonb_agg(jsonb_build_object('amount_cents', e.amount_cents, 'reason', e.reason,
                                                             'session_id', e.session_id, 'at', e.created_at)
                                          order by e.id desc)
                         from app.credit_entries e where e.customer_id = p_actor), '[]');
end
$$;
comment on function app.my_money(bigint) is
    'The acting customer''s account credit (cents) and its ledger, newest first. Raises UP001.';
grant execute on function app.my_money(bigint) to autodoctor_app;
