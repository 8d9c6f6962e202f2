create or replace function app.my_login_sessions(p_actor bigint, p_user bigint default null)
returns table (id bigint, created_at timestamptz, last_seen_at timestamptz, ip inet, user_agent text)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
begin
    -- a person sees their own; the platform admin anyone's (the account page)
    if p_user is not null and p_user is distinct from p_actor then
        perform app.require_role(p_actor, 'admin');
    else
        perform app.require_actor(p_actor);
    end if;
    return query
        select s.id, s.created_at, s.last_seen_at, s.ip, s.user_agent
        from app.login_sessions s cross join app.login_policy p
        where s.user_id = coalesce(p_user, p_actor) and s.revoked_at is null
          and s.expires_at > app.app_now() and s.last_seen_at + p.idle_lifetime > app.app_now()
        order by s.last_seen_at desc, s.id desc;
end
$$;
comment on function app.my_login_sessions(bigint, bigint) is
    'The live log-in sessions (devices) of the actor, or of p_user for the platform admin: when each started '
    'and was last used, from which address and browser. Raises UA001 (require_actor), UP001 for someone else''s '
    'but the admin''s.';
grant execute on function app.my_login_sessions(bigint, bigint) to autodoctor_app;
