create or replace function app.note_signup_attempt(p_ip inet) returns void
language plpgsql volatile security definer
set search_path = app, pg_temp
as $$
declare
    v_now timestamptz := app.app_now();
begin
    if p_ip is null then
        return;
    end if;
    -- 10 sign-ups an hour from one address: a household or an office, not a list of emails being tried
    if (select count(*) from app.signup_attempts a where a.ip = p_ip and a.attempted_at > v_now - interval '1 hour') >= 10 then
        raise exception using errcode = 'UL005', message = format('10 sign-up attempts from %s within an hour', p_ip);
    end if;
    insert into app.signup_attempts (ip, attempted_at) values (p_ip, v_now);
    delete from app.signup_attempts a where a.attempted_at < v_now - interval '1 day';
end
$$;
comment on function app.note_signup_attempt(inet) is
    'Counts a sign-up attempt from an address before it is made (it may fail and say that the email exists): '
    'raises UL005 from the 11th within an hour. A null address (none known) is not counted.';
grant execute on function app.note_signup_attempt(inet) to autodoctor_app;
