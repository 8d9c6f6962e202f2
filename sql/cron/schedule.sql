-- The timed jobs of SPEC §13 for pg_cron, on the schedule jobs.py gives APScheduler. Run it with psql in the
-- database pg_cron is installed in (cron.database_name, often postgres), naming Auto Doctor's database:
--
--     psql -d postgres -v database=autodoctor -f sql/cron/schedule.sql
--
-- and start the app with JOB_RUNNER=pg_cron: it then runs only the jobs that talk to the outside world
-- (deliver_outbox, send_refunds, reconcile_payments), which must not run inside the database. Running this
-- file again updates the jobs in place (they are scheduled by name). Every function is idempotent and safe
-- to run late, twice or concurrently, so a job pg_cron starts while the app also runs it changes nothing twice.
select cron.schedule_in_database('autodoctor-release-expired-reservations', '* * * * *',
                                 'select app.release_expired_reservations()', :'database');
select cron.schedule_in_database('autodoctor-expire-unanswered-sessions', '* * * * *',
                                 'select app.expire_unanswered_sessions()', :'database');
select cron.schedule_in_database('autodoctor-open-join-windows', '* * * * *',
                                 'select app.open_join_windows()', :'database');
select cron.schedule_in_database('autodoctor-queue-due-reminders', '* * * * *',
                                 'select app.queue_due_reminders()', :'database');
select cron.schedule_in_database('autodoctor-rematch-sessions', '* * * * *',
                                 'select app.rematch_sessions()', :'database');
select cron.schedule_in_database('autodoctor-handle-no-shows', '*/5 * * * *',
                                 'select app.handle_no_shows()', :'database');
select cron.schedule_in_database('autodoctor-expire-waitlist-entries', '*/5 * * * *',
                                 'select app.expire_waitlist_entries()', :'database');
select cron.schedule_in_database('autodoctor-refresh-analytics', '*/5 * * * *',
                                 'select app.refresh_analytics()', :'database');
select cron.schedule_in_database('autodoctor-forget-stale-drafts', '*/30 * * * *',
                                 'select app.forget_stale_drafts()', :'database');
