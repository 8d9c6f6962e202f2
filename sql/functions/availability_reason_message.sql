create or replace function app.availability_reason_message(p_reason text) returns text
language sql immutable parallel safe
as $$
    select case p_reason
        when 'off_grid' then 'Sessions start on the mechanic''s booking grid (every 30 minutes unless they chose otherwise).'
        when 'too_soon' then 'Too soon: this mechanic needs more notice.'
        when 'too_far' then 'Too far ahead: this mechanic does not take bookings that far out yet.'
        when 'time_off' then 'The mechanic is away that day.'
        when 'workshop_closed' then 'The workshop is closed then.'
        when 'outside_hours' then 'Outside the mechanic''s working hours.'
        when 'break' then 'During the workshop''s break.'
        when 'booked' then 'Already booked.'
        when 'workshop_full' then 'The workshop is fully booked then.'
        when 'customer_busy' then 'You already have a booking at that time.'
    end
$$;
comment on function app.availability_reason_message(text) is
    'The sentence shown to people for an availability reason code; null for null (available).';
grant execute on function app.availability_reason_message(text) to autodoctor_app;
