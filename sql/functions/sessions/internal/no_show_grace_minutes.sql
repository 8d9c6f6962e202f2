create or replace function app.no_show_grace_minutes() returns integer
language sql immutable parallel safe
as $$
    select 10
$$;
comment on function app.no_show_grace_minutes() is
    'How many minutes after its start the assigned mechanic may mark a scheduled session''s customer absent '
    '(SPEC §13). The guard (mark_no_show), its refusal''s sentence and the read model (mechanic_sessions: '
    'can_no_show, no_show_from and the words the page shows) use it alike.';
