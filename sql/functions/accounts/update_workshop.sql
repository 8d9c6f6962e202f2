create or replace function app.update_workshop(
    p_actor bigint,
    p_workshop_id bigint,
    p_name text,
    p_street text,
    p_city text,
    p_province text,
    p_postal_code text,
    p_phone text,
    p_timezone text,
    p_capacity integer
) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_country text;
    v_postal_code text;
    v_field text;
    v_value text;
    v_problems text[] := '{}'::text[];
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    foreach v_field in array array['name', 'street', 'city', 'province'] loop
        v_value := btrim(case v_field when 'name' then p_name when 'street' then p_street when 'city' then p_city
                                      else p_province end);
        if v_value is null or length(v_value) not between 1 and 120 then
            v_problems := v_problems || ('UV057:' || v_field);
        end if;
    end loop;
    select country into v_country from app.workshops where id = p_workshop_id;
    v_postal_code := app.normalize_postal_code(p_postal_code, v_country);
    if not coalesce(app.postal_code_is_valid(v_postal_code, v_country), false) then
        v_problems := v_problems || 'UV059:postal_code'::text;
    end if;
    if not app.phone_is_valid(nullif(btrim(p_phone), '')) then
        v_problems := v_problems || 'UV058:phone'::text;
    end if;
    if p_timezone is null or not exists (select 1 from app.time_zones where name = p_timezone) then
        v_problems := v_problems || 'UV006:timezone'::text;
    end if;
    if p_capacity is null or p_capacity not between 1 and 100 then
        v_problems := v_problems || 'UV054:capacity'::text;
    end if;
    perform app.refuse_fields(v_problems);  -- every refused field at once

    update app.workshops
    set name = btrim(p_name), street = btrim(p_street), city = btrim(p_city), province = btrim(p_province),
        postal_code = v_postal_code, phone = nullif(btrim(p_phone), ''), timezone = p_timezone
    where id = p_workshop_id;
    -- capacity is one number per workshop, kept on every weekday's row (a missing weekday is closed anyway)
    insert into app.workshop_availability (workshop_id, weekday, is_closed, capacity)
    select p_workshop_id, d, true, p_capacity from generate_series(1, 7) d
    on conflict (workshop_id, weekday) do update set capacity = excluded.capacity;
end
$$;
comment on function app.update_workshop(bigint, bigint, text, text, text, text, text, text, text, integer) is
    'Saves a workshop''s name, address, phone, time zone and capacity (in-person appointments at once, the same '
    'every day). In a new zone the hours keep their local times; bookings already made are kept (my_workshops '
    'counts those now outside the hours). Raises UP001 / UN001 (not this admin''s workshop), then every refused '
    'field at once (refuse_fields: UV000 listing them when several, else the one code with its column): UV057 '
    '(name or address line missing or over 120 characters), UV059 (postal code), UV058 (phone), UV006 (unknown time '
    'zone), UV054 (capacity not 1 to 100).';
grant execute on function app.update_workshop(bigint, bigint, text, text, text, text, text, text, text, integer) to autodoctor_app;
