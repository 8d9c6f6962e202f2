"""The database as the app sees it: one pool per serving process, `call` for the SQL functions, and refusals
made readable (errors.py holds the words).

The app logs in as autodoctor_app, which may only execute granted functions; every call is one statement, so
its own short transaction. For a logged-in person, the call's actor argument is `app.acting_user(token)`,
which binds them as the transaction's actor before the function runs: the functions act only for the actor
the database bound from a live log-in session, never for an id the app merely names.
Money arriving or leaving (gateway events, refunds, reconciliation) goes through `call_for_payments`, as
autodoctor_payments. Migrations, jobs and the CLI connect as the owner through migrate.py, jobs.py and cli.py,
to DIRECT_DATABASE_URL when DATABASE_URL names a pooler (direct_dsn).
"""
import logging
import select
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg
from flask import current_app, g
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

import errors
from migrate import APP_ROLE, PAYMENTS_ROLE

log = logging.getLogger(__name__)
_pool_lock = threading.Lock()
# call_all's workers: two, as many as the cores the database has; with WEB_THREADS (8) requests each holding a
# connection, they fit the pool's 10
_fan_out = ThreadPoolExecutor(max_workers=2, thread_name_prefix="db-call-all")


class Unavailable(Exception):
    """The database did not answer (a restart, a failover, every pooled connection busy): a 503 with Retry-After.
    `changed` is False when nothing can have been done (the call never reached the database, or the database
    refused it whole), None when a write was sent and the connection broke before its answer came back: it may or
    may not have been saved, and the page must not say it was not."""

    def __init__(self, changed):
        super().__init__("the database did not answer")
        self.changed = changed


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


def _role_dsn(config, prefix, role, direct=False):
    """<prefix>_DATABASE_URL, or DATABASE_URL's server as the role (with <prefix>_DB_PASSWORD if set). `direct`:
    DIRECT_DATABASE_URL's servers as the role, when it is set, bypassing the pooler."""
    if direct and config.get("DIRECT_DATABASE_URL"):
        params = conninfo_to_dict(config["DIRECT_DATABASE_URL"])
    elif config.get(f"{prefix}_DATABASE_URL"):
        return config[f"{prefix}_DATABASE_URL"]
    else:
        params = conninfo_to_dict(config["DATABASE_URL"])
    params.pop("password", None)
    params["user"] = role
    if config.get(f"{prefix}_DB_PASSWORD"):
        params["password"] = config[f"{prefix}_DB_PASSWORD"]
    return make_conninfo(**params)


def direct_dsn(config):
    """The owner's connection that bypasses the pooler: DIRECT_DATABASE_URL, or DATABASE_URL."""
    return config.get("DIRECT_DATABASE_URL") or config["DATABASE_URL"]


def app_dsn(config, direct=False):
    """Where the app logs in: APP_DATABASE_URL, or DATABASE_URL's server as the app role. `direct`: for what a
    pooler in transaction mode cannot carry (the rooms' LISTEN), DIRECT_DATABASE_URL's servers as the app role."""
    return _role_dsn(config, "APP", APP_ROLE, direct)


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
                                      kwargs={"autocommit": True, "row_factory": dict_row,
                                              "prepare_threshold": _prepare_threshold(app.config)},
                                      # a request waits this long for a connection, then answers 503 (not 30 s)
                                      timeout=app.config.get("DB_POOL_TIMEOUT", 5.0))
                pool.open()
                app.extensions[name] = pool
    return pool


def _prepare_threshold(config):
    """psycopg's default (a statement run 5 times is prepared on the server) on a direct connection; none behind a
    pooler (DIRECT_DATABASE_URL set: DATABASE_URL names PgBouncer), which in transaction mode gives each transaction
    whichever server connection is free, where a statement prepared on another does not exist."""
    return None if config.get("DIRECT_DATABASE_URL") else 5


def close_pool(app):
    for name in _POOLS:
        pool = app.extensions.pop(name, None)
        if pool is not None:
            pool.close()


def connection():
    """This request's connection, taken from the pool on first use and given back at teardown. Unavailable when
    the pool has none to give within DB_POOL_TIMEOUT (nothing was sent)."""
    if "db_conn" not in g:
        g.db_conn = _borrow(_pool())
    return g.db_conn


def _borrow(pool):
    try:
        return pool.getconn()
    except (PoolTimeout, psycopg.OperationalError) as failure:
        log.warning("no database connection: %s", failure)
        raise Unavailable(changed=False) from failure


