create or replace function app.availability_reason_message(p_reason text, p_mechanic bigint default null,
                                                            p_start timestamptz default null)
returns text
language plpgsql stable
set search_path = app, pg_temp
as $$
declare
    v_settings app.mechanic_settings;
begin
    select * into v_settings from app.mechanic_settings s where s.mechanic_id = p_mechanic;
    -- with the mechanic and the start, the sentence says which rule and its numbers: a time that has passed is
    -- too soon for every mechanic, and "too far" names how far ahead this one can be booked
    if p_reason = 'too_soon' and p_start < app.app_now() then
        return 'That time is in the past.';
    elsif p_reason = 'too_soon' and v_settings.min_notice_minutes is not null then
        return format('Too soon: this mechanic takes bookings from %s ahead.', app.duration_words(v_settings.min_notice_minutes));
    elsif p_reason = 'too_far' and v_settings.max_advance_days is not null then
        return format('That is beyond the %s days ahead you can book with this mechanic.', v_settings.max_advance_days);
    end if;
    return case p_reason
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
    end;
end
$$;
comment on function app.availability_reason_message(text, bigint, timestamptz) is
    'The sentence shown to people for an availability reason code (evaluate_slots); null for null (available). '
    'Given the mechanic and the slot''s start, it is specific: a start in the past says so, too_soon names the '
    'mechanic''s minimum notice and too_far their maximum advance in days.';
grant execute on function app.availability_reason_message(text, bigint, timestamptz) to autodoctor_app;
