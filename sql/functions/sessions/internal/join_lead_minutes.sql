create or replace function app.join_lead_minutes() returns integer
language sql immutable parallel safe
as $$
    select 15
$$;
comment on function app.join_lead_minutes() is
    'How many minutes before its start a scheduled online session can be joined (SPEC §7). The guard '
    '(join_session), its refusal''s sentence, the job (open_join_windows) and the read models (my_appointments: '
    'can_join; mechanic_sessions; the words the pages show) use it alike.';
