create or replace function app.log_in(p_email text, p_password text, p_ip inet, p_user_agent text,
                                      p_legacy_proof text default null)
returns table (outcome text, token text, role text, legacy_scheme text)
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_user app.users;
    v_legacy boolean;
    v_matches boolean;
    v_succeeded boolean;
    v_token text;
begin
    perform app.check_login_throttle(p_email, p_ip);
    select * into v_user from app.users u where lower(u.email) = lower(btrim(p_email));
    v_legacy := v_user.password_hash ~ '^(scrypt|pbkdf2):';
    if v_legacy and p_legacy_proof is null then
        -- a werkzeug hash from before passwords moved here (method$salt$digest): the app derives the digest from
        -- the password with the method and salt, then calls again; the digest itself never leaves the database
        return query select 'legacy', null::text, null::text,
                            split_part(v_user.password_hash, '$', 1) || '$' || split_part(v_user.password_hash, '$', 2);
        return;
    end if;
    if v_legacy then
        v_matches := split_part(v_user.password_hash, '$', 3) = p_legacy_proof;
        if v_matches then  -- upgraded at this first log-in since the move
            update app.users
            set password_hash = public.crypt(p_password, public.gen_salt('bf', (select p.bcrypt_cost from app.login_policy p)))
            where id = v_user.id;
        end if;
    elsif v_user.id is null or v_user.password_hash like '!%' then
        -- an unknown email, or a password never set: the same bcrypt work as a wrong password, so timing tells nothing
        perform public.crypt(coalesce(p_password, ''), public.gen_salt('bf', (select p.bcrypt_cost from app.login_policy p)));
        v_matches := false;
    else
        v_matches := public.crypt(coalesce(p_password, ''), v_user.password_hash) = v_user.password_hash;
    end if;
    v_succeeded := v_matches and v_user.deactivated_at is null;

    insert into app.login_attempts (email, ip, succeeded, attempted_at)
    values (left(btrim(coalesce(p_email, '')), 254), p_ip, v_succeeded, v_now);
    -- a success forgives the failures before it; attempts older than a day are of no further use
    delete from app.login_attempts a
    where (v_succeeded and lower(a.email) = lower(btrim(p_email)) and not a.succeeded)
       or a.attempted_at < v_now - interval '1 day';

    if not v_matches then
        return query select 'wrong', null::text, null::text, null::text;
        return;
    elsif not v_succeeded then  -- only someone who knows the password learns that the account is deactivated
        return query select 'deactivated', null::text, null::text, null::text;
        return;
    end if;
    v_token := encode(public.gen_random_bytes(32), 'hex');
    insert into app.login_sessions (user_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent)
    select v_user.id, sha256(convert_to(v_token, 'UTF8')), v_now, v_now, v_now + p.absolute_lifetime, p_ip,
           nullif(left(regexp_replace(coalesce(p_user_agent, ''), '[[:cntrl:]]', '', 'g'), 300), '')
    from app.login_policy p;
    -- sessions that ended more than 90 days ago are of no further use
    delete from app.login_sessions s
    where s.user_id = v_user.id and (s.revoked_at < v_now - interval '90 days' or s.expires_at < v_now - interval '90 days');
    return query select 'ok', v_token, v_user.role, null::text;
end
$$;
comment on function app.log_in(text, text, inet, text, text) is
    'Checks a password here (bcrypt through pgcrypto) and, when it matches an active account, starts a log-in '
    'session: returns outcome ''ok'' with the session''s token (stored only as its SHA-256) and the role. '
    'Otherwise outcome ''wrong'' (unknown email, wrong password or none set yet: the same answer and the same '
    'work), ''deactivated'' (right password, deactivated account) or ''legacy'' with legacy_scheme (a werkzeug '
    'hash from before: call again with p_legacy_proof, the digest of the password under that method and salt; '
    'the password is then rehashed with bcrypt). Every attempt is recorded; raises UL001/UL004 while throttled '
    '(check_login_throttle).';
grant execute on function app.log_in(text, text, inet, text, text) to autodoctor_app;
