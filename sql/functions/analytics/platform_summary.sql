create or replace function app.platform_summary()
returns table (mechanics_online bigint, mechanics bigint, workshops bigint, cities bigint)
language sql stable security definer
set search_path = app, pg_temp
as $$
    select (select count(*) from app.mechanics where currently_on_shift),
           (select count(*) from app.mechanics),
           (select count(*) from app.workshops),
           (select count(distinct lower(city)) from app.mechanics where city is not null)
$$;
comment on function app.platform_summary() is 'Public numbers for the home page: mechanics online now and in all.';
grant execute on function app.platform_summary() to autodoctor_app;
