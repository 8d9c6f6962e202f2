create or replace function app.outbox_backlog()
returns table (pending bigint, due bigint, oldest_due_at timestamptz, oldest_due_age interval)
language sql stable security definer
set search_path = app, pg_temp
as $$
    -- a claimed message is pending under its lease, and one that failed waits for its back-off: neither is due,
    -- so the age is how late delivery runs, not how long a failing address has been tried
    select count(*), count(*) filter (where o.next_attempt_at <= app.app_now()),
           min(o.next_attempt_at) filter (where o.next_attempt_at <= app.app_now()),
           app.app_now() - min(o.next_attempt_at) filter (where o.next_attempt_at <= app.app_now())
    from app.outbox o
    where o.status = 'pending';
$$;
comment on function app.outbox_backlog() is
    'The outbox''s backlog (issue 19): messages pending (due now, claimed under a lease, or waiting for a retry), '
    'those due now, and since when the oldest due one has waited (null when none is due). The delivery job logs '
    'it after every run; admin_outbox_backlog shows it.';
