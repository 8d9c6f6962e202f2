"""Timed work (SPEC §13). Every job is a SQL function, idempotent and safe to run late, twice or at once;
the three that talk to the outside world (the outbox, refunds, reconciliation) are Python around SQL ones,
because SMTP and Stripe must never be called inside a transaction.

Who runs them:
    JOB_RUNNER=app      (default) APScheduler in the serving process runs every job
    JOB_RUNNER=pg_cron  pg_cron runs the SQL jobs (sql/cron/schedule.sql, the same schedule); the app runs the rest
    JOB_RUNNER=off      nothing runs in the app (run `flask jobs run` from cron instead)

One runner per deployment: a process runs jobs only while it holds the deployment's PostgreSQL advisory
lock, on a connection of its own; another process waits, and takes over within a minute if that connection
goes away. Each run also holds its job's own lock, so a one-off `flask jobs run` beside the scheduler never
runs the same job twice at once. Jobs run as the schema owner (DATABASE_URL): the web role may not run them.
"""
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler
from psycopg.rows import dict_row

import db
import notifications
import payments

log = logging.getLogger(__name__)

# advisory lock keys (class, id): classes 1 to 4 serialize claims, payments and time off in SQL (app.take_turn lists
# them); 5 is the runner, 6 a job, keyed by hashtext of its name so that adding or reordering jobs moves no key
RUNNER_LOCK = (5, 0)
JOB_LOCK_CLASS = 6


@dataclass(frozen=True)
class Job:
    name: str
    every_minutes: int
    python: Callable[[], int] | None = None  # for the jobs that talk to the outside world; the rest are SQL

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
    Job("deliver_outbox", 1, notifications.deliver_outbox),
    Job("send_refunds", 1, payments.send_refunds),
    Job("reconcile_payments", 5, payments.reconcile),
)}


def jobs_for(runner):
    """The jobs the app runs under JOB_RUNNER (app, pg_cron or off); a misspelt setting stops the start."""
    if runner not in ("app", "pg_cron", "off"):
        raise ValueError(f"JOB_RUNNER is app, pg_cron or off, not {runner!r}")
    return [job for job in JOBS.values() if runner == "app" or (runner == "pg_cron" and not job.in_sql)]


def owner_connection(app):
    return psycopg.connect(db.direct_dsn(app.config), autocommit=True, row_factory=dict_row)


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
    """APScheduler running the jobs in this process, while this process leads the deployment.
    `minute` is how many seconds a job-minute lasts (tests shorten it)."""

    def __init__(self, app, jobs=None, minute=60):
        self.app = app
        self.jobs = jobs if jobs is not None else jobs_for(app.config.get("JOB_RUNNER", "app"))
        self.minute = minute
        self.runs = 0
        self._lead_conn = None
        self._lead_lock = threading.Lock()
        self.scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, int(minute / 2))})

    def start(self):
        first = datetime.now(timezone.utc) + timedelta(seconds=self.minute / 60)
        for job in self.jobs:
            self.scheduler.add_job(self._tick, "interval", seconds=job.every_minutes * self.minute, args=[job.name],
                                   id=job.name, next_run_time=first)
        self.scheduler.start()
        return self

    def shutdown(self):
        self.scheduler.shutdown(wait=True)
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
        if not self.leads():
            return
        try:
            done = run_job(self.app, name)
        except Exception:  # a failing job is logged and tried again on its next tick; the others go on
            log.exception("job %s failed", name)
            return
        self.runs += 1
        if done:
            log.info("job %s: %s", name, done)


@contextmanager
def running(app):
    """The app's job runner for as long as the block runs (`flask serve`)."""
    runner = JobRunner(app)
    if not runner.jobs:
        yield None
        return
    runner.start()
    try:
        yield runner
    finally:
        runner.shutdown()
