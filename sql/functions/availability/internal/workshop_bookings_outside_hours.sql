create or replace function app.workshop_bookings_outside_hours(p_workshop_id bigint) returns integer
language sql stable
as $$
    -- in-person visits at the workshop, and every booking of its mechanics: their time follows its hours (SPEC §1)
    select count(*)::integer
    from app.workshops w
    -- the mechanics as one array, read once: a subquery correlated with each upcoming session took seconds on a
    -- million of them (bench/analytics.py)
    join app.sessions s on s.workshop_id = w.id
                        or s.mechanic_id = any (array(select m.id from app.mechanics m where m.workshop_id = p_workshop_id))
    cross join lateral (select (s.scheduled_for at time zone w.timezone)::date as day) l
    left join app.workshop_availability h on h.workshop_id = w.id and h.weekday = extract(isodow from l.day)
    cross join lateral (
        select tstzrange(s.scheduled_for, s.scheduled_for + make_interval(mins => s.duration_minutes)) as span,
               tstzrange((l.day + h.opens_at) at time zone w.timezone, (l.day + h.closes_at) at time zone w.timezone) as open,
               tstzrange((l.day + h.break_start) at time zone w.timezone, (l.day + h.break_end) at time zone w.timezone) as pause
    ) r
    where w.id = p_workshop_id
      and s.kind = 'scheduled' and s.status in ('requested', 'scheduled', 'pending')
      and s.scheduled_for > (select app.app_now())  -- once, not a PL/pgSQL call per session
      and (h.is_closed is not false
           or exists (select 1 from app.workshop_closures c where c.workshop_id = w.id and c.closed_on = l.day)
           or not r.open @> r.span
           or (h.break_start is not null and r.pause && r.span))
$$;
comment on function app.workshop_bookings_outside_hours(bigint) is
    'How many upcoming bookings of a workshop (its in-person visits and its mechanics'' sessions) now fall on a '
    'closed day, outside the opening hours or in the break, in the workshop''s zone. Changing hours, closed days '
    'or the zone keeps bookings already made; the settings pages report this count so the admin can act.';
