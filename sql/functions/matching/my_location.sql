create or replace function app.my_location(p_actor bigint)
returns table (city text, postal_code text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
#variable_conflict use_column
begin
    perform app.require_role(p_actor, 'customer');
    return query select c.city, c.postal_code from app.customers c where c.id = p_actor;
end
$$;
comment on function app.my_location(bigint) is
    'The acting customer''s city and postal code from their profile: what Book Now''s search starts from '
    '(SPEC §3.1). Raises UP001.';
grant execute on function app.my_location(bigint) to autodoctor_app;
