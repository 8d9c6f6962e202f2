create or replace function app.check_login_throttle(p_email text, p_ip inet) returns void
language plpgsql stable
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
    v_failures integer;
    v_last timestamptz;
begin
    -- one address guessing at many accounts: 30 failures in 15 minutes lock that address only
    if p_ip is not null and (select count(*) from app.login_attempts a
                             where a.ip = p_ip and not a.succeeded and a.attempted_at > v_now - interval '15 minutes') >= 30
    then
        raise exception using errcode = 'UL001', message = format('too many failed log-in attempts from %s', p_ip);
    end if;
    -- one account from one address: from the third failure on, a wait that doubles (15 s, 30 s … 15 min). Failures
    -- from elsewhere never slow the owner down: a guesser cannot lock anyone out
    select count(*), max(a.attempted_at) into v_failures, v_last
    from app.login_attempts a
    where lower(a.email) = lower(btrim(p_email)) and a.ip is not distinct from p_ip and not a.succeeded
      and a.attempted_at > v_now - interval '15 minutes';
    if v_failures >= 3
       and v_now < v_last + least(interval '15 seconds' * 2 ^ (v_failures - 3), interval '15 minutes') then
        raise exception using errcode = 'UL004',
            message = format('%s failed log-ins for %s from %s: wait until %s', v_failures, p_email, p_ip,
                             v_last + least(interval '15 seconds' * 2 ^ (v_failures - 3), interval '15 minutes'));
    end if;
end
$$;
comment on function app.check_login_throttle(text, inet) is
    'Raises UL001 after 30 failed log-ins from the address within 15 minutes (that address only), UL004 while '
    'an email''s failures from this address make it wait: from the third failure in 15 minutes, 15 s after the '
    'last, doubling up to 15 minutes. Used by log_in; not callable by the app.';
