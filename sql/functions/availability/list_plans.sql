create or replace function app.list_plans()
returns table (code text, name text, price_cents integer, currency text, duration_minutes integer, description text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    select p.code, p.name, p.price_cents, p.currency, p.duration_minutes, p.description
    from app.plans p where p.active order by p.sort_order, p.price_cents
$$;
comment on function app.list_plans() is 'The plans on sale, cheapest first: price in cents (CAD) and length.';
grant execute on function app.list_plans() to autodoctor_app;
