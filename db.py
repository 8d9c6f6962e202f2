"""The database as the app sees it: one pool per serving process, `call` for the SQL functions, and refusals
made readable (errors.py holds the words).

The app logs in as autodoctor_app, which may only execute granted functions; every call is one statement, so
its own short transaction. For a logged-in person, the call's actor argument is `app.acting_user(token)`,
which binds them as the transaction's actor before the function runs: the functions act only for the actor
the database bound from a live log-in session, never for an id the app merely names.
Money arriving or leaving (gateway events, refunds, reconciliation) goes through `call_for_payments`, as
autodoctor_payments. Migrations, jobs and the CLI use DATABASE_URL (the owner) through migrate.py, jobs.py
and cli.py.
"""
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
from flask import current_app, g
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

import errors
from migrate import APP_ROLE, PAYMENTS_ROLE

log = logging.getLogger(__name__)
_pool_lock = threading.Lock()
# call_all's workers: two, as many as the cores the database has; with WEB_THREADS (8) requests each holding a
# connection, they fit the pool's 10
_fan_out = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-call-all")


class Coded(str):
    """A refusal's message that keeps what refused it: `code`, the SQLSTATE (UR007) or the constraint's name
    (vehicles_vin_valid). Pages mark the element showing it with data-code (the `data_code` filter), so that tests
    and scripts need not read the wording; it stays a plain sentence everywhere else."""

    def __new__(cls, message, code):
        coded = super().__new__(cls, message)
        coded.code = code
        return coded


class Refusal(Exception):
    """The database said no: the message for the user, the field it concerns, and the HTTP status. `problems`
    are (field, message) pairs, one per refused field: several when the database refused a whole form at once.
    The message of a refusal with a code or a constraint is Coded with the constraint's name, or else the code."""

    def __init__(self, message, status=400, field=None, code=None, constraint=None, problems=None):
        reason = constraint or code
        message = Coded(message, reason) if reason else message
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field
        self.code = code
        self.constraint = constraint
        self.problems = problems or [(field, message)]


def _role_dsn(config, prefix, role):
    """<prefix>_DATABASE_URL, or DATABASE_URL's server as the role (with <prefix>_DB_PASSWORD if set)."""
    if config.get(f"{prefix}_DATABASE_URL"):
        return config[f"{prefix}_DATABASE_URL"]
    params = conninfo_to_dict(config["DATABASE_URL"])
    params.pop("password", None)
    params["user"] = role
    if config.get(f"{prefix}_DB_PASSWORD"):
        params["password"] = config[f"{prefix}_DB_PASSWORD"]
    return make_conninfo(**params)


def app_dsn(config):
    """Where the app logs in: APP_DATABASE_URL, or DATABASE_URL's server as the app role."""
    return _role_dsn(config, "APP", APP_ROLE)


def payments_dsn(config):
    """Where gateway events and reconciliation log in: PAYMENTS_DATABASE_URL, or DATABASE_URL's server as the
    payments role."""
    return _role_dsn(config, "PAYMENTS", PAYMENTS_ROLE)


_POOLS = {"db_pool": (app_dsn, "DB_POOL_SIZE", 10), "payments_pool": (payments_dsn, "PAYMENTS_POOL_SIZE", 4)}


def _pool(name="db_pool"):
    app = current_app._get_current_object()
    pool = app.extensions.get(name)
    if pool is None:
        with _pool_lock:
            pool = app.extensions.get(name)
            if pool is None:
                # created on first use, so in the serving process and never before a fork
                dsn, size_key, size = _POOLS[name]
                pool = ConnectionPool(dsn(app.config), open=False, min_size=1,
                                      max_size=app.config.get(size_key, size), name=f"autodoctor-{name}",
                                      kwargs={"autocommit": True, "row_factory": dict_row})
                pool.open()
                app.extensions[name] = pool
    return pool


def close_pool(app):
    for name in _POOLS:
        pool = app.extensions.pop(name, None)
        if pool is not None:
            pool.close()


def connection():
    """This request's connection, taken from the pool on first use and given back at teardown."""
    if "db_conn" not in g:
        g.db_conn = _pool().getconn()
    return g.db_conn


@contextmanager
def using(conn):
    """Within the block, `call` and `call_for_payments` in this app context run on conn (a job runner's own
    connection as the owner, which must be autocommit with dict rows) instead of a pooled one."""
    previous = g.pop("db_conn", None)
    g.db_conn = g.db_using = conn
    try:
        yield conn
    finally:
        g.pop("db_conn", None)
        g.pop("db_using", None)
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


def bind(token, user_id):
    """From now on in this request, every call with an actor binds the person of this log-in session, who must
    be the actor it names."""
    g.binding = (token, user_id)


def brief_caller():
    """A `call` that needs no request context (for this request's person): each call borrows a pooled
    connection and gives it straight back (see release)."""
    pool, binding = _pool(), g.get("binding")

    def call_briefly(function, **args):
        with pool.connection() as conn:
            return _call_on(conn, function, args, binding)
    return call_briefly


