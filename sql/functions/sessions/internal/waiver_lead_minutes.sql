create or replace function app.waiver_lead_minutes() returns integer
language sql immutable parallel safe
as $$
    select 60
$$;
comment on function app.waiver_lead_minutes() is
    'How many minutes before its start the waiver of a scheduled session can be signed (SPEC §12, §20): online by '
    'the customer, in person at the workshop''s check-in. The guard (sign_waiver), its refusal''s sentence and '
    'the read models (my_appointments, mechanic_sessions, workshop_visits: can_sign_waiver, can_check_in, '
    'check_in_from and the words the pages show) use it alike.';
