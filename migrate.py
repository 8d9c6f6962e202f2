"""Schema management: numbered migrations applied once each, then every function file, all in one transaction.

sql/migrations/NNNN_name.sql are applied in order and recorded in app.schema_migrations with a SHA-256 of
their text; an applied migration whose file has since changed is refused (write a new migration instead).
sql/functions/<domain>/**/*.sql are idempotent (create or replace) and re-applied on every upgrade, so editing a
function's body is an edit of its file; an upgrade refuses a database holding a function in schema app that no file
defines (drop it in a migration when its file goes). Roles: tables and functions belong to autodoctor_owner; the app logs
in as autodoctor_app, which owns nothing and may only execute the functions granted to it; gateway events and
reconciliation log in as autodoctor_payments, the only role granted the functions that record money arriving
or leaving. The grants are exactly the `grant` lines of the function files: each upgrade revokes the rest.
"""
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

SQL_DIR = Path(__file__).resolve().parent / "sql"
OWNER_ROLE = "autodoctor_owner"
APP_ROLE = "autodoctor_app"
PAYMENTS_ROLE = "autodoctor_payments"
# what a statement of the app's login roles may take: one stuck behind a lock or running away is cancelled (55P03,
# 57014) and its request answers 503 (db.Unavailable) instead of holding a page's thread for minutes
LOGIN_ROLE_LIMITS = {"lock_timeout": "3s", "statement_timeout": "5s"}
MIGRATION_LOCK = "autodoctor.migrate"  # the advisory lock that lets one process at a time change the schema
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    text: str

    @property
    def checksum(self):
        return hashlib.sha256(self.text.encode()).hexdigest()


def migrations():
    found = []
    for path in sorted((SQL_DIR / "migrations").glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_lowercase_words.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a number")
    return found


def function_files():
    """sql/functions/<domain>/NAME.sql: what a login role may call (or, under jobs/, what the job runner runs);
    sql/functions/<domain>/internal/NAME.sql: the helpers and triggers only other functions call."""
    return sorted((SQL_DIR / "functions").rglob("*.sql"))


_DEFINES = re.compile(r"create\s+or\s+replace\s+function\s+app\.(\w+)", re.IGNORECASE)


def _is_superuser(conn):
    return conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]


def prepare_cluster(conn, app_password=None, payments_password=None):
    """As a superuser: the three roles, the database's privileges, btree_gist and pgcrypto. Idempotent; a DBA
    without superuser rights does the same once by hand (README). Under the migration lock: two app processes
    starting together would otherwise both create a role, and one of them fail."""
    with conn.transaction():
        conn.execute(f"select pg_advisory_xact_lock(hashtext('{MIGRATION_LOCK}'))")
        _prepare_cluster(conn, app_password, payments_password)


def _prepare_cluster(conn, app_password, payments_password):
    for role, login in ((OWNER_ROLE, False), (APP_ROLE, True), (PAYMENTS_ROLE, True)):
        exists = conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
        if not exists:
            conn.execute(sql.SQL("create role {} {}").format(
                sql.Identifier(role), sql.SQL("login" if login else "nologin")))
    for role, password in ((APP_ROLE, app_password), (PAYMENTS_ROLE, payments_password)):
        if password:
            conn.execute(sql.SQL("alter role {} password {}").format(sql.Identifier(role), sql.Literal(password)))
    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("revoke all on database {} from public").format(database))
    conn.execute(sql.SQL("grant connect, create, temporary on database {} to {}").format(
        database, sql.Identifier(OWNER_ROLE)))
    for role in (APP_ROLE, PAYMENTS_ROLE):
        conn.execute(sql.SQL("grant connect on database {} to {}").format(database, sql.Identifier(role)))
    conn.execute("revoke create on schema public from public")
    # short OLTP queries: compiling them with LLVM costs tens of milliseconds and saves nothing
    conn.execute(sql.SQL("alter database {} set jit = off").format(database))
    for role in (APP_ROLE, PAYMENTS_ROLE):
        for setting, limit in LOGIN_ROLE_LIMITS.items():
            conn.execute(sql.SQL("alter role {} set {} = {}").format(
                sql.Identifier(role), sql.Identifier(setting), sql.Literal(limit)))
    conn.execute("create extension if not exists btree_gist")
    conn.execute("create extension if not exists pgcrypto")  # bcrypt, HMAC and random bytes (log_in, authenticate)


