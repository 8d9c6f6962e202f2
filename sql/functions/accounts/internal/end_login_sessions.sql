create or replace function app.end_login_sessions(p_user bigint, p_why text, p_by bigint, p_keep bigint)
returns integer
language sql volatile
set search_path = app, pg_temp
as $$
    with ended as (
        update app.login_sessions s
        set revoked_at = app.app_now(), revoked_by = p_by, revoked_why = p_why
        where s.user_id = p_user and s.revoked_at is null and s.id is distinct from p_keep
        returning 1
    )
    select count(*)::integer from ended
$$;
comment on function app.end_login_sessions(bigint, text, bigint, bigint) is
    'Revokes every live log-in session of a user but p_keep (null: all), recording why and by whom; returns '
    'how many. Not callable by the app.';