def call_all(**calls):
    """Several calls that read and do not depend on each other (a page of measures), run at once on pooled
    connections of their own: {name: (function, args)} -> {name: rows}. A refusal is raised as `call` raises it."""
    call_briefly = brief_caller()
    running = {name: _fan_out.submit(call_briefly, function, **args) for name, (function, args) in calls.items()}
    return {name: future.result() for name, future in running.items()}


def call_for_payments(function, **args):
    """`call` as autodoctor_payments, for the functions that record money arriving or leaving; a job's own
    connection (see using) when there is one."""
    if "db_using" in g:
        return _call_on(g.db_using, function, args)
    with _pool("payments_pool").connection() as conn:
        return _call_on(conn, function, args)


def init_app(app):
    app.teardown_appcontext(_give_back)


_ACTING_USER = sql.SQL("app.acting_user({})").format(sql.Placeholder("_token"))


def _function_call(function, args, bound):
    arguments = sql.SQL(", ").join(
        sql.SQL("{} => {}").format(sql.Identifier("p_" + name),
                                   _ACTING_USER if bound and name == "actor" else sql.Placeholder(name))
        for name in args)
    return sql.SQL("select * from app.{}({})").format(sql.Identifier(function), arguments)


def call(function, **args):
    """The rows (dicts) of app.<function>(p_name => value, ...), one statement in a transaction of its own.
    A refusal by the database is raised as Refusal; anything else is a bug and propagates."""
    return _call_on(connection(), function, args, g.get("binding"))


def _call_on(conn, function, args, binding=None, dry_run=False):
    for name, value in args.items():
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL text cannot hold it: bad input, not a fault
            raise Refusal(errors.GENERIC_BAD_INPUT, 400, field=name, code="22021")  # as PostgreSQL would refuse it
    bound = binding is not None and "actor" in args
    query, params = _function_call(function, args, bound), args
    if bound:
        token, user_id = binding
        if args["actor"] != user_id:
            raise RuntimeError(f"{function}: a request of user {user_id} acts for user {args['actor']}")
        params = {**args, "_token": token}
    try:
        if dry_run:
            with conn.transaction(force_rollback=True):
                conn.execute(query, params)
            return []
        return conn.execute(query, params).fetchall()
    except psycopg.Error as failure:
        refusal = translate(failure)
        if refusal is None:
            raise
        raise refusal from failure


def verdict(function, **args):
    """The Refusal `call` would raise, or None, with nothing kept: the call runs in a transaction that is rolled
    back. For a form whose own checks already failed, so that what the database refuses is shown with them; a
    fault there (what the form refused may not even reach the function) is logged and judges nothing."""
    try:
        _call_on(connection(), function, args, g.get("binding"), dry_run=True)
    except Refusal as refusal:
        return refusal
    except psycopg.Error as fault:
        log.warning("%s could not judge a refused form: %s", function, fault)
    return None


def call_one(function, **args):
    rows = call(function, **args)
    return rows[0] if rows else None


def call_value(function, **args):
    row = call_one(function, **args)
    return None if row is None else next(iter(row.values()))


def _coded_problem(item):
    """(field, message) of one problem of a UV000 refusal, the message Coded with the problem's code or constraint."""
    field, message = errors.problem(item)
    return field, Coded(message, item.partition(":")[0])


def translate(failure):
    """A Refusal for an error that bad input or a business rule explains; None for a real fault."""
    state = failure.sqlstate or ""
    diag = failure.diag
    if state == "UV000":  # several fields refused at once (refuse_fields.sql)
        problems = [_coded_problem(item) for item in (diag.message_detail or "").split()]
        return Refusal(errors.CODES[state], 400, field=problems[0][0] if problems else None, code=state,
                       problems=problems)
    if state[:2] in errors.STATUS_BY_CLASS:
        # a rule's refusal may carry its own sentence in HINT, with the numbers of the rule that refused
        message = diag.message_hint if state[:2] == "UR" and diag.message_hint else errors.CODES.get(
            state, errors.GENERIC_BAD_INPUT)
        return Refusal(message, errors.STATUS_BY_CLASS[state[:2]], field=diag.column_name, code=state)
    constraint = diag.constraint_name
    conflict = state in ("23505", "23P01")
    if constraint in errors.CONSTRAINTS:
        field, message = errors.CONSTRAINTS[constraint]
        return Refusal(message, 409 if conflict else 400, field=field, code=state, constraint=constraint)
    if state[:2] in ("22", "23") or isinstance(failure, psycopg.DataError):  # DataError: also NUL bytes
        log.warning("database refused input without a mapped message: %s %s", state, constraint or failure)
        return Refusal(errors.GENERIC_BAD_INPUT, 409 if conflict else 400, code=state, constraint=constraint)
    return None