# Calls that change nothing a second run would change again, retried once on a fresh connection when theirs broke:
# the stable and immutable functions (read models, availability), and authenticate, whose only write is noting
# when the log-in session was last seen. (Read from the catalogue once per process.)
_RETRY_SAFE_VOLATILE = {"authenticate"}
_READS = "select p.proname from pg_proc p where p.pronamespace = 'app'::regnamespace group by 1 having bool_and(p.provolatile <> 'v')"
_checked_at, _READ_SETS = {}, {}  # by pool name


def _check_soon(pool):
    """After a connection broke, the pool's idle connections are checked (those of a restarted server are all
    dead) so that the next requests get live ones: at most once a second per pool, however many requests fail."""
    now = time.monotonic()
    if now - _checked_at.get(pool.name, 0) >= 1:
        _checked_at[pool.name] = now
        pool.check()


def _closed_by_server(conn):
    """Whether the server has ended this idle connection (a restart, a failover, pg_terminate_backend): its last
    word (an error, then end of file) waits unread on the socket, and a query sent on it would fail. No round trip:
    an idle autocommit connection of the pool has nothing else to read."""
    return conn.closed or bool(select.select([conn.pgconn.socket], [], [], 0)[0])


def _live(pool, borrow, give_back):
    """A borrowed connection the server has not ended: one it has is closed and given back (the pool discards
    it), having been sent nothing, and another is borrowed."""
    for _ in range(pool.max_size + 1):
        conn = borrow()
        if not _closed_by_server(conn):
            return conn
        _check_soon(pool)
        conn.close()
        give_back()
    raise Unavailable(changed=False)


def _call_resilient(pool, borrow, give_back, function, args, binding=None):
    """_call_on on a borrowed connection. When the connection broke under a call that is safe to repeat, or the
    node refused it whole as read-only (a standby since a failover), the call runs once more on a fresh one (a
    restarted or failed-over database); otherwise Unavailable says whether anything may have changed."""
    conn = _live(pool, borrow, give_back)
    reads, sent = _READ_SETS.get(pool.name), False
    try:
        if reads is None:  # once per process, on a live connection: afterwards its own may be the one that broke
            reads = _READ_SETS[pool.name] = {r["proname"] for r in conn.execute(_READS)} | _RETRY_SAFE_VOLATILE
        sent = True
        return _call_on(conn, function, args, binding)
    except psycopg.errors.ReadOnlySqlTransaction as failure:
        _drop_read_only(conn, function, failure)
    except psycopg.OperationalError as failure:
        if not conn.broken:  # the database answered with an error: the statement was rolled back
            log.warning("%s failed in the database: %s", function, failure)
            raise Unavailable(changed=False) from failure
        log.warning("%s: the database connection broke: %s", function, failure)
        _check_soon(pool)
        if sent and function not in reads:
            raise Unavailable(changed=None) from failure
    give_back()  # the pool discards a broken (or closed) connection
    conn = _live(pool, borrow, give_back)
    try:
        return _call_on(conn, function, args, binding)
    except psycopg.errors.ReadOnlySqlTransaction as failure:
        _drop_read_only(conn, function, failure)
        raise Unavailable(changed=False) from failure
    except psycopg.OperationalError as failure:
        log.warning("%s failed again on a fresh connection: %s", function, failure)
        raise Unavailable(changed=False if reads and function in reads else None) from failure


def _drop_read_only(conn, function, failure):
    """A node that refused a call as read-only (SQLSTATE 25006) is a standby now: the call was refused whole, and
    the connection is closed so that the pool makes a new one, to the node that accepts writes
    (target_session_attrs=read-write, or PgBouncer once it follows the new primary)."""
    log.warning("%s was refused by a read-only node (a standby since a failover): %s", function, failure)
    conn.close()


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

    return lambda function, **args: _call_briefly(pool, function, args, binding)


def _call_briefly(pool, function, args, binding=None):
    """_call_resilient on connections borrowed for this call alone."""
    held = []

    def borrow():
        held.append(_borrow(pool))
        return held[-1]

    try:
        return _call_resilient(pool, borrow, lambda: pool.putconn(held.pop()), function, args, binding)
    finally:
        while held:
            pool.putconn(held.pop())


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
    return _call_briefly(_pool("payments_pool"), function, args)


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
    A refusal by the database is raised as Refusal, a database that does not answer as Unavailable (see
    _call_resilient); anything else is a bug and propagates."""
    if "db_using" in g:  # a job's own connection: the job runner handles its failures
        return _call_on(g.db_using, function, args, g.get("binding"))
    return _call_resilient(_pool(), connection, _give_back, function, args, g.get("binding"))


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
