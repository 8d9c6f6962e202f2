create or replace function app.check_password_token(p_token text)
returns table (user_id bigint, name text, email text, role text, timezone text, expires_at timestamptz,
               password_set boolean)
language plpgsql stable security definer
set search_path = app, pg_temp
as $$
declare
    v_link record;
begin
    select t.user_id, u.name, u.email, u.role, u.timezone, t.expires_at, t.used_at, t.voided_at, u.deactivated_at,
           u.password_hash not like '!%' as password_set
    into v_link
    from app.password_tokens t
    join app.users u on u.id = t.user_id
    where t.token_hash = sha256(convert_to(coalesce(p_token, ''), 'UTF8'));
    if not found then
        raise exception using errcode = 'UN080', message = 'no such link';
    elsif v_link.deactivated_at is not null then
        raise exception using errcode = 'UR085', message = format('account %s is deactivated', v_link.user_id);
    elsif v_link.used_at is not null then
        raise exception using errcode = 'UR082', message = format('the link was used at %s', v_link.used_at);
    elsif v_link.voided_at is not null then
        raise exception using errcode = 'UR084', message = format('the link was closed at %s', v_link.voided_at);
    elsif v_link.expires_at <= app.app_now() then
        raise exception using errcode = 'UR083', message = format('the link expired at %s', v_link.expires_at);
    end if;
    return query select v_link.user_id, v_link.name, v_link.email, v_link.role, v_link.timezone, v_link.expires_at,
                        v_link.password_set;
end
$$;
comment on function app.check_password_token(text) is
    'Whose link to set a password this token is, while it works (for the public set-password page; the token is '
    'the credential). Raises UN080 (no such link), UR085 (account deactivated), UR082 (already used), UR084 '
    '(a newer link replaced it), UR083 (expired: 48 hours after it was made).';
grant execute on function app.check_password_token(text) to autodoctor_app;
