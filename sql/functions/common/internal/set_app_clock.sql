create or replace function app.set_app_clock(p_at timestamptz) returns timestamptz
language sql volatile
set search_path = app, pg_temp
as $$
    update app.app_clock set frozen_at = p_at returning app.app_now()
$$;
comment on function app.set_app_clock(timestamptz) is
    'Freezes app_now() at the given time, or lets it follow the real clock again with null. For tests and '
    'demos; the app role may not call it.';
