create or replace function app.my_vehicles(p_actor bigint)
returns table (id bigint, year smallint, make text, model text, vin text, odometer_km integer, plate text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    perform app.require_role(p_actor, 'customer');
    return query
        select v.id, v.year, v.make, v.model, v.vin, v.odometer_km, v.plate
        from app.vehicles v where v.customer_id = p_actor order by v.created_at, v.id;
end
$$;
comment on function app.my_vehicles(bigint) is 'The acting customer''s saved vehicles, oldest first. Raises UP001 for non-customers.';
grant execute on function app.my_vehicles(bigint) to autodoctor_app;
