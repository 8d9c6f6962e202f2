create or replace function app.analytics_as_of(p_actor bigint, p_from date, p_to date, p_zone text)
returns timestamptz
language sql stable security definer
set search_path = app, pg_temp
as $$
    select app.require_actor(p_actor);
    select s.as_of
    from app.analytics_request(p_actor, p_from, p_to, p_zone, null, null) q
    cross join app.analytics_summarized_days(p_zone, p_from, p_to) s
$$;
comment on function app.analytics_as_of(bigint, date, date, text) is
    'Up to when an analytics page (SPEC §15) over the local dates p_from..p_to of p_zone counted: the time of the '
    'oldest summary it reads (refresh_analytics), or null when it counts every day from the rows. Raises what '
    'analytics_request raises.';
grant execute on function app.analytics_as_of(bigint, date, date, text) to autodoctor_app;
