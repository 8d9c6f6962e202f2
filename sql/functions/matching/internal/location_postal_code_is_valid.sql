create or replace function app.location_postal_code_is_valid(p_customer bigint, p_postal_code text) returns boolean
language sql stable
set search_path = app, pg_temp
as $$
    select nullif(btrim(p_postal_code), '') is null
        or app.postal_code_is_valid(app.normalize_postal_code(p_postal_code, c.country), c.country)
    from (select coalesce((select c.country from app.customers c where c.id = p_customer), 'CA') as country) c
$$;
comment on function app.location_postal_code_is_valid(bigint, text) is
    'True when a location typed for a search (Book Now''s step 3) is empty or a postal code of the customer''s '
    'country (postal_code_is_valid, after normalize_postal_code).';
