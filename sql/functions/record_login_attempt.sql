create or replace function app.record_login_attempt(p_email text, p_ip inet, p_succeeded boolean) returns void
language sql volatile security definer
set search_path = app, pg_temp
as $$
    insert into app.login_attempts (email, ip, succeeded, attempted_at)
    values (left(btrim(p_email), 254), p_ip, p_succeeded, app.app_now());
    -- a success forgives the failures before it; attempts older than a day are of no further use
    delete from app.login_attempts
    where (p_succeeded and lower(email) = lower(btrim(p_email)) and not succeeded)
       or attempted_at < app.app_now() - interval '1 day';
$$;
comment on function app.record_login_attempt(text, inet, boolean) is
    'Records a log-in attempt for rate limiting (see login_lookup).';
grant execute on function app.record_login_attempt(text, inet, boolean) to autodoctor_app;
