create or replace function app.sign_up_customer(
    p_email text,
    p_password text,
    p_name text,
    p_timezone text,
    p_city text default null,
    p_province text default null,
    p_postal_code text default null,
    p_country text default 'CA',
    p_phone text default null
) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user jsonb := jsonb_build_object('email', btrim(p_email), 'name', btrim(p_name), 'phone', nullif(btrim(p_phone), ''),
                                       'timezone', p_timezone);
    v_customer jsonb := jsonb_build_object('city', nullif(btrim(p_city), ''), 'province', nullif(btrim(p_province), ''),
                                           'postal_code', app.normalize_postal_code(p_postal_code, p_country),
                                           'country', coalesce(p_country, 'CA'));
    v_problems text[];
    v_hash text;
    v_user_id bigint;
begin
    -- every refused field at once (refuse_fields), judged by the tables' own constraints
    v_problems := app.failed_checks('app.users', v_user) || app.failed_checks('app.customers', v_customer);
    if exists (select 1 from app.users u where lower(u.email) = lower(btrim(p_email))) then
        v_problems := v_problems || 'users_email_key'::text;
    end if;
    if not exists (select 1 from app.time_zones z where z.name = p_timezone) then
        v_problems := v_problems || 'users_timezone_fkey'::text;
    end if;
    begin
        v_hash := app.hash_password(p_password);
    exception when sqlstate 'UV062' then
        v_problems := v_problems || 'UV062:password'::text;
    end;
    perform app.refuse_fields(v_problems);

    v_user_id := app.create_user(p_email, v_hash, 'customer', p_name, p_timezone, p_phone);

    insert into app.customers (id, city, province, postal_code, country)
    values (v_user_id, v_customer->>'city', v_customer->>'province', v_customer->>'postal_code', v_customer->>'country');
    return v_user_id;
end
$$;
comment on function app.sign_up_customer(text, text, text, text, text, text, text, text, text) is
    'Creates a customer account and its location; returns the user id. The password is hashed here (hash_password: at least 10 characters, else UV062). '
    'Every refused field is reported at once (refuse_fields: UV000 listing them when several): the users_ and '
    'customers_ constraints (users_email_format, users_phone_format, customers_postal_code_format …), '
    'users_email_key (email taken, any case), users_timezone_fkey and UV062:password.';
grant execute on function app.sign_up_customer(text, text, text, text, text, text, text, text, text) to autodoctor_app;
