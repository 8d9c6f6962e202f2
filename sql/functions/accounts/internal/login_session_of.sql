create or replace function app.login_session_of(p_token text)
returns table (id bigint, email text, name text, role text, timezone text, login_session_id bigint)
language plpgsql volatile
as $$
declare
    v_now timestamptz := app.app_now();
    v_found record;
begin
    select s.id as session_id, s.last_seen_at, u.id, u.email, u.name, u.role, u.timezone into v_found
    from app.login_sessions s
    join app.users u on u.id = s.user_id
    cross join app.login_policy p
    where s.token_hash = sha256(convert_to(coalesce(p_token, ''), 'UTF8'))
      and s.revoked_at is null and s.expires_at > v_now and s.last_seen_at + p.idle_lifetime > v_now
      and u.deactivated_at is null;
    if not found then
        return;  -- logged out, revoked, expired or deactivated: nobody is bound
    end if;
    if v_found.last_seen_at < v_now - interval '1 minute' then  -- at most one write a minute per session
        update app.login_sessions set last_seen_at = v_now where login_sessions.id = v_found.session_id;
    end if;
    perform set_config('autodoctor.actor', app.actor_signature(v_found.id), true);
    return query select v_found.id, v_found.email, v_found.name, v_found.role, v_found.timezone, v_found.session_id;
end
$$;
comment on function app.login_session_of(text) is
    'The person of a live log-in session, bound as this transaction''s actor (see bound_actor); no row, and '
    'nobody bound, when the token is unknown, logged out, revoked, idle past login_policy.idle_lifetime, past '
    'its absolute lifetime, or the account is deactivated. Behind authenticate and acting_user; not callable by '
    'the app.';
