"""The restore drill (issue 19): a morning of bookings, cancellations and refunds on a PostgreSQL of its own, backed
up with `flask db backup`, restored with `flask db restore` into an empty database of a fresh server; the copy holds
the same rows, table by table, and the same functions and grants, its money adds up, its migrations are all
applied, and a customer of the morning logs in to it and sees their appointments. A restore into a database that
already has the app's schema is refused and changes nothing."""
import os
import subprocess
import sys
import time
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql

import migrate
import offline_gateway
from availability_world import Shop, World
from conftest import NOW, PASSWORD, make_customer
from embedded_pg import EmbeddedPostgres
from faults.conftest import ROOT, Client, own_postgres, serving
from support import set_clock

pytestmark = pytest.mark.slow  # two PostgreSQL servers of their own, pg_dump, pg_restore and `flask serve`

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
CUSTOMERS, MECHANICS = 36, 4


def flask(*arguments, env):
    """The real CLI in a process of its own: (exit status, what it printed)."""
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def cli_env(url, var_dir):
    return {**os.environ, "DATABASE_URL": url, "AUTODOCTOR_VAR": str(var_dir)}


def morning(database, gateway):
    """Thirty-six customers each book a session with one of four mechanics (in 1 to 25 hours), a workshop takes four
    deposits; a third of them cancel (late: credit, mid: a part back, early: nearly all back), those given credit
    spend it on another booking, and a visit is cancelled after the refunds went out. Returns
    {email: session id} of the customers who still have a booking."""
    database.set_clock(NOW)
    kept = {}
    with database.owner() as conn:
        world = World(conn)
        mechanics = [world.mechanic(blocks=ALL_DAY, min_notice_minutes=0) for _ in range(MECHANICS)]
        for i in range(CUSTOMERS):
            email = f"morning{i}@example.com"
            customer = make_customer(database, email=email, name=f"Morning {i}")
            mechanic = mechanics[i % MECHANICS]
            start = NOW + timedelta(hours=1 + 3 * (i // MECHANICS))
            session = world.pay(customer, mechanic, start, plan=("standard", "extended")[i % 2],
                                gateway=gateway)["session_id"]
            if i % 3:
                kept[email] = session
                continue
            conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
            if world.value("select app.credit_balance(%s)", [customer]):
                kept[email] = world.pay(customer, mechanic, start + timedelta(days=2), gateway=gateway)["session_id"]
        shop = Shop(world)
        visits = [shop.visit(NOW + timedelta(days=2, hours=h), name=f"Visitor {h}")[1] for h in range(4)]
        set_clock(world, NOW + timedelta(minutes=20))
        conn.execute("select * from app.cancel_session(%s, %s)", [shop.admin, visits[0]])
    return kept


def fingerprint(url):
    """Per table of schema app: (rows, md5 of the rows' text in order); per sequence its last value; per function
    of app its signature, owner, grants and body's md5."""
    with psycopg.connect(url) as conn:
        tables = [t for t, in conn.execute("select tablename from pg_tables where schemaname = 'app' order by 1")]
        found = {t: tuple(conn.execute(sql.SQL(
            "select count(*), md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) from app.{} t").format(
            sql.Identifier(t))).fetchone()) for t in tables}
        found["sequences"] = conn.execute("select sequencename, last_value from pg_sequences "
                                          "where schemaname = 'app' order by 1").fetchall()
        found["functions"] = conn.execute(
            # a grant list equal to the default one is restored as the default (null)
            "select p.oid::regprocedure::text, p.proowner::regrole::text, "
            "coalesce(p.proacl, acldefault('f', p.proowner))::text, md5(p.prosrc) "
            "from pg_proc p where p.pronamespace = 'app'::regnamespace order by 1").fetchall()
    return found


@pytest.fixture(scope="module")
def backed_up(tmp_path_factory):
    """The morning on a server of its own, and its backup by `flask db backup`: (database, file, kept, env)."""
    var_dir = tmp_path_factory.mktemp("backup")
    gateway = offline_gateway.TestGateway(path=var_dir / offline_gateway.TestGateway.FILE)  # the one `flask jobs run` uses
    with own_postgres("morning") as (pg, database):
        kept = morning(database, gateway)
        env = cli_env(database.url, var_dir)
        status, output = flask("jobs", "run", "send_refunds", env=env)
        assert status == 0, output
        with database.owner() as conn:
            world = World(conn)  # one more cancellation, whose refund is not sent yet
            customer = world.customer()
            late = world.pay(customer, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), NOW + timedelta(days=3),
                             gateway=gateway)
            conn.execute("select * from app.cancel_session(%s, %s)", [customer, late["session_id"]])
        began = time.monotonic()
        status, output = flask("db", "backup", env=env)
        print(f"\n{output.strip()} in {time.monotonic() - began:.1f} s")
        assert status == 0, output
        backups = list((var_dir / "backups").glob("morning-*.dump"))
        assert len(backups) == 1 and (backups[0].stat().st_mode & 0o777) == 0o600
        yield database, backups[0], kept, env


def test_a_backup_restores_into_a_fresh_server_whole_and_working(backed_up, tmp_path):
    source, backup, kept, env = backed_up
    with source.owner() as conn:
        counts = conn.execute(
            "select (select count(*) from app.sessions) as sessions, "
            "(select count(*) from app.sessions where status = 'cancelled') as cancelled, "
            "(select count(*) from app.payments) as payments, "
            "(select count(*) from app.refunds where status = 'succeeded') as refunds_sent, "
            "(select count(*) from app.refunds where status = 'pending') as refunds_pending, "
            "(select count(*) from app.credit_entries) as credit_entries").fetchone()
    print(f"the morning: {dict(counts)}")
    assert counts["sessions"] >= 40 and counts["cancelled"] >= 10 and counts["refunds_sent"] >= 5
    assert counts["refunds_pending"] >= 1 and counts["credit_entries"] >= 2
    before = fingerprint(source.url)

    fresh = EmbeddedPostgres(postgres_args="-h 127.0.0.1 -F -c logging_collector=off")
    try:
        with psycopg.connect(fresh.url(), autocommit=True) as conn:
            conn.execute("create database restored")
        restored = fresh.url("restored")
        began = time.monotonic()
        status, output = flask("db", "restore", str(backup), "--into", restored, env=env)
        print(f"{output.strip()} in {time.monotonic() - began:.1f} s")
        assert status == 0, output

        after = fingerprint(restored)
        tables = [t for t in before if t not in ("sequences", "functions")]
        print(f"{len(tables)} tables, {sum(before[t][0] for t in tables)} rows, {len(before['functions'])} functions")
        assert after == before
        assert all(state == "applied" for _, state in migrate.status(restored))
        with psycopg.connect(restored) as conn:
            assert conn.execute("select count(*) from app.money_audit()").fetchone()[0] == 0
        email = next(iter(kept))
        with psycopg.connect(fresh.url("restored", migrate.APP_ROLE)) as conn:  # the grants came back too
            assert conn.execute("select outcome from app.log_in(%s, %s, '127.0.0.1', 'the drill')",
                                [email, PASSWORD]).fetchone()[0] == "ok"
        with serving({"DATABASE_URL": restored, "JOB_RUNNER": "off"}, tmp_path) as (app,):
            status, page, _ = Client(app.base, email).request("GET", "/customer/appointments")
        assert status == 200 and f"appointment {kept[email]}<" in page
    finally:
        fresh.stop()


def test_a_restore_into_a_database_with_the_schema_is_refused_and_changes_nothing(backed_up):
    source, backup, _, env = backed_up
    before = fingerprint(source.url)
    status, output = flask("db", "restore", str(backup), "--into", source.url, env=env)
    assert status == 1 and "only into an empty database" in output, output
    assert fingerprint(source.url) == before
