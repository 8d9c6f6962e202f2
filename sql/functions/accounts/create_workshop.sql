create or replace function app.create_workshop(
    p_actor bigint,
    p_name text,
    p_street text,
    p_city text,
    p_province text,
    p_postal_code text,
    p_timezone text,
    p_country text default 'CA',
    p_phone text default null,
    p_stripe_account_id text default null
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_country text := coalesce(nullif(btrim(p_country), ''), 'CA');
    v_postal_code text := app.normalize_postal_code(p_postal_code, v_country);
    v_field text;
    v_value text;
    v_problems text[] := '{}'::text[];
    v_id bigint;
begin
    perform app.require_role(p_actor, 'admin');
    foreach v_field in array array['name', 'street', 'city', 'province'] loop
        v_value := btrim(case v_field when 'name' then p_name when 'street' then p_street when 'city' then p_city
                                      else p_province end);
        if v_value is null or length(v_value) not between 1 and 120 then
            v_problems := v_problems || ('UV057:' || v_field);
        end if;
    end loop;
    if v_country not in ('CA', 'US') then
        v_problems := v_problems || 'UV001:country'::text;
    elsif not coalesce(app.postal_code_is_valid(v_postal_code, v_country), false) then  -- judged in its country
        v_problems := v_problems || 'UV059:postal_code'::text;
    end if;
    if not app.phone_is_valid(nullif(btrim(p_phone), '')) then
        v_problems := v_problems || 'UV058:phone'::text;
    end if;
    if p_timezone is null or not exists (select 1 from app.time_zones where name = p_timezone) then
        v_problems := v_problems || 'UV006:timezone'::text;
    end if;
    if nullif(btrim(p_stripe_account_id), '') !~ '^acct_[A-Za-z0-9]+$' then
        v_problems := v_problems || 'UV085:stripe_account_id'::text;
    end if;
    perform app.refuse_fields(v_problems);  -- every refused field at once
    insert into app.workshops (name, street, city, province, postal_code, country, phone, timezone, stripe_account_id,
                               created_at)
    values (btrim(p_name), btrim(p_street), btrim(p_city), btrim(p_province), v_postal_code, v_country,
            nullif(btrim(p_phone), ''), p_timezone, nullif(btrim(p_stripe_account_id), ''), app.app_now())
    returning id into v_id;
    return v_id;
end
$$;
comment on function app.create_workshop(bigint, text, text, text, text, text, text, text, text, text) is
    'The platform admin creates a workshop (SPEC §1): name, address, time zone, phone and Stripe account '
    'optional. It has no opening hours yet (closed every day) until its admins set them. Returns its id. Raises '
    'UP001 (not a platform admin), then every refused field at once (refuse_fields: UV000 listing them when '
    'several, else the one code with its column): UV057 (name or address line missing or over 120 characters), '
    'UV001 (country not CA or US), UV059 (postal code of that country), UV058 (phone), UV006 (unknown time '
    'zone), UV085 (Stripe account id).';
grant execute on function app.create_workshop(bigint, text, text, text, text, text, text, text, text, text) to autodoctor_app;
