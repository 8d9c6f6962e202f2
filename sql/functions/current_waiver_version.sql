create or replace function app.current_waiver_version() returns integer
language sql stable
as $$
    select max(v.version) from app.waiver_versions v where v.published_at <= app.app_now();
$$;
comment on function app.current_waiver_version() is
    'The waiver version in force now: the newest one published (a version dated later waits for its day).';
