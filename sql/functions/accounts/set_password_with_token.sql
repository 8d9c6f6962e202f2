create or replace function app.set_password_with_token(p_token text, p_password text) returns text
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_hash bytea := sha256(convert_to(coalesce(p_token, ''), 'UTF8'));
    v_link record;
begin
    -- two submissions of one link queue here; the second then finds it used
    perform 1 from app.password_tokens t where t.token_hash = v_hash for update;
    select * into v_link from app.check_password_token(p_token);
    update app.password_tokens set used_at = app.app_now() where token_hash = v_hash;
    update app.users set password_hash = app.hash_password(p_password) where id = v_link.user_id;
    perform app.close_password_links(v_link.user_id);
    -- whoever knew the old password is logged out everywhere
    perform app.end_login_sessions(v_link.user_id, 'password_changed', null, null);
    return v_link.email;
end
$$;
comment on function app.set_password_with_token(text, text) is
    'Sets the password of the person whose link this token is (hashed here, see hash_password), uses the link '
    'up (it works once) and ends every log-in session of theirs. Returns their email, to log in with. Raises '
    'as check_password_token: UN080, UR085, UR082, UR084, UR083; UV062 for a password under 10 characters.';
grant execute on function app.set_password_with_token(text, text) to autodoctor_app;
