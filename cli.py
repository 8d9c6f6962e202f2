"""Command-line tools: `flask serve`, `flask db upgrade|status`, `flask seed-demo`, `flask jobs list|run`,
`flask users create`."""
import errno
import os
import signal
import socket
import sys
from contextlib import contextmanager
from pathlib import Path

import click
import psycopg
from psycopg import sql

import db
import demo
import jobs
import migrate
import payments

EMBEDDED_DATABASE = "autodoctor"


@contextmanager
def database_url(app):
    """The owner's URL that bypasses a pooler (db.direct_dsn) when DATABASE_URL is set; otherwise the embedded
    server under var/pg, started (or reused if it is already running) for as long as the block runs, and set as
    the app's DATABASE_URL."""
    if app.config["DATABASE_URL"]:
        yield db.direct_dsn(app.config)
        return
    from embedded_pg import EmbeddedPostgres, PostgresNotFound, lasting_base_dir
    try:
        # unlike the test servers, this one keeps fsync on: its data is meant to last
        server = EmbeddedPostgres(base_dir=lasting_base_dir(str(Path(app.config["VAR_DIR"]) / "pg")),
                                  postgres_args="-h 127.0.0.1 -c logging_collector=off")
    except PostgresNotFound as missing:
        raise click.ClickException(str(missing)) from None
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            if not conn.execute("select 1 from pg_database where datname = %s", [EMBEDDED_DATABASE]).fetchone():
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(EMBEDDED_DATABASE)))
        app.config["DATABASE_URL"] = server.url(EMBEDDED_DATABASE)
        yield app.config["DATABASE_URL"]
    finally:
        server.stop()  # leaves alone a server that another process started


def _upgrade(app, dsn):
    try:
        applied = migrate.upgrade(dsn, app.config["APP_DB_PASSWORD"], app.config["PAYMENTS_DB_PASSWORD"])
    except migrate.MigrationError as failure:
        raise click.ClickException(str(failure)) from None
    for name in applied:
        click.echo(f"applied {name}")
    return applied


def _bind_error(host, port):
    """Why a server could not listen on host:port now (an OSError), or None; SO_REUSEADDR, as waitress sets it."""
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                               flags=socket.AI_PASSIVE):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as failure:
                return failure
    return None


def _check_port(host, port):
    """One sentence and a stop, before the embedded server starts, when the port cannot be served on: another
    checkout's `./dev run` (or any program) already serving on it, say."""
    try:
        failure = _bind_error(host, port)
    except OSError as unusable:  # an unknown host, say
        raise click.ClickException(f"cannot serve on {host} port {port}: {unusable}.") from None
    if failure is None:
        return
    if failure.errno != errno.EADDRINUSE:
        raise click.ClickException(f"cannot serve on {host} port {port}: {failure.strerror}.")
    nearby = range(port + 1, min(port + 50, 65536))  # a free port to suggest: bounded, only a suggestion
    other = next((n for n in nearby if _bind_error(host, n) is None), "N")
    raise click.ClickException(
        f"port {port} on {host} is already taken (another Auto Doctor, or another program, is serving on it): "
        f"choose another with ./dev run --port {other}.")


def _stop_on_sigterm(signum, frame):
    sys.exit(0)  # unwinds, so the embedded server is stopped too


def register(app):
    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1", envvar="HOST", show_default=True)
    @click.option("--port", default=5000, type=click.IntRange(0, 65535), envvar="PORT", show_default=True)
    def serve(host, port):
        """Upgrade the schema, load the demo world into an empty database, and serve the app."""
        import waitress
        _check_port(host, port)
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
        with database_url(app) as dsn:
            _upgrade(app, dsn)
            if demo.is_empty(dsn):
                click.echo("loading the demo world (first start)")
                demo.seed(dsn, payments.TestGateway.of(app))
            if "BASE_URL" not in os.environ:  # links in emails lead where this server answers
                app.config["BASE_URL"] = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"
            click.echo(f"Auto Doctor is serving on http://{host}:{port}; links in emails lead to "
                       f"{app.config['BASE_URL']}  (Ctrl-C stops it)", err=True)
            with jobs.running(app):
                # a room's event stream holds a thread while it waits: those get threads of their own (rooms.py)
                streams = app.config["ROOM_STREAMS"]
                waitress.serve(app, host=host, port=port, threads=app.config["WEB_THREADS"] + streams,
                               connection_limit=100 + 2 * streams, ident="autodoctor")

    db_group = click.Group("db", help="Schema management for DBAs.")
    app.cli.add_command(db_group)

    @db_group.command("upgrade")
    def upgrade():
        """Apply pending migrations, then re-apply every function file."""
        with database_url(app) as dsn:
            if not _upgrade(app, dsn):
                click.echo("no pending migrations; functions re-applied")

    @db_group.command("status")
    def status():
        """List migrations as applied, pending or changed (edited after being applied)."""
        with database_url(app) as dsn:
            for name, state in migrate.status(dsn):
                click.echo(f"{state:8} {name}")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo world into an empty database."""
        with database_url(app) as dsn:
            _upgrade(app, dsn)
            if not demo.is_empty(dsn):
                raise click.ClickException("the database already has accounts: the demo world loads only into an empty one")
            demo.seed(dsn, payments.TestGateway.of(app))
            click.echo("demo world loaded; logins are listed in README.md")

    jobs_group = click.Group("jobs", help="The timed jobs of SPEC §13 (the app runs them itself under `flask serve`).")
    app.cli.add_command(jobs_group)

    @jobs_group.command("list")
    def list_jobs():
        """The jobs, how often they run, and which pg_cron can run (sql/cron/schedule.sql)."""
        for job in jobs.JOBS.values():
            where = "SQL (pg_cron can run it)" if job.in_sql else "Python (SMTP / Stripe)"
            click.echo(f"{job.name:30} every {job.every_minutes} min  {where}")

    @jobs_group.command("run")
    @click.argument("names", nargs=-1, type=click.Choice(list(jobs.JOBS)))
    def run_jobs(names):
        """Run the named jobs once (all of them when none is named), in schedule order."""
        with database_url(app):
            for name in names or jobs.JOBS:
                done = jobs.run_job(app, name)
                click.echo(f"{name}: " + ("running elsewhere, skipped" if done is None else str(done)))

    users = click.Group("users", help="Accounts that are not signed up on the site.")
    app.cli.add_command(users)

    @users.command("create")
    @click.option("--role", type=click.Choice(["mechanic", "workshop_admin", "admin"]), required=True)
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--timezone", default="America/Toronto", show_default=True)
    @click.option("--workshop-id", type=int, help="the workshop of a workshop admin or a workshop's mechanic")
    @click.option("--partnership", type=click.Choice(["owner", "employee", "contractor"]),
                  help="a mechanic's tie to --workshop-id: owner (independent workshop), employee or contractor")
    @click.password_option(help="prompted for when not given")
    def create_user(role, email, name, timezone, workshop_id, partnership, password):
        """Create a mechanic, workshop admin or admin account."""
        with database_url(app) as dsn, psycopg.connect(dsn) as conn:
            try:
                user_id = conn.execute(
                    "select app.create_staff_account(p_role => %s, p_email => %s, p_password => %s, "
                    "p_name => %s, p_timezone => %s, p_workshop_id => %s, p_partnership_type => %s)",
                    [role, email, password, name, timezone, workshop_id, partnership],
                ).fetchone()[0]
            except psycopg.Error as failure:
                raise click.ClickException(f"not created: {failure.diag.message_primary}") from None
        click.echo(f"created {role} {email} (user {user_id})")
