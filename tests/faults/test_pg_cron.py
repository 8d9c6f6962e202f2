"""pg_cron for real (issue 19): a PostgreSQL with pg_cron preloaded (cron.database_name = postgres, as the README
sets it up), `flask serve` with JOB_RUNNER=pg_cron loading sql/cron/schedule.sql itself, pg_cron running each SQL
job successfully, and the app running only deliver_outbox, send_refunds and reconcile_payments: the server logs
every statement with its connection's application name, and no job connection of the app's ever calls a SQL job.

pg_cron 1.4 (Debian bookworm's) schedules in whole minutes only, so the test makes every job run each minute and
waits for the next one (at most about a minute and a half)."""
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest

import jobs
from faults.conftest import own_postgres, serving

pytestmark = pytest.mark.slow  # a PostgreSQL with pg_cron, an app server, and pg_cron's next minute

CRON_ARGS = ("-h 127.0.0.1 -F -c logging_collector=off -c shared_preload_libraries=pg_cron "
             "-c cron.database_name=postgres -c cron.host=127.0.0.1 -c log_statement=all -c log_line_prefix=%a|")
RUN_LIMIT = 150  # seconds for pg_cron to run every job once
SQL_JOBS = [job for job in jobs.JOBS.values() if job.in_sql]
SCHEDULE = {f"autodoctor-{job.name.replace('_', '-')}":
            "* * * * *" if job.every_minutes == 1 else f"*/{job.every_minutes} * * * *" for job in SQL_JOBS}


def cron_jobs(pg):
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        return conn.execute("select jobid, jobname, schedule, command, database, username, active from cron.job "
                            "order by jobid").fetchall()


def test_pg_cron_runs_each_sql_job_and_the_app_only_the_python_ones(tmp_path):
    with own_postgres("faults", postgres_args=CRON_ARGS) as (pg, database):
        env = {"DATABASE_URL": database.url, "JOB_RUNNER": "pg_cron", "JOB_MINUTE_SECONDS": "1"}
        with serving(env, tmp_path) as (app,):
            loaded = cron_jobs(pg)  # flask serve loaded the schedule before it served
            assert {job[1]: job[2] for job in loaded} == SCHEDULE
            assert {(job[3], job[4], job[5], job[6]) for job in loaded} == {
                (f"select app.{job.name}()", "faults", "postgres", True) for job in SQL_JOBS}
            assert all(job[2] == "* * * * *" for job in loaded if SCHEDULE[job[1]] == "* * * * *")

            began = datetime.now(timezone.utc)
            with psycopg.connect(pg.url(), autocommit=True) as conn:
                for job in loaded:  # every job each minute, so that each runs within the next one
                    conn.execute("select cron.alter_job(%s, schedule => '* * * * *')", [job[0]])
                deadline = time.monotonic() + RUN_LIMIT
                while True:
                    runs = conn.execute("select jobid, status, return_message from cron.job_run_details "
                                        "where start_time >= %s order by start_time", [began]).fetchall()
                    succeeded = {jobid for jobid, status, _ in runs if status == "succeeded"}
                    if succeeded >= {job[0] for job in loaded} or time.monotonic() > deadline:
                        break
                    time.sleep(2)
            waited = (datetime.now(timezone.utc) - began).total_seconds()
            output = app.stop()  # the app ran its jobs every second all along
        server_log = (Path(pg.base_dir) / f"{pg.name}.log").read_text(errors="replace")

        print(f"\npg_cron ran the {len(loaded)} SQL jobs within {waited:.0f} s: "
              f"{sum(status == 'succeeded' for _, status, _ in runs)} runs succeeded, "
              f"{sum(status != 'succeeded' for _, status, _ in runs)} did not")
        assert succeeded == {job[0] for job in loaded}, runs
        assert [run for run in runs if run[1] == "failed"] == []
        # the app's job connections (application name "autodoctor jobs <pid>") called the Python jobs' functions
        # and no SQL job; pg_cron's own connections did
        by_app = [line for line in server_log.splitlines() if line.startswith("autodoctor jobs")]
        assert any("claim_outbox" in line for line in by_app) and any("pending_refunds" in line for line in by_app)
        assert any("payments_to_reconcile" in line for line in by_app)
        assert [line for line in by_app if any(job.name in line for job in SQL_JOBS)] == []
        assert "this app runs deliver_outbox, send_refunds, reconcile_payments" in output

        # loading it again changes nothing but the schedules the test changed: the same nine jobs, each minute
        # job at * * * * *
        assert jobs.install_cron_schedule(database.url) == SCHEDULE
        again = cron_jobs(pg)
        assert [job[0] for job in again] == [job[0] for job in loaded]
        assert {job[1]: job[2] for job in again} == SCHEDULE
