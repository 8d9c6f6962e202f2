create or replace function app.authenticate(p_token text)
returns table (id bigint, email text, name text, role text, timezone text, login_session_id bigint)
language sql volatile security definer
set search_path = app, pg_temp
as $$
    select * from app.login_session_of(p_token)
$$;
comment on function app.authenticate(text) is
    'The logged-in person of this token as the pages need them, bound as this transaction''s actor '
    '(login_session_of); no row when the log-in has ended. The app calls it once a request, to know who is '
    'there; every other call binds through acting_user.';
grant execute on function app.authenticate(text) to autodoctor_app;
