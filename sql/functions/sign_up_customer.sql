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
    v_user_id bigint;
begin
    insert into app.users (email, password_hash, role, name, phone, timezone)
    values (btrim(p_email), app.hash_password(p_password), 'customer', btrim(p_name), nullif(btrim(p_phone), ''), p_timezone)
    returning id into v_user_id;

    insert into app.customers (id, city, province, postal_code, country)
    values (v_user_id, nullif(btrim(p_city), ''), nullif(btrim(p_province), ''),
            app.normalize_postal_code(p_postal_code, p_country), coalesce(p_country, 'CA'));
    return v_user_id;
end
$$;
comment on function app.sign_up_customer(text, text, text, text, text, text, text, text, text) is
    'Creates a customer account and its location; returns the user id. The password is hashed here (hash_password: at least 10 characters, else UV062). '
    'Refusals come from constraints: users_email_key (email taken, any case), users_timezone_fkey, '
    'customers_postal_code_format and the other users_/customers_ checks.';
grant execute on function app.sign_up_customer(text, text, text, text, text, text, text, text, text) to autodoctor_app;
