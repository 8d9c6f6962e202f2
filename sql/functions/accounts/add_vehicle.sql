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
    v_row jsonb := jsonb_build_object('year', p_year, 'make', btrim(p_make), 'model', btrim(p_model),
                                      'vin', nullif(upper(btrim(p_vin)), ''), 'odometer_km', p_odometer_km,
                                      'plate', nullif(upper(btrim(p_plate)), ''));
    v_problems text[];
    v_id bigint;
begin
    perform app.require_role(p_actor, 'customer');
    -- every refused field at once (refuse_fields), judged by the table's own constraints
    v_problems := app.failed_checks('app.vehicles', v_row);
    if p_year > extract(year from app.app_now()) + 1 then
        v_problems := v_problems || 'UV002:year'::text;
    end if;
    if exists (select 1 from app.vehicles v where v.customer_id = p_actor and v.vin = v_row->>'vin') then
        v_problems := v_problems || 'vehicles_vin_unique'::text;
    end if;
    perform app.refuse_fields(v_problems);
    insert into app.vehicles (customer_id, year, make, model, vin, odometer_km, plate)
    values (p_actor, p_year, v_row->>'make', v_row->>'model', v_row->>'vin', p_odometer_km, v_row->>'plate')
    returning id into v_id;
    return v_id;
end
$$;
comment on function app.add_vehicle(bigint, integer, text, text, text, integer, text) is
    'Saves a vehicle for the acting customer; returns its id. Raises UP001 for non-customers; every refused '
    'field at once (refuse_fields: UV000 listing them when several): UV002:year for a year after next year, '
    'the vehicles_* constraints (VIN, plate, odometer, year, make, model) and vehicles_vin_unique (a VIN saved twice).';
grant execute on function app.add_vehicle(bigint, integer, text, text, text, integer, text) to autodoctor_app;
