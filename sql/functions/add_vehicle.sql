create or replace function app.add_vehicle(
    p_actor bigint,
    p_year integer,
    p_make text,
    p_model text,
    p_vin text default null,
    p_odometer_km integer default null,
    p_plate text default null
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_id bigint;
begin
    perform app.require_role(p_actor, 'customer');
    if p_year > extract(year from app.app_now()) + 1 then
        raise exception using errcode = 'UV002', column = 'year', message = format('vehicle year %s is in the future', p_year);
    end if;
    insert into app.vehicles (customer_id, year, make, model, vin, odometer_km, plate)
    values (p_actor, p_year, btrim(p_make), btrim(p_model), nullif(upper(btrim(p_vin)), ''), p_odometer_km,
            nullif(upper(btrim(p_plate)), ''))
    returning id into v_id;
    return v_id;
end
$$;
comment on function app.add_vehicle(bigint, integer, text, text, text, integer, text) is
    'Saves a vehicle for the acting customer; returns its id. Raises UP001 for non-customers, UV002 for a '
    'year after next year; vehicles_* constraints refuse a bad VIN, plate, odometer or a VIN saved twice.';
grant execute on function app.add_vehicle(bigint, integer, text, text, text, integer, text) to autodoctor_app;
