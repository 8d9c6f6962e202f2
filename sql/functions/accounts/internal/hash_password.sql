create or replace function app.hash_password(p_password text) returns text
language plpgsql volatile
set search_path = app, pg_temp
as $$
begin
    if p_password is null then
        return null;
    end if;
    -- the app also asks for a strong password (zxcvbn); this is the floor that holds whoever calls
    if length(p_password) < 10 then
        raise exception using errcode = 'UV062', column = 'password', message = 'a password has at least 10 characters';
    end if;
    return public.crypt(p_password, public.gen_salt('bf', (select p.bcrypt_cost from app.login_policy p)));
end
$$;
comment on function app.hash_password(text) is
    'A bcrypt hash of the password at login_policy''s cost (null for null). Raises UV062 under 10 characters. '
    'Not callable by the app.';
