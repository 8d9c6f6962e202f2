create or replace function app.day_refusal_message(p_mechanic bigint, p_day date, p_viewer_tz text) returns text
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- the day as the viewer reads it: past once it has ended, beyond the mechanic's maximum advance once it
    -- starts after the last bookable moment
    select case
        when (p_day + 1)::timestamp at time zone p_viewer_tz <= app.app_now() then 'That day is in the past.'
        when p_day::timestamp at time zone p_viewer_tz > app.app_now() + make_interval(days => s.max_advance_days)
            then format('That day is beyond the %s days ahead you can book with this mechanic.', s.max_advance_days)
    end
    from (select 1) one
    left join app.mechanic_settings s on s.mechanic_id = p_mechanic
    where exists (select 1 from app.time_zones z where z.name = p_viewer_tz)
$$;
comment on function app.day_refusal_message(bigint, date, text) is
    'Why no time of a whole day (a local date of the viewer''s zone) can be booked with the mechanic, when the '
    'day itself is the reason: it is in the past, or beyond the mechanic''s maximum advance (days). Null when '
    'the day is within reach (its times say why they are not free), or for an unknown zone. Without a mechanic '
    '(any available one), only a past day is refused here.';
grant execute on function app.day_refusal_message(bigint, date, text) to autodoctor_app;
