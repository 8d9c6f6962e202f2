"""Timed work (SPEC §13). Every job is a SQL function, idempotent and safe to run late, twice or at once;
the three that talk to the outside world (the outbox, refunds, reconciliation) are Python around SQL ones,
because SMTP and Stripe must never be called inside a transaction.

Who runs them:
    JOB_RUNNER=app      (default) APScheduler in the serving process runs every job
    JOB_RUNNER=pg_cron  pg_cron runs the SQL jobs (sql/cron/schedule.sql, the same schedule, which `flask serve`
                        loads into pg_cron: install_cron_schedule); the app runs the rest
    JOB_RUNNER=off      nothing runs in the app (run `flask jobs run` from cron instead)

JOB_MINUTE_SECONDS (60) is how long a job-minute of `flask serve` lasts: only tests and demos shorten it, to
see a day's timed work in minutes. The outbox does not wait for its minute: a trigger on app.outbox notifies
channel `outbox` as messages are queued, and the leading process, listening, delivers them at once.

One runner per deployment: a process runs jobs only while it holds the deployment's PostgreSQL advisory
lock, on a connection of its own; another process waits, and takes over within a minute if that connection
goes away. Each run also holds its job's own lock, so a one-off `flask jobs run` beside the scheduler never
runs the same job twice at once. Jobs run as the schema owner (DATABASE_URL): the web role may not run them.
"""
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

import db
import notifications
import payments

log = logging.getLogger(__name__)

# advisory lock keys (class, id): classes 1 to 4 serialize claims, payments and time off in SQL (app.take_turn lists
# them); 5 is the runner, 6 a job, keyed by hashtext of its name so that adding or reordering jobs moves no key
RUNNER_LOCK = (5, 0)
JOB_LOCK_CLASS = 6
CRON_SCHEDULE = Path(__file__).resolve().parent / "sql" / "cron" / "schedule.sql"


@dataclass(frozen=True)
class Job:
    name: str
    every_minutes: int
    python: Callable[[], int] | None = None  # for the jobs that talk to the outside world; the rest are SQL
    wake: str | None = None  # a NOTIFY channel on which the leading process runs the job at once

    @property
    def in_sql(self):
        """A SQL function of the same name, which pg_cron can run as it is."""
        return self.python is None

    def run(self):
        return db.call_value(self.name) if self.in_sql else self.python()


JOBS = {job.name: job for job in (
    Job("release_expired_reservations", 1),
    Job("expire_unanswered_sessions", 1),
    Job("open_join_windows", 1),
    Job("queue_due_reminders", 1),
    Job("rematch_sessions", 1),
    Job("handle_no_shows", 5),
    Job("expire_waitlist_entries", 5),
    Job("refresh_analytics", 5),
    Job("forget_stale_drafts", 30),
    Job("deliver_outbox", 1, notifications.deliver_outbox, wake="outbox"),
    Job("send_refunds", 1, payments.send_refunds),
    Job("reconcile_payments", 5, payments.reconcile),
)}


def jobs_for(runner):
    """The jobs the app runs under JOB_RUNNER (app, pg_cron or off); a misspelt setting stops the start."""
    if runner not in ("app", "pg_cron", "off"):
        raise ValueError(f"JOB_RUNNER is app, pg_cron or off, not {runner!r}")
    return [job for job in JOBS.values() if runner == "app" or (runner == "pg_cron" and not job.in_sql)]


class CronUnavailable(RuntimeError):
    """pg_cron cannot take the schedule; the message says why in one sentence."""


def install_cron_schedule(dsn):
    """Loads sql/cron/schedule.sql into pg_cron for the database `dsn` names: connects as dsn's user to the database
    pg_cron works in (its cron.database_name), creates the extension there if it is missing, and schedules the SQL
    jobs in dsn's database, replacing those of the same names. pg_cron runs a job as the user who scheduled it,
    so the jobs run as dsn's user, as the app's runner does (the owner, or a superuser; the functions run with
    the owner's rights). Returns {job name: schedule} of Auto Doctor's jobs in pg_cron afterwards."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        database = conn.execute("select current_database()").fetchone()[0]
        try:
            cron_database = conn.execute("show cron.database_name").fetchone()[0]
        except psycopg.errors.UndefinedObject:
            raise CronUnavailable(
                f"JOB_RUNNER=pg_cron needs pg_cron preloaded, and the server of {database} has not loaded it: add "
                "pg_cron to shared_preload_libraries in postgresql.conf and restart the server.") from None
    with psycopg.connect(make_conninfo(dsn, dbname=cron_database), autocommit=True) as conn:
        try:
            conn.execute("create extension if not exists pg_cron")
        except psycopg.errors.InsufficientPrivilege:
            raise CronUnavailable(f"pg_cron is preloaded but not created in {cron_database}: a superuser must run "
                                  f"`create extension pg_cron;` in that database.") from None
        with conn.transaction():
            conn.execute("select set_config('autodoctor.database', %s, true)", [database])
            conn.execute(CRON_SCHEDULE.read_text())
        return dict(conn.execute("select jobname, schedule from cron.job where database = %s "
                                 "and jobname like 'autodoctor-%%' order by jobid", [database]).fetchall())


def owner_connection(app):
    """A connection of the job runner's own, as the owner; pg_stat_activity names the process it serves."""
    return psycopg.connect(db.direct_dsn(app.config), autocommit=True, row_factory=dict_row,
                           application_name=f"autodoctor jobs {os.getpid()}")


