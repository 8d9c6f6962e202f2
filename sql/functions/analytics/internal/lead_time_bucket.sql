create or replace function app.lead_time_bucket(p_lead interval) returns integer
language sql immutable strict parallel safe
as $$
    select 1 + width_bucket(p_lead, app.lead_time_bounds())
$$;
comment on function app.lead_time_bucket(interval) is
    'The lead-time bucket (1–6) of a booking made p_lead before its start: [0, 2 h) is 1, … 2 weeks or more is 6 '
    '(lead_time_bounds).';
