create or replace function app.time_off_sessions(p_mechanic bigint, p_start_date date, p_end_date date)
returns table (session_id bigint, starts_at timestamptz)
language sql stable
set search_path = app, pg_temp
as $$
    select s.id, s.scheduled_for
    from app.mechanics m
    join app.sessions s on s.mechanic_id = m.id
    where m.id = p_mechanic
      and s.status in ('requested', 'scheduled', 'pending', 'live')
      and s.scheduled_for < (p_end_date + 1)::timestamp at time zone m.timezone
      and s.scheduled_for + make_interval(mins => s.duration_minutes) > p_start_date::timestamp at time zone m.timezone
    order by s.scheduled_for
$$;
comment on function app.time_off_sessions(bigint, date, date) is
    'The mechanic''s booked (requested, scheduled, pending or live) scheduled sessions that overlap the local '
    'dates p_start_date to p_end_date of their zone, both included. Used by add_time_off and my_time_off.';
