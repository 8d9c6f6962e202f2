create or replace function app.app_now() returns timestamptz
language sql stable parallel safe
as $$
    select coalesce((select frozen_at from app.app_clock), now())
$$;
comment on function app.app_now() is
    'The one clock of the application: the frozen time of app_clock when set (tests, demos), else now(). '
    'Plain SQL without SET clauses, so PostgreSQL inlines it into the functions that read the time.';
