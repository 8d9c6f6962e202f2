create or replace function app.change_password(p_actor bigint, p_current_password text, p_new_password text,
                                               p_keep bigint)
returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_hash text;
begin
    perform app.require_actor(p_actor);
    select u.password_hash into v_hash from app.users u where u.id = p_actor for no key update;
    if v_hash is null or v_hash like '!%' or v_hash ~ '^(scrypt|pbkdf2):'
       or public.crypt(coalesce(p_current_password, ''), v_hash) <> v_hash then
        raise exception using errcode = 'UV063', column = 'current_password', message = 'the current password is wrong';
    end if;
    update app.users set password_hash = app.hash_password(p_new_password) where id = p_actor;
    perform app.close_password_links(p_actor);
    perform app.end_login_sessions(p_actor, 'password_changed', p_actor, p_keep);
end
$$;
comment on function app.change_password(bigint, text, text, bigint) is
    'A logged-in person changes their password, giving the current one; every other log-in session of theirs '
    'ends (p_keep, the one asking, stays). Raises UA001, UV063 (current password wrong), UV062 (new one under '
    '10 characters).';
grant execute on function app.change_password(bigint, text, text, bigint) to autodoctor_app;
