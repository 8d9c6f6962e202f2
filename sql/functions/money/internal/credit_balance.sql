create or replace function app.credit_balance(p_customer bigint) returns integer
language sql stable
as $$
    select coalesce(sum(e.amount_cents), 0)::integer from app.credit_entries e where e.customer_id = p_customer
$$;
comment on function app.credit_balance(bigint) is 'A customer''s account credit in cents: the sum of the ledger.';
