"""The database as the app sees it: one pool per serving process, `call` for the SQL functions, and refusals
made readable (errors.py holds the words).

The app logs in as autodoctor_app, which may only execute granted functions; every call runs in its own
short transaction. Migrations and the CLI use DATABASE_URL (the owner) through migrate.py and cli.py.
"""
import logging
import threading
from contextlib import contextmanager

import psycopg
from flask import current_app, g
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

import errors
from migrate import APP_ROLE

log = logging.getLogger(__name__)
_pool_lock = threading.Lock()


class Refusal(Exception):
    """The database said no: the message for the user, the field it concerns, and the HTTP status."""

    def __init__(self, message, status=400, field=None, code=None, constraint=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.code = code
        self.constraint = constraint


def app_dsn(config):
    """Where the app logs in: APP_DATABASE_URL, or DATABASE_URL's server as the app role."""
    if config.get("APP_DATABASE_URL"):
        return config["APP_DATABASE_URL"]
    params = conninfo_to_dict(config["DATABASE_URL"])
    params.pop("password", None)
    params["user"] = APP_ROLE
    if config.get("APP_DB_PASSWORD"):
        params["password"] = config["APP_DB_PASSWORD"]
    return make_conninfo(**params)


def _pool():
    app = current_app._get_current_object()
    pool = app.extensions.get("db_pool")
    if pool is None:
        with _pool_lock:
            pool = app.extensions.get("db_pool")
            if pool is None:
                # created on first use, so in the serving process and never before a fork
                pool = ConnectionPool(app_dsn(app.config), open=False, min_size=1,
                                      max_size=app.config.get("DB_POOL_SIZE", 10), name="autodoctor",
                                      kwargs={"autocommit": True, "row_factory": dict_row})
                pool.open()
                app.extensions["db_pool"] = pool
    return pool


def close_pool(app):
    pool = app.extensions.pop("db_pool", None)
    if pool is not None:
        pool.close()


def connection():
    """This request's connection, taken from the pool on first use and given back at teardown."""
    if "db_conn" not in g:
        g.db_conn = _pool().getconn()
    return g.db_conn


@contextmanager
def using(conn):
    """Within the block, `call` in this app context runs on conn (a job runner's own connection, which must
    be autocommit with dict rows) instead of a pooled one."""
    previous = g.pop("db_conn", None)
    g.db_conn = conn
    try:
        yield conn
    finally:
        g.pop("db_conn", None)
        if previous is not None:
            g.db_conn = previous


def _give_back(_exception=None):
    conn = g.pop("db_conn", None)
    if conn is not None:
        _pool().putconn(conn)


def release():
    """Gives this request's connection back to the pool now rather than at teardown: for a response that
    streams for minutes (a room's events), which must not keep one while it waits."""
    _give_back()


def brief_caller():
    """A `call` that needs no request context: each call borrows a pooled connection and gives it straight
    back (see release)."""
    pool = _pool()

    def call_briefly(function, **args):
        with pool.connection() as conn:
            return _call_on(conn, function, args)
    return call_briefly


def init_app(app):
    app.teardown_appcontext(_give_back)


def _function_call(function, args):
    arguments = sql.SQL(", ").join(
        sql.SQL("{} => {}").format(sql.Identifier("p_" + name), sql.Placeholder(name)) for name in args)
    return sql.SQL("select * from app.{}({})").format(sql.Identifier(function), arguments)


def call(function, **args):
    """The rows (dicts) of app.<function>(p_name => value, ...), in a transaction of its own.
    A refusal by the database is raised as Refusal; anything else is a bug and propagates."""
    return _call_on(connection(), function, args)


def _call_on(conn, function, args):
    try:
        with conn.transaction():
            return conn.execute(_function_call(function, args), args).fetchall()
    except psycopg.Error as failure:
        refusal = translate(failure)
        if refusal is None:
            raise
        raise refusal from failure


def call_one(function, **args):
    rows = call(function, **args)
    return rows[0] if rows else None


def call_value(function, **args):
    row = call_one(function, **args)
    return None if row is None else next(iter(row.values()))


def translate(failure):
    """A Refusal for an error that bad input or a business rule explains; None for a real fault."""
    state = failure.sqlstate or ""
    diag = failure.diag
    if state[:2] in errors.STATUS_BY_CLASS:
        return Refusal(errors.CODES.get(state, errors.GENERIC_BAD_INPUT), errors.STATUS_BY_CLASS[state[:2]],
                       field=diag.column_name, code=state)
    constraint = diag.constraint_name
    conflict = state in ("23505", "23P01")
    if constraint in errors.CONSTRAINTS:
        field, message = errors.CONSTRAINTS[constraint]
        return Refusal(message, 409 if conflict else 400, field=field, code=state, constraint=constraint)
    if state[:2] in ("22", "23") or isinstance(failure, psycopg.DataError):  # DataError: also NUL bytes
        log.warning("database refused input without a mapped message: %s %s", state, constraint or failure)
        return Refusal(errors.GENERIC_BAD_INPUT, 409 if conflict else 400, code=state, constraint=constraint)
    return None
