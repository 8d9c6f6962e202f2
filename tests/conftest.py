"""Test databases: one embedded PostgreSQL per run, the schema built once into a template, and a fresh clone
of it for every test that asks for `database`."""
import itertools
import os
from datetime import datetime, timezone
import re
import secrets
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import db as app_db  # noqa: E402
import migrate  # noqa: E402
import rooms  # noqa: E402
from app import create_app  # noqa: E402
from embedded_pg import EmbeddedPostgres  # noqa: E402

TEMPLATE = "autodoctor_template"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # the frozen clock of most tests: Monday 09:00 in Toronto
PASSWORD = "correct horse battery"
# a werkzeug hash of PASSWORD, as accounts made before passwords moved into the database have (log_in accepts it
# once and rehashes it with bcrypt): for rows written directly
PASSWORD_HASH = generate_password_hash(PASSWORD)
# the bcrypt cost a fresh schema has; the test template lowers it so that the thousands of accounts the suite
# makes cost little (test_login_sessions measures a log-in at this one)
PRODUCTION_BCRYPT_COST = None
_numbers = itertools.count()


@dataclass
class Database:
    """A cloned test database: `owner()` connects as the superuser (for arranging and checking rows),
    `app()` as the app role, as the running app does."""
    name: str
    url: str
    app_url: str

    def owner(self, **kwargs):
        return psycopg.connect(self.url, autocommit=True, row_factory=dict_row, **kwargs)

    def app(self, **kwargs):
        return psycopg.connect(self.app_url, autocommit=True, row_factory=dict_row, **kwargs)

    def login_token(self, user):
        """The token of a log-in session of `user` that neither idles out nor expires, however the clock moves."""
        token = secrets.token_hex(32)
        with self.owner() as conn:
            conn.execute("insert into app.login_sessions (user_id, token_hash, created_at, last_seen_at, expires_at) "
                         "values (%s, sha256(convert_to(%s, 'UTF8')), app.app_now(), '9000-01-01', '9000-01-01')",
                         [user, token])
        return token

    def acting(self, user):
        """An app-role connection acting for `user`, as the app does for a logged-in person (see Acting)."""
        return Acting(self.app(), self.login_token(user))

    def scalar(self, query, params=None):
        with self.owner() as conn:
            row = conn.execute(query, params).fetchone()
            return None if row is None else next(iter(row.values()))

    def set_clock(self, at):
        with self.owner() as conn:
            conn.execute("select app.set_app_clock(%s)", [at])


class Acting:
    """An app-role connection on which every statement runs in a transaction of its own that first binds a log-in
    session's person (acting_user, which db.call makes the actor argument of a call)."""

    def __init__(self, conn, token):
        self.conn, self.token = conn, token

    def execute(self, query, params=None):
        with self.conn.transaction():
            self.conn.execute("select app.acting_user(%s)", [self.token])
            return self.conn.execute(query, params)

    def transaction(self):
        return self.conn.transaction()

    def close(self):
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@pytest.fixture(scope="session")
def pg_server():
    # room for the race tests' hundred parallel clients
    server = EmbeddedPostgres(postgres_args="-h 127.0.0.1 -F -c logging_collector=off -c max_connections=300")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def template_database(pg_server):
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(TEMPLATE)))
    migrate.upgrade(pg_server.url(TEMPLATE))
    global PRODUCTION_BCRYPT_COST
    with psycopg.connect(pg_server.url(TEMPLATE), autocommit=True) as conn:
        PRODUCTION_BCRYPT_COST = conn.execute("select bcrypt_cost from app.login_policy").fetchone()[0]
        conn.execute("update app.login_policy set bcrypt_cost = 4")
    return TEMPLATE


def clone_database(pg_server, template):
    name = f"test_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} template {} strategy file_copy").format(
            sql.Identifier(name), sql.Identifier(template)))
    url = pg_server.url(name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate.prepare_cluster(conn)  # database privileges are not copied from a template
    return Database(name, url, pg_server.url(name, user=migrate.APP_ROLE))


def drop_database(pg_server, name):
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@pytest.fixture
def database(pg_server, template_database):
    clone = clone_database(pg_server, template_database)
    yield clone
    drop_database(pg_server, clone.name)


@pytest.fixture
def empty_database(pg_server):
    """A database with no schema at all, for migration tests."""
    name = f"empty_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    yield pg_server.url(name)
    drop_database(pg_server, name)


@pytest.fixture
def money_audit_stays_empty(database):
    """After the test, every session's and payment's money adds up (app.money_audit() finds nothing) and moved
    (app.money_overdue() finds no refund or payment overdue at the test's clock). Modules that move money ask for it
    in every test: pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")."""
    yield
    with database.owner() as conn:
        assert conn.execute("select * from app.money_audit()").fetchall() == []
        assert conn.execute("select * from app.money_overdue()").fetchall() == []


@pytest.fixture
def world(database):
    """The test database with the clock frozen at NOW, arranged through its owner connection."""
    from availability_world import World
    database.set_clock(NOW)
    with database.owner() as conn:
        yield World(conn)


# ---- people -------------------------------------------------------------------------------------------------

def make_customer(database, email="casey@example.com", name="Casey Customer", timezone="America/Toronto"):
    return database.scalar(
        "select app.sign_up_customer(p_email => %s, p_password => %s, p_name => %s, p_timezone => %s, "
        "p_city => 'Toronto', p_province => 'ON', p_postal_code => 'm5v2t6')",
        [email, PASSWORD, name, timezone])


def make_staff(database, role, email, name="Sam Staff", timezone="America/Toronto", workshop_id=None,
               partnership=None):
    return database.scalar(
        "select app.create_staff_account(p_role => %s, p_email => %s, p_password => %s, p_name => %s, "
        "p_timezone => %s, p_workshop_id => %s, p_partnership_type => %s)",
        [role, email, PASSWORD, name, timezone, workshop_id, partnership])


def make_workshop(database, name="Test Garage", timezone="America/Toronto"):
    return database.scalar(
        "insert into app.workshops (name, street, city, province, postal_code, timezone) "
        "values (%s, '1 Main St', 'Toronto', 'ON', 'M5V 2T6', %s) returning id", [name, timezone])


# ---- the web app --------------------------------------------------------------------------------------------

@contextmanager
def acting_in(app, database, user):
    """The app's context with `user` bound to every call, as for a logged-in person's request (db.bind)."""
    with app.app_context():
        app_db.bind(database.login_token(user), user)
        yield


@pytest.fixture
def app(database, tmp_path):
    application = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database.url,
        "VAR_DIR": str(tmp_path),
        "SESSION_COOKIE_SECURE": False,  # the test client speaks plain http
    })
    yield application
    rooms.close(application)
    app_db.close_pool(application)


@pytest.fixture
def client(app):
    return app.test_client()


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, page):
    response = client.get(page)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {page} ({response.status_code})"
    return match.group(1)


def submit(client, page, data, action=None, **kwargs):
    """Posts a form the way a browser does: the page is loaded first for its CSRF token."""
    return client.post(action or page, data={**data, "csrf_token": csrf_token(client, page)}, **kwargs)


def log_in(client, email, password=PASSWORD):
    response = submit(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
