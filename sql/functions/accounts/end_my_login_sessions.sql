create or replace function app.end_my_login_sessions(p_actor bigint, p_keep bigint default null,
                                                    p_session bigint default null, p_user bigint default null)
returns integer
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user bigint := coalesce(p_user, p_actor);
    v_ended integer;
begin
    if v_user is distinct from p_actor then
        perform app.require_role(p_actor, 'admin');
        return app.end_login_sessions(v_user, 'revoked_by_admin', p_actor, null);
    end if;
    perform app.require_actor(p_actor);
    if p_session is null then  -- "log out other devices": all but the one asking
        return app.end_login_sessions(p_actor, 'other_devices', p_actor, p_keep);
    end if;
    update app.login_sessions s set revoked_at = app.app_now(), revoked_by = p_actor, revoked_why = 'revoked_by_owner'
    where s.id = p_session and s.user_id = p_actor and s.revoked_at is null;
    get diagnostics v_ended = row_count;
    if v_ended = 0 then
        raise exception using errcode = 'UN001', message = format('no live session %s of user %s', p_session, p_actor);
    end if;
    return v_ended;
end
$$;
comment on function app.end_my_login_sessions(bigint, bigint, bigint, bigint) is
    'Ends log-in sessions: the actor''s one p_session, or all of the actor''s but p_keep (their current one: "log '
    'out other devices"), or, for the platform admin, every session of p_user (logged with the admin''s id). '
    'Returns how many ended. Raises UA001, UP001 (p_user for a non-admin), UN001 (no such live session of yours).';
grant execute on function app.end_my_login_sessions(bigint, bigint, bigint, bigint) to autodoctor_app;
