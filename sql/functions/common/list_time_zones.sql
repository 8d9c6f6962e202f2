create or replace function app.list_time_zones() returns setof text
language sql stable security definer
set search_path = app, pg_temp
as $$
    select name from app.time_zones order by name
$$;
comment on function app.list_time_zones() is 'Every IANA time zone an account, mechanic or workshop may use.';
grant execute on function app.list_time_zones() to autodoctor_app;
