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
begin
    perform app.require_workshop_admin(p_actor, p_workshop_id);
    foreach v_field in array array['name', 'street', 'city', 'province'] loop
        v_value := btrim(case v_field when 'name' then p_name when 'street' then p_street when 'city' then p_city
                                      else p_province end);
        if v_value is null or length(v_value) not between 1 and 120 then
            raise exception using errcode = 'UV057', column = v_field,
                message = format('workshop %s must be 1 to 120 characters', v_field);
        end if;
    end loop;
    select country into v_country from app.workshops where id = p_workshop_id;
    v_postal_code := app.normalize_postal_code(p_postal_code, v_country);
    if v_postal_code is null or not (
           (v_country = 'CA' and v_postal_code ~ '^[A-Z][0-9][A-Z] [0-9][A-Z][0-9]$')
           or (v_country = 'US' and v_postal_code ~ '^[0-9]{5}(-[0-9]{4})?$')) then
        raise exception using errcode = 'UV059', column = 'postal_code',
            message = format('%L is not a %s postal code', p_postal_code, v_country);
    end if;
    if nullif(btrim(p_phone), '') !~ '^\+?[0-9 ().-]{7,20}$' then
        raise exception using errcode = 'UV058', column = 'phone',
            message = format('%L is not a phone number', p_phone);
    end if;
    if p_timezone is null or not exists (select 1 from app.time_zones where name = p_timezone) then
        raise exception using errcode = 'UV006', column = 'timezone',
            message = format('unknown time zone %L', p_timezone);
    end if;
    if p_capacity is null or p_capacity not between 1 and 100 then
        raise exception using errcode = 'UV054', column = 'capacity',
            message = format('capacity %s is not 1 to 100', p_capacity);
    end if;

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
    'counts those now outside the hours). Raises UP001 / UN001 (not this admin''s workshop), UV057 (name or '
    'address line missing or over 120 characters), UV059 (postal code), UV058 (phone), UV006 (unknown time '
    'zone), UV054 (capacity not 1 to 100).';
grant execute on function app.update_workshop(bigint, bigint, text, text, text, text, text, text, text, integer) to autodoctor_app;
