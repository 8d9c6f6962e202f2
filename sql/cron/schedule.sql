-- The timed jobs of SPEC §13 for pg_cron, on the schedule jobs.py gives APScheduler. `flask jobs schedule` (and
-- `flask serve` under JOB_RUNNER=pg_cron) loads it; by hand, with psql in the database pg_cron is installed in
-- (cron.database_name, often postgres), as the user DATABASE_URL names, naming Auto Doctor's database:
--
--     psql -d postgres -c "set autodoctor.database = 'autodoctor'" -f sql/cron/schedule.sql
--
-- pg_cron runs each job as the user who scheduled it, so load it as DATABASE_URL's user (the owner, or a superuser):
-- the functions are the owner's and run with its rights; the web role may not run them. Loading it again updates
-- the jobs in place (they are scheduled by name). Every function is idempotent and safe to run late, twice or
-- concurrently, so a job pg_cron starts while a one-off `flask jobs run` runs it changes nothing twice.
select cron.schedule_in_database(jobname, schedule, command, current_setting('autodoctor.database'))
  from (values
    ('autodoctor-release-expired-reservations', '* * * * *', 'select app.release_expired_reservations()'),
    ('autodoctor-expire-unanswered-sessions', '* * * * *', 'select app.expire_unanswered_sessions()'),
    ('autodoctor-open-join-windows', '* * * * *', 'select app.open_join_windows()'),
    ('autodoctor-queue-due-reminders', '* * * * *', 'select app.queue_due_reminders()'),
    ('autodoctor-rematch-sessions', '* * * * *', 'select app.rematch_sessions()'),
    ('autodoctor-handle-no-shows', '*/5 * * * *', 'select app.handle_no_shows()'),
    ('autodoctor-expire-waitlist-entries', '*/5 * * * *', 'select app.expire_waitlist_entries()'),
    ('autodoctor-refresh-analytics', '*/5 * * * *', 'select app.refresh_analytics()'),
    ('autodoctor-forget-stale-drafts', '*/30 * * * *', 'select app.forget_stale_drafts()')
  ) as jobs (jobname, schedule, command);
