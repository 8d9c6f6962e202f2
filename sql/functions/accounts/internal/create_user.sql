create or replace function app.create_user(
    p_email text,
    p_password_hash text,
    p_role text,
    p_name text,
    p_timezone text,
    p_phone text default null
) returns bigint
language plpgsql volatile
as $$
declare
    v_user_id bigint;
begin
    -- the unique index and the constraints stay the guarantee (two sign-ups of one email at once)
    insert into app.users (email, password_hash, role, name, phone, timezone, created_at)
    values (btrim(p_email), p_password_hash, p_role, btrim(p_name), nullif(btrim(p_phone), ''), p_timezone, app.app_now())
    returning id into v_user_id;
    return v_user_id;
end
$$;
comment on function app.create_user(text, text, text, text, text, text) is
    'Writes the users row of a new account, the one insert of sign_up_customer and create_staff_account (which '
    'check the fields first): email, name and phone trimmed (an empty phone is none), the password hash as given; '
    'returns the user id. Raises the users_ constraints, users_email_key (23505) when the email is taken.';
