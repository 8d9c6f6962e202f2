create or replace function app.current_account(p_user_id bigint)
returns table (id bigint, email text, name text, role text, timezone text)
language sql stable security definer
set search_path = app, pg_temp
as $$
    select u.id, u.email, u.name, u.role, u.timezone from app.users u where u.id = p_user_id and u.deactivated_at is null
$$;
comment on function app.current_account(bigint) is
    'The logged-in user as the pages need them (no password hash); no row when the account is gone or '
    'deactivated (a browser logged in before the deactivation is logged out at its next request).';
grant execute on function app.current_account(bigint) to autodoctor_app;
