create or replace function app.acting_user(p_token text) returns bigint
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_user bigint;
begin
    select s.id into v_user from app.login_session_of(p_token) s;
    if v_user is null then
        raise exception using errcode = 'UA001', message = 'no live log-in session for this token';
    end if;
    return v_user;
end
$$;
comment on function app.acting_user(text) is
    'Binds the person of a live log-in session as this transaction''s actor and returns their id; raises UA001 '
    'when the log-in has ended. The app passes it as the p_actor of every call it makes for a logged-in person '
    '(db.call): the argument is evaluated, and the actor bound, before the function runs.';
grant execute on function app.acting_user(text) to autodoctor_app;
