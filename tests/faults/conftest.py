"""What the fault suite shares: a PostgreSQL of a test's own (which the test may stop, restart or kill), `flask serve`
processes started and stopped as in production, and a logged-in HTTP client that records every answer."""
import http.cookiejar
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psycopg

import embedded_pg
import migrate
from conftest import PASSWORD, Database

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SCHEDULE = "/customer/schedule"
ALL_WEEK = {weekday: [("00:00", "24:00")] for weekday in range(1, 8)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def own_postgres(name="faults", **settings):
    """An embedded PostgreSQL of this test's own with a migrated database `name`: (server, Database). The test may
    restart or kill it (pg_ctl); it is stopped, whatever state it is in, afterwards."""
    pg = embedded_pg.EmbeddedPostgres(**settings)
    try:
        with psycopg.connect(pg.url(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        url = pg.url(name)
        migrate.upgrade(url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("update app.login_policy set bcrypt_cost = 4")  # as the suite's template: accounts made fast
        yield pg, Database(name=name, url=url, app_url=pg.url(name, migrate.APP_ROLE))
    finally:
        pg_ctl(pg, "stop", "-m", "immediate")  # a postmaster pg_ctl restarted is not pg's child
        pg.stop()


def pg_ctl(pg, *command, timeout=60):
    """pg_ctl on an own_postgres server (as the server's user): pg_ctl(pg, "restart", "-m", "fast"). A "start"
    after a "stop" starts it with the options it was first started with (its port among them)."""
    binary = os.path.join(os.path.dirname(pg.postgres), "pg_ctl")
    data = pg.get_data_directory()
    if command[0] == "start":
        options = shlex.split(Path(data, "postmaster.opts").read_text())[1:]  # the first started postgres's
        options = [o for o, before in zip(options, [None] + options) if "-D" not in (o, before)]
        command = (*command, "-o", shlex.join(options))
    return subprocess.run(embedded_pg.as_user(pg.user, [binary, "-D", data, "-w", *command]),
                          capture_output=True, text=True, timeout=timeout)


class AppServer:
    """`flask serve` in a process of its own on a free loopback port, with `env` on top of this one's environment
    (DATABASE_URL, JOB_RUNNER, ...); started by `start`, which waits until it answers."""

    def __init__(self, env, var_dir, port=None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "COOKIE_SECURE": "0", "SECRET_KEY": "faults", "AUTODOCTOR_VAR": str(var_dir), **env}
        self.process = None
        self.output = []  # its lines so far, read as they come (a full pipe would stop the server)
        self._reader = None

    def start(self, wait=90):
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve", "--port",
                                         str(self.port)], cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self.output.extend, args=[self.process.stdout], daemon=True)
        self._reader.start()
        deadline = time.monotonic() + wait
        while True:
            if self.process.poll() is not None:
                raise AssertionError("the app server stopped:\n" + self._all_output())
            try:
                urllib.request.urlopen(self.base + "/", timeout=2).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.kill()
                    raise AssertionError(f"the app server did not answer within {wait} s") from None
                time.sleep(0.2)

    def kill(self):
        """kill -9: no teardown, no connection closed politely."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self):
        """SIGTERM, as a process manager stops it; its whole output."""
        if self.process is None or self.process.poll() is not None:
            return ""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        return self._all_output()

    def _all_output(self):
        self._reader.join(timeout=10)
        return "".join(self.output)


@contextmanager
def serving(env, var_dir, count=1):
    """`count` app servers on the same settings, started one after another (each upgrades the schema under the
    migration lock), stopped afterwards."""
    servers = []
    try:
        for n in range(count):
            servers.append(AppServer(env, Path(var_dir) / f"app{n}").start())
        yield servers
    finally:
        for server in servers:
            server.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """A customer in a browser, without the browser: cookies, a CSRF token, and every answer as
    (method, path, status, Retry-After, page, began, ended), status None when nothing answered. Logged in when
    given an email."""

    def __init__(self, base, email=None, timeout=30):
        self.base, self.timeout, self.answers, self.csrf = base, timeout, [], None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect)
        if email:
            status, _, _ = self.submit("/login", {"email": email, "password": PASSWORD})
            assert status == 302, f"{email} could not log in ({status})"
            self.answers.clear()

    def token(self, path):
        """The CSRF token of the form on `path`."""
        status, page, _ = self.request("GET", path)
        assert status == 200, (path, status)
        return CSRF.search(page).group(1)

    def post(self, path, fields):
        """Posts a form with this log-in session's CSRF token (read once, from the customer's vehicles page): no
        page is loaded first, so the request timed is the post alone."""
        if self.csrf is None:
            self.csrf = self.token("/customer/vehicles")
        return self.request("POST", path, {**fields, "csrf_token": self.csrf})

    def schedule_until_time(self, mechanic_id, plan="standard"):
        """Answers Schedule's first four steps as a customer does (online, just advice, the plan, the mechanic),
        so that the next post is the time's."""
        for step, choice in (("service", "online"), ("vehicle", "advice"), ("plan", plan), ("mechanic", mechanic_id)):
            status = self.post(f"{SCHEDULE}/{step}", {"choice": str(choice)})[0]
            assert status == 302, f"{step}: {status}"

    def submit(self, path, fields, page=None):
        """Posts a form as a browser does: `page` (or `path`) is loaded first for its CSRF token."""
        return self.request("POST", path, {**fields, "csrf_token": self.token(page or path)})

    def request(self, method, path, fields=None, base=None):
        body = urllib.parse.urlencode(fields, doseq=True).encode() if fields is not None else None
        began = time.monotonic()
        try:
            with self.opener.open(urllib.request.Request((base or self.base) + path, data=body, method=method),
                                  timeout=self.timeout) as r:
                status, page, headers = r.status, r.read().decode(), r.headers
        except urllib.error.HTTPError as error:
            status, page, headers = error.code, error.read().decode(), error.headers
        except OSError as failure:  # no answer at all (a killed process, a refused connection): status None
            status, page, headers = None, str(failure), {}
        self.answers.append((method, path, status, headers.get("Retry-After"), page, began, time.monotonic()))
        return status, page, headers