def _applied(conn):
    rows = conn.execute("select version, name, checksum from app.schema_migrations order by version").fetchall()
    return {version: (name, checksum) for version, name, checksum in rows}


def _ensure_history(conn):
    conn.execute("create schema if not exists app")
    for role in (APP_ROLE, PAYMENTS_ROLE):
        conn.execute(sql.SQL("grant usage on schema app to {}").format(sql.Identifier(role)))
    conn.execute("""
        create table if not exists app.schema_migrations (
            version integer primary key,
            name text not null,
            checksum text not null,
            applied_at timestamptz not null default now()
        )""")


def _check_unchanged(applied, available):
    by_version = {m.version: m for m in available}
    for version, (name, checksum) in applied.items():
        current = by_version.get(version)
        if current is None:
            raise MigrationError(f"migration {name} was applied but its file is gone")
        if current.checksum != checksum:
            raise MigrationError(
                f"migration {name} was edited after it was applied: leave it as it was and add a new migration")


def upgrade(dsn, app_password=None, payments_password=None):
    """Apply pending migrations and re-apply every function file. Returns the names of the migrations applied."""
    available = migrations()
    with psycopg.connect(dsn, autocommit=True) as conn:
        superuser = _is_superuser(conn)
        if superuser:
            prepare_cluster(conn, app_password, payments_password)
    with psycopg.connect(dsn) as conn:
        # one upgrade at a time, even with several app processes starting together
        conn.execute(f"select pg_advisory_xact_lock(hashtext('{MIGRATION_LOCK}'))")
        if superuser:
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(OWNER_ROLE)))
        _ensure_history(conn)
        applied = _applied(conn)
        _check_unchanged(applied, available)
        done = []
        for migration in available:
            if migration.version in applied:
                continue
            try:
                conn.execute(migration.text)
            except psycopg.Error as failure:
                raise MigrationError(f"migration {migration.name} failed: {failure}") from failure
            conn.execute("insert into app.schema_migrations (version, name, checksum) values (%s, %s, %s)",
                         [migration.version, migration.name, migration.checksum])
            done.append(migration.name)
        _apply_functions(conn)
    return done


def _apply_functions(conn):
    # bodies may name functions from later files: they are checked when called, and by the tests
    conn.execute("set local check_function_bodies = off")
    for role in (APP_ROLE, PAYMENTS_ROLE):  # the files grant what each role may run, and nothing else stays
        conn.execute(sql.SQL("revoke execute on all functions in schema app from {}").format(sql.Identifier(role)))
    for path in function_files():
        try:
            conn.execute(path.read_text())
        except psycopg.Error as failure:
            raise MigrationError(f"function file {path.name} failed: {failure}") from failure
    conn.execute("revoke execute on all functions in schema app from public")
    _refuse_functions_without_files(conn)


def _refuse_functions_without_files(conn):
    """A function that no file defines is left over from a dropped file or an old signature: its name is not among
    the files' definitions, or the database holds more versions of the name than the files define."""
    defined = Counter(name.lower() for path in function_files() for name in _DEFINES.findall(path.read_text()))
    left = [f"{name} ({', '.join(versions)})" for name, versions in conn.execute("""
        select p.proname, array_agg(p.oid::regprocedure::text order by p.oid) from pg_proc p
         where p.pronamespace = 'app'::regnamespace
           and not exists (select from pg_depend d  -- a range type's constructors belong to the type
                            where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'i')
         group by p.proname""") if len(versions) > defined[name]]
    if left:
        raise MigrationError("more functions than the files define: " + "; ".join(sorted(left))
                             + ". Drop the one no file defines in a new migration (or restore its file).")


def status(dsn):
    """(name, state) for every migration: applied, pending or changed (edited after it was applied)."""
    with psycopg.connect(dsn) as conn:
        exists = conn.execute("select to_regclass('app.schema_migrations') is not null").fetchone()[0]
        applied = _applied(conn) if exists else {}
    rows = []
    for migration in migrations():
        if migration.version not in applied:
            state = "pending"
        elif applied[migration.version][1] != migration.checksum:
            state = "changed"
        else:
            state = "applied"
        rows.append((migration.name, state))
    return rows