def run_job(app, name):
    """Runs one job now; returns what it reports (how many things it did), or None when the same job is
    running elsewhere at this moment."""
    job = JOBS[name]
    with owner_connection(app) as conn, app.app_context():
        if not conn.execute("select pg_try_advisory_lock(%s, hashtext(%s)) as taken",
                            [JOB_LOCK_CLASS, job.name]).fetchone()["taken"]:
            return None
        with db.using(conn):
            return job.run()  # the lock goes with the connection


class JobRunner:
    """APScheduler running the jobs in this process, while this process leads the deployment, and a thread for each
    job with a `wake` channel that runs it as soon as the channel is notified. `minute` is how many seconds a
    job-minute lasts (JOB_MINUTE_SECONDS unless given; tests shorten it)."""

    def __init__(self, app, jobs=None, minute=None):
        self.app = app
        self.jobs = jobs if jobs is not None else jobs_for(app.config.get("JOB_RUNNER", "app"))
        self.minute = minute or app.config["JOB_MINUTE_SECONDS"]
        self.runs = 0
        self._lead_conn = None
        self._lead_lock = threading.Lock()
        self._stopping = threading.Event()
        self._listeners = [threading.Thread(target=self._listen, args=[job], name=f"wake-{job.name}", daemon=True)
                           for job in self.jobs if job.wake]
        self.scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, int(self.minute / 2))})

    def start(self):
        first = datetime.now(timezone.utc) + timedelta(seconds=self.minute / 60)
        for job in self.jobs:
            self.scheduler.add_job(self._tick, "interval", seconds=job.every_minutes * self.minute, args=[job.name],
                                   id=job.name, next_run_time=first)
        self.scheduler.start()
        for listener in self._listeners:
            listener.start()
        return self

    def shutdown(self):
        self._stopping.set()
        self.scheduler.shutdown(wait=True)
        for listener in self._listeners:
            listener.join()
        with self._lead_lock:
            if self._lead_conn is not None:
                self._lead_conn.close()  # lets another process lead
                self._lead_conn = None

    def leads(self):
        """Whether this process holds the deployment's lock, trying to take it when it does not."""
        with self._lead_lock:
            if self._lead_conn is not None:
                try:
                    self._lead_conn.execute("select 1")
                    return True
                except psycopg.Error:
                    log.warning("lost the job runner's connection; trying to lead again")
                    self._lead_conn.close()
                    self._lead_conn = None
            try:
                conn = owner_connection(self.app)
            except psycopg.Error:
                log.exception("job runner cannot reach the database")
                return False
            if conn.execute("select pg_try_advisory_lock(%s, %s) as taken", RUNNER_LOCK).fetchone()["taken"]:
                self._lead_conn = conn
                log.info("this process runs the timed jobs")
                return True
            conn.close()
            return False

    def _tick(self, name):
        """Runs the job if this process leads; whether it ran (False: not leading, or it is running elsewhere)."""
        if not self.leads():
            return False
        try:
            done = run_job(self.app, name)
        except Exception:  # a failing job is logged and tried again on its next tick; the others go on
            log.exception("job %s failed", name)
            return True
        self.runs += 1
        if done:
            log.info("job %s: %s", name, done)
        return done is not None

    def _listen(self, job):
        """While this process leads, LISTENs on the job's channel on a connection of its own and runs the job when
        notified: the notifications of a second are answered by one run, and a run that finds the job running
        elsewhere (the scheduler's own tick, say) is tried again each second until it runs, so that what was
        queued as that run ended is not left for the next minute."""
        while not self._stopping.is_set():
            if not self.leads():
                self._stopping.wait(self.minute)
                continue
            try:
                with owner_connection(self.app) as conn:
                    conn.execute(sql.SQL("listen {}").format(sql.Identifier(job.wake)))
                    owed = True  # what was queued before the LISTEN
                    while not self._stopping.is_set() and self.leads():
                        if owed:
                            owed = not self._tick(job.name)
                        owed = bool(list(conn.notifies(timeout=1))) or owed
            except psycopg.Error as failure:
                log.warning("job %s stopped listening on %s: %s", job.name, job.wake, failure)
                self._stopping.wait(1)


@contextmanager
def running(app):
    """The app's job runner for as long as the block runs (`flask serve`), its minute JOB_MINUTE_SECONDS."""
    runner = JobRunner(app)
    if not runner.jobs:
        yield None
        return
    runner.start()
    try:
        yield runner
    finally:
        runner.shutdown()
