create or replace function app.login_lookup(p_email text, p_ip inet)
returns table (user_id bigint, password_hash text, role text, deactivated boolean)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    -- 5 failures for one email, or 20 from one address, within 15 minutes lock logging in for a while
    if (select count(*) from app.login_attempts a
        where lower(a.email) = lower(btrim(p_email)) and not a.succeeded
          and a.attempted_at > app.app_now() - interval '15 minutes') >= 5
       or (p_ip is not null and (select count(*) from app.login_attempts a
        where a.ip = p_ip and not a.succeeded
          and a.attempted_at > app.app_now() - interval '15 minutes') >= 20)
    then
        raise exception using errcode = 'UL001', message = 'too many failed log-in attempts';
    end if;
    return query
        -- a password never set (an invited staff member's, see create_staff_account) comes back as null
        select u.id, case when u.password_hash like '!%' then null else u.password_hash end, u.role,
               u.deactivated_at is not null
        from app.users u where lower(u.email) = lower(btrim(p_email));
end
$$;
comment on function app.login_lookup(text, inet) is
    'The account to check a password against (none when the email is unknown): its hash (null while the person '
    'has not set a password yet), role, and whether it is deactivated (the password is checked first, so only '
    'someone who knows it learns that). Raises UL001 after 5 failed attempts for the email or 20 from the '
    'address within 15 minutes.';
grant execute on function app.login_lookup(text, inet) to autodoctor_app;
