"""Backups that restore: `flask db backup` and `flask db restore`.

A backup is pg_dump's custom format (-Fc) of the app's one database: a consistent snapshot taken while the app
runs, small (compressed), restorable into a fresh server of the same or any newer PostgreSQL. It holds no roles
(they belong to the cluster), so a restore creates them first (migrate.prepare_cluster, with the passwords of
APP_DB_PASSWORD and PAYMENTS_DB_PASSWORD), then runs pg_restore in one transaction, then checks what it restored.
Point-in-time recovery (pg_basebackup with WAL archiving) is a choice of the DBA running the real cluster.
"""
import os
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

import embedded_pg
import migrate


class BackupError(RuntimeError):
    pass


def default_path(var_dir, dsn):
    """VAR_DIR/backups/DATABASE-YYYYMMDDTHHMMSSZ.dump, the time in UTC."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Path(var_dir) / "backups" / f"{conninfo_to_dict(dsn).get('dbname', 'autodoctor')}-{stamp}.dump"


def _tool(name, dsn, *arguments, stdout=subprocess.DEVNULL):
    """PostgreSQL's `name` (of the server we find, as the embedded one is) on `dsn`, its password in the environment
    rather than on the command line, where any local user could read it."""
    params = conninfo_to_dict(dsn)
    env = {**os.environ, **({"PGPASSWORD": params.pop("password")} if "password" in params else {})}
    command = [os.path.join(embedded_pg.find_bindir(), name), "--dbname", make_conninfo(**params), *arguments]
    return subprocess.run(command, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)


def dump(dsn, path):
    """Writes the backup of `dsn`'s database to `path` (readable by its owner only; never over an existing file).
    Returns its size in bytes."""
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: name another file.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".partial")  # the final name appears only for a whole backup
    try:
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as out:
            done = _tool("pg_dump", dsn, "--format=custom", stdout=out)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


def restore(path, dsn, app_password=None, payments_password=None):
    """Restores the backup at `path` into `dsn`'s database, which must not hold the app's schema yet; returns
    what check() finds in the result."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        if conn.execute("select 1 from pg_namespace where nspname = 'app'").fetchone():
            raise BackupError(f"database {conn.info.dbname} already has the app's schema: a backup is restored "
                              "only into an empty database, so create a new one (createdb) and restore into it.")
        if migrate._is_superuser(conn):
            migrate.prepare_cluster(conn, app_password, payments_password)
    done = _tool("pg_restore", dsn, "--exit-on-error", "--single-transaction", str(path))
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed and restored nothing: {done.stderr.strip()}")
    return check(dsn)


def check(dsn):
    """What a restored database holds that needs attention: {"pending": [...], "changed": [...], "money_audit": N}
    (migrations not applied yet, applied ones whose file differs now, sessions whose money does not add up)."""
    states = migrate.status(dsn)
    with psycopg.connect(dsn) as conn:
        unbalanced = conn.execute("select count(*) from app.money_audit()").fetchone()[0]
    return {"pending": [name for name, state in states if state == "pending"],
            "changed": [name for name, state in states if state == "changed"],
            "money_audit": unbalanced}
