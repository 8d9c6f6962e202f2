create or replace function app.log_out(p_token text) returns void
language sql volatile security definer
set search_path = app, pg_temp
as $$
    update app.login_sessions s
    set revoked_at = app.app_now(), revoked_by = s.user_id, revoked_why = 'logged_out'
    where s.token_hash = sha256(convert_to(coalesce(p_token, ''), 'UTF8')) and s.revoked_at is null
$$;
comment on function app.log_out(text) is
    'Ends the log-in session of this token, so that a copy of the cookie no longer works. The token is the '
    'credential: no actor needed; an unknown or ended token changes nothing.';
grant execute on function app.log_out(text) to autodoctor_app;
