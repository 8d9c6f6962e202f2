create or replace function app.session_completes_from(p_service_type text, p_scheduled_for timestamptz)
returns timestamptz
language sql immutable
as $$
    select case when p_service_type = 'in_person' then p_scheduled_for end
$$;
comment on function app.session_completes_from(text, timestamptz) is
    'From when a session may be completed: an in-person visit from its start (the work is done at the '
    'workshop in the time booked, so it is neither completed nor its balance charged before); null for an '
    'online session (no bound). The guard (tg_sessions__guard_transition), complete_visit and the read models '
    '(workshop_visits, mechanic_sessions) use it alike.';
