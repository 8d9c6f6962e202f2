"""Command-line tools: `flask serve`, `flask db upgrade|status|backup|restore`, `flask seed-demo`,
`flask jobs list|run|schedule`, `flask users create`."""
import errno
import os
import signal
import socket
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click
import psycopg
from psycopg import sql

import backup
import db
import demo
import jobs
import migrate
import offline_gateway

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


def _schedule_cron(app):
    """Loads the pg_cron schedule (jobs.install_cron_schedule) for the app's database, or stops with why not."""
    try:
        scheduled = jobs.install_cron_schedule(db.direct_dsn(app.config))
    except jobs.CronUnavailable as failure:
        raise click.ClickException(str(failure)) from None
    click.echo(f"pg_cron runs the {len(scheduled)} SQL jobs (sql/cron/schedule.sql); this app runs "
               + ", ".join(job.name for job in jobs.jobs_for("pg_cron")))
    return scheduled


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
                demo.seed(dsn, offline_gateway.TestGateway.of(app))
            if app.config["JOB_RUNNER"] == "pg_cron":
                _schedule_cron(app)
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

    @db_group.command("backup")
    @click.option("--to", "path", type=click.Path(dir_okay=False),
                  help="the file to write  [default: VAR_DIR/backups/DATABASE-<UTC time>.dump]")
    def backup_database(path):
        """Back up the app's database with pg_dump (custom format).

        pg_dump rather than pg_basebackup: at this product's size a dump of the app's one database is small, is a
        consistent snapshot taken while the app runs, and restores with `flask db restore` into a fresh server of
        this or any newer PostgreSQL. Point-in-time recovery needs pg_basebackup and WAL archiving on the real
        cluster: the DBA's choice (README, Backups)."""
        with database_url(app):
            dsn = db.direct_dsn(app.config)
            path = path or backup.default_path(app.config["VAR_DIR"], dsn)
            try:
                size = backup.dump(dsn, path)
            except backup.BackupError as failure:
                raise click.ClickException(str(failure)) from None
        click.echo(f"backed up to {path} ({size / 1024:.0f} kB)")

    @db_group.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--into", "url", metavar="URL", help="the empty database to restore into  [default: the app's database]")
    def restore_database(file, url):
        """Restore a `flask db backup` into an empty database.

        Creates the roles first (connected as a superuser), setting the passwords of APP_DB_PASSWORD and
        PAYMENTS_DB_PASSWORD (a backup holds none), runs pg_restore in one transaction that stops at the first
        error (all or nothing), then checks the migrations and the money audit."""
        with nullcontext() if url else database_url(app):
            dsn = url or db.direct_dsn(app.config)
            try:
                found = backup.restore(file, dsn, app.config["APP_DB_PASSWORD"], app.config["PAYMENTS_DB_PASSWORD"])
            except (backup.BackupError, psycopg.OperationalError) as failure:
                raise click.ClickException(str(failure).strip()) from None
        click.echo(f"restored {file}; money_audit(): {found['money_audit']} sessions whose money does not add up; "
                   f"migrations pending: {len(found['pending'])}, changed: {len(found['changed'])}")
        if found["pending"]:
            click.echo("the backup predates migrations of this code: run flask db upgrade")
        problems = [f"migration {name} differs from its file" for name in found["changed"]]
        if found["money_audit"]:
            problems.append("app.money_audit() is not empty")
        if problems:
            raise click.ClickException("the restored database does not check out: " + "; ".join(problems) + ".")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo world into an empty database."""
        with database_url(app) as dsn:
            _upgrade(app, dsn)
            if not demo.is_empty(dsn):
                raise click.ClickException("the database already has accounts: the demo world loads only into an empty one")
            demo.seed(dsn, offline_gateway.TestGateway.of(app))
            click.echo("demo world loaded; logins are listed in README.md")

    jobs_group = click.Group("jobs", help="The timed jobs of SPEC §13 (the app runs them itself under `flask serve`).")
    app.cli.add_command(jobs_group)

    @jobs_group.command("list")
    def list_jobs():
        """The jobs, how often they run, which pg_cron can run (sql/cron/schedule.sql), and who runs each under
        JOB_RUNNER."""
        runner = app.config["JOB_RUNNER"]
        here = {job.name for job in jobs.jobs_for(runner)}
        for job in jobs.JOBS.values():
            kind = "SQL (pg_cron can run it)" if job.in_sql else "Python (SMTP / Stripe)"
            who = "this app" if job.name in here else "pg_cron" if runner == "pg_cron" else "flask jobs run"
            every = f"every {job.every_minutes} min"
            click.echo(f"{job.name:30} {every:13} {kind:26} run by {who}")

    @jobs_group.command("run")
    @click.argument("names", nargs=-1, type=click.Choice(list(jobs.JOBS)))
    def run_jobs(names):
        """Run the named jobs once (all of them when none is named), in schedule order."""
        with database_url(app):
            for name in names or jobs.JOBS:
                done = jobs.run_job(app, name)
                click.echo(f"{name}: " + ("running elsewhere, skipped" if done is None else str(done)))

    @jobs_group.command("schedule")
    def schedule_jobs():
        """Load sql/cron/schedule.sql into pg_cron (JOB_RUNNER=pg_cron; `flask serve` does it too)."""
        if app.config["JOB_RUNNER"] != "pg_cron":
            raise click.ClickException(f"JOB_RUNNER is {app.config['JOB_RUNNER']}, so the app runs the SQL jobs "
                                       "itself: set JOB_RUNNER=pg_cron to hand them to pg_cron.")
        with database_url(app):
            for name, cron in _schedule_cron(app).items():
                click.echo(f"{name:42} {cron}")

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
