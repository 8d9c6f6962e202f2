create or replace function app.lead_time_bounds() returns interval[]
language sql immutable parallel safe
as $$
    select array['2 hours', '24 hours', '72 hours', '168 hours', '336 hours']::interval[]
$$;
comment on function app.lead_time_bounds() is
    'The lead times at which the lead-time buckets of the analytics (SPEC §15) change: < 2 h, 2–24 h, 1–3 days, '
    '3–7 days, 1–2 weeks, > 2 weeks.';
