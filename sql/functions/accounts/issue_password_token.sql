create or replace function app.issue_password_token(p_actor bigint, p_user bigint) returns timestamptz
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user app.users;
    v_now timestamptz := app.app_now();
    v_token text;
    v_expires timestamptz := v_now + interval '48 hours';
begin
    perform app.require_role(p_actor, 'admin');
    -- one issue at a time per person, so that exactly one link stays open
    select * into v_user from app.users u where u.id = p_user for update;
    if not found then
        raise exception using errcode = 'UN001', message = format('no account %s', p_user);
    end if;
    if v_user.deactivated_at is not null then
        raise exception using errcode = 'UR085', message = format('account %s is deactivated', p_user);
    end if;
    perform app.close_password_links(p_user);
    -- 32 random bytes (two version-4 UUIDs: 244 of their bits are random), URL-safe; only their hash is kept
    v_token := rtrim(translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'),
                                      'base64'), '+/', '-_'), '=');
    insert into app.password_tokens (user_id, token_hash, created_by, created_at, expires_at)
    values (p_user, sha256(convert_to(v_token, 'UTF8')), p_actor, v_now, v_expires);
    perform app.notify(p_user, 'staff_invite', jsonb_build_object(
        'token', v_token,
        'password_set', v_user.password_hash not like '!%',
        'role', v_user.role,
        'audience', case v_user.role when 'mechanic' then 'mechanic' when 'workshop_admin' then 'workshop'
                                     else v_user.role end,
        'workshop_name', (select string_agg(w.name, ', ' order by w.name) from app.workshops w
                          where w.id in (select m.workshop_id from app.mechanics m where m.id = p_user
                                         union select a.workshop_id from app.workshop_admins a where a.user_id = p_user)),
        'invited_by', (select a.name from app.users a where a.id = p_actor)));
    return v_expires;
end
$$;
comment on function app.issue_password_token(bigint, bigint) is
    'The platform admin sends a person a link to set their password (SPEC §16): a single-use token, valid 48 '
    'hours from now (app_now), of which only the SHA-256 is stored; the links sent before stop working '
    '(close_password_links). The email (template staff_invite) carries the token, never a password. Returns '
    'when the link expires. Raises UP001 (not a platform admin), UN001 (no such account), UR085 (deactivated).';
grant execute on function app.issue_password_token(bigint, bigint) to autodoctor_app;
