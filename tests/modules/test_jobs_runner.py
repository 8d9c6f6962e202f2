"""Running the timed jobs (SPEC §13): APScheduler in the app, one runner per deployment through a PostgreSQL
advisory lock, a job's own lock against a one-off run beside it, and pg_cron's schedule kept equal to the app's."""
import re
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

import jobs
from app import create_app
from availability_world import local
from conftest import ROOT
from support import set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")
FAST = 0.25  # seconds in a job-minute


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def second_app(app):
    """Another app process of the same deployment: same database, same mailbox folder."""
    return create_app(dict(app.config))


def test_two_runners_started_at_once_do_every_effect_once(app, second_app, world):
    mechanic = world.mechanic(blocks=ALL_DAY)
    missed = [world.book(world.customer(), mechanic, START + timedelta(hours=n)) for n in range(4)]
    later = [world.book(world.customer(), mechanic, START + timedelta(hours=7 + n)) for n in range(2)]
    set_clock(world, START + timedelta(hours=6))  # 1 h before the later ones

    runners = [jobs.JobRunner(app, minute=FAST), jobs.JobRunner(second_app, minute=FAST)]
    for runner in runners:
        runner.start()
    try:
        delivered = wait_for(lambda: world.value(
            "select count(*) from app.outbox where status = 'pending'") == 0 and world.value(
            "select count(*) from app.outbox where template like 'reminder%%'") == 2)
        time.sleep(5 * FAST)  # several more rounds of every job: nothing may happen twice
        # while both run, one leads and the other never runs a job (the leader's shutdown hands over the lead,
        # so this is read before it)
        led = sorted(r.runs > 0 for r in runners)
    finally:
        for runner in runners:
            runner.shutdown()

    assert delivered
    assert led == [False, True]
    assert world.value("select count(*) from app.sessions where status = 'no_show' and id = any(%s)", [missed]) == 4
    assert world.value("select count(*) from app.payouts where reason = 'no_show'") == 4
    assert world.value("select count(*) from app.credit_entries where reason = 'no_show'") == 4
    reminders = world.conn.execute("select session_id, template from app.outbox where template like 'reminder%%' "
                                   "order by session_id").fetchall()
    # the nearest reminder due for each: 1 h before the first, and for the second (2 h away) the 24 h one
    assert [(r["session_id"], r["template"]) for r in reminders] == [(later[0], "reminder_1h"), (later[1], "reminder_24h")]
    rows = world.conn.execute("select status, attempts, channel from app.outbox").fetchall()
    assert rows and all((r["status"], r["attempts"]) == ("sent", 1) for r in rows)
    emails = [r for r in rows if r["channel"] == "email"]
    assert len(list((Path(app.config["VAR_DIR"]) / "mailbox").glob("*.eml"))) == len(emails)
    assert world.conn.execute("select * from app.money_audit()").fetchall() == []


def test_when_the_leading_process_stops_another_takes_over(app, second_app, world):
    first, second = jobs.JobRunner(app, minute=FAST).start(), None
    try:
        assert wait_for(lambda: first.runs > 0)
        second = jobs.JobRunner(second_app, minute=FAST).start()
        time.sleep(3 * FAST)
        assert second.runs == 0
        first.shutdown()
        assert wait_for(lambda: second.runs > 0)
    finally:
        second.shutdown()


def test_a_one_off_run_skips_a_job_that_is_running_elsewhere(app, database):
    key = (jobs.JOB_LOCK_CLASS, "handle_no_shows")
    with database.owner() as elsewhere:
        elsewhere.execute("select pg_advisory_lock(%s, hashtext(%s))", key)
        assert jobs.run_job(app, "handle_no_shows") is None
        assert jobs.run_job(app, "expire_waitlist_entries") == 0  # other jobs are not held up
        elsewhere.execute("select pg_advisory_unlock(%s, hashtext(%s))", key)
        assert jobs.run_job(app, "handle_no_shows") == 0


def test_the_runner_setting_chooses_who_runs_what(app):
    assert [job.name for job in jobs.jobs_for("app")] == list(jobs.JOBS)
    assert [job.name for job in jobs.jobs_for("pg_cron")] == ["deliver_outbox", "send_refunds", "reconcile_payments"]
    assert jobs.jobs_for("off") == []
    with pytest.raises(ValueError):
        jobs.jobs_for("pgcron")
    app.config["JOB_RUNNER"] = "off"
    with jobs.running(app) as runner:
        assert runner is None


def test_the_pg_cron_schedule_runs_every_sql_job_on_the_apps_schedule(database):
    """Every SQL job of jobs.JOBS, named after it, at its every_minutes, and nothing else (tests/faults/test_pg_cron.py
    loads it into pg_cron and sees each run)."""
    text = (ROOT / "sql" / "cron" / "schedule.sql").read_text()
    rows = re.findall(r"\('autodoctor-([a-z-]+)', '([^']+)', 'select app\.([a-z_]+)\(\)'\)", text)
    assert len(rows) == text.count("('autodoctor-")
    assert all(jobname == command.replace("_", "-") for jobname, _, command in rows)
    scheduled = [(command, cron) for _, cron, command in rows]
    expected = [(job.name, "* * * * *" if job.every_minutes == 1 else f"*/{job.every_minutes} * * * *")
                for job in jobs.JOBS.values() if job.in_sql]
    assert scheduled == expected
    for name, _ in expected:  # each is a function of the schema, callable with no arguments
        assert database.scalar("select to_regprocedure(%s) is not null", [f"app.{name}()"])


def test_the_schedule_is_refused_in_one_sentence_by_a_server_without_pg_cron(database):
    with pytest.raises(jobs.CronUnavailable, match=r"^JOB_RUNNER=pg_cron needs pg_cron preloaded, .*"
                                                   r"shared_preload_libraries .*restart the server\.$"):
        jobs.install_cron_schedule(database.url)


def test_a_message_queued_while_the_runner_idles_goes_out_within_seconds(app, world):
    """The delivery job's minute is a real one here: only the outbox's NOTIFY can make it run sooner."""
    customer = world.customer()
    runner = jobs.JobRunner(app, minute=60).start()
    try:
        assert wait_for(lambda: runner.runs >= len(runner.jobs))  # each job's first run, a second after the start
        time.sleep(2)
        queued = time.monotonic()
        world.conn.execute("select app.notify(%s, 'waitlist_joined')", [customer])
        outbox = world.value("select max(id) from app.outbox")
        assert wait_for(lambda: world.value("select status from app.outbox where id = %s", [outbox]) == "sent",
                        seconds=30)
        waited = time.monotonic() - queued
    finally:
        runner.shutdown()
    print(f"\na message queued while the runner idled was sent {waited:.2f} s later")
    assert waited < 5


def test_the_web_role_cannot_run_the_jobs(database):
    with database.app() as conn:
        for job in jobs.JOBS.values():
            if job.in_sql:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(f"select app.{job.name}()")
