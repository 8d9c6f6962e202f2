create or replace function app.reschedule_cutoff_minutes() returns integer
language sql immutable parallel safe
as $$
    select 120
$$;
comment on function app.reschedule_cutoff_minutes() is
    'How many minutes before its start a scheduled session can still be moved (SPEC §3.3): until then, not '
    'after. The guard (reschedule_session), its refusal''s sentence and the read model (my_appointments: '
    'can_reschedule and the words the page shows) use it alike.';
