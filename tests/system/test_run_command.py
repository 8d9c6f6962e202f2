"""The run command's server end to end: embedded PostgreSQL under var/, migrations, the demo world on first
start, the home page, a demo log-in, and data that survives a restart. Also the embedded server as a normal
user (from a copy of what it needs that this user can read, whoever may read the checkout) and in a folder of
any depth, and the one clear sentence when PostgreSQL is missing."""
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest

import demo
import embedded_pg

pytestmark = pytest.mark.slow  # servers started as processes

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Just enough of a browser: cookies, and forms posted with the page's CSRF token."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)

    def get(self, path):
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def submit(self, path, fields):
        _, page, _ = self.get(path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=10) as response:
                return response.status, response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def start_server(var_dir, port):
    env = {**os.environ, "AUTODOCTOR_VAR": str(var_dir), "COOKIE_SECURE": "0"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the server stopped:\n" + process.stdout.read())
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError("the server did not answer within 90 s:\n" + process.stdout.read())


def stop_server(process):
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    return process.stdout.read()


@pytest.fixture
def var_dir(tmp_path):
    """A var/ folder for `flask serve`; afterwards, however the test ended, its data is gone from /var/tmp too."""
    yield tmp_path / "var"
    shutil.rmtree(os.path.realpath(tmp_path / "var" / "pg"), ignore_errors=True)


def test_serve_with_demo_data_that_survives_a_restart(var_dir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(var_dir, port)
    try:
        status, home, headers = Browser(base).get("/")
        assert status == 200 and "Talk to a real mechanic" in home and "$29.00 CAD" in home
        customer = Browser(base)
        status, headers = customer.submit("/login", {"email": "alex@example.com", "password": demo.DEMO_PASSWORD})
        assert status == 302 and headers["Location"].endswith("/customer/")
        assert "Honda Civic" in customer.get("/customer/vehicles")[1]
        newcomer = Browser(base)
        status, _ = newcomer.submit("/signup", {"name": "Dana New", "email": "dana@example.com",
                                                "password": "a long password", "confirm": "a long password",
                                                "timezone": "America/Regina", "country": "CA"})
        assert status == 302
    finally:
        output = stop_server(process)
    assert "loading the demo world" in output
    assert f"links in emails lead to {base}" in output  # the port served, not 5000
    data_dir = Path(os.path.realpath(var_dir / "pg")) / "data"
    assert not (data_dir / "postmaster.pid").exists(), "the embedded server was left running"

    process = start_server(var_dir, port)
    try:
        again = Browser(base)
        status, headers = again.submit("/login", {"email": "dana@example.com", "password": "a long password"})
        assert status == 302 and headers["Location"].endswith("/customer/")
        assert "Hello, Dana" in again.get("/customer/")[1]
    finally:
        output = stop_server(process)
    assert "loading the demo world" not in output  # loaded once, on the first start only


# What the normal-user script imports. The test copies the installed distributions that provide it (whole, from
# their RECORD: code, metadata, the `.libs` of compiled wheels), with embedded_pg.py, to a folder that user owns:
# a checkout and its .venv may sit where that user cannot read (under a root-only /root, say), and the test must
# prove the same thing from every checkout.
NEEDS = "import psycopg, embedded_pg; psycopg.pq.version()"
_FILES_NEEDED = """
import importlib.metadata, json, sys
before = set(sys.modules)
%s
tops = {name.partition(".")[0] for name in set(sys.modules) - before}
providers = importlib.metadata.packages_distributions()
files = []
for name in sorted({dist for top in tops for dist in providers.get(top, [])}):
    dist = importlib.metadata.distribution(name)
    files += [(str(dist.locate_file(f)), str(f)) for f in dist.files or []
              if not f.parts[0] == ".." and "__pycache__" not in f.parts]
print(json.dumps(files))
""" % NEEDS


def files_needed():
    """(installed file, its path relative to site-packages) for every file of the distributions NEEDS loads."""
    found = subprocess.run([sys.executable, "-c", _FILES_NEEDED], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
    assert found.returncode == 0, found.stderr
    return json.loads(found.stdout)


def interpreter_for(user):
    """A Python the user may run, of our version (the copied packages hold compiled modules built for it): ours
    itself, outside its .venv, or the system's."""
    ours = "import sys; sys.exit(sys.version_info[:2] != %r)" % (tuple(sys.version_info[:2]),)
    for candidate in (os.path.realpath(sys.executable), "/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate) and subprocess.run(embedded_pg.as_user(user, [candidate, "-c", ours]), cwd="/",
                                                        capture_output=True, timeout=30).returncode == 0:
            return candidate
    raise AssertionError(f"no Python {sys.version_info.major}.{sys.version_info.minor} that user {user} may run: "
                         f"install one at /usr/bin/python3, or run the suite from a Python outside a private folder")


def test_embedded_server_runs_as_a_normal_user():
    script = (
        "import os, psycopg, embedded_pg\n"
        "print('from', os.path.dirname(os.path.dirname(psycopg.__file__)), os.path.dirname(embedded_pg.__file__))\n"
        "server = embedded_pg.EmbeddedPostgres()\n"
        "with psycopg.connect(server.url()) as conn:\n"
        "    data = conn.execute('show data_directory').fetchone()[0]\n"
        "    print('answer', conn.execute('select 1').fetchone()[0], os.stat(data).st_uid == os.getuid())\n"
        "server.stop()\n")
    user = None
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user = (nobody.pw_uid, nobody.pw_gid)
    # not pytest's tmp_path: its parents are private to us
    folder = Path(tempfile.mkdtemp(prefix="autodoctor-normal-user-", dir="/tmp"))
    try:
        shutil.copy2(ROOT / "embedded_pg.py", folder)
        for installed, relative in files_needed():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(installed, folder / relative)
        if user is not None:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, *user, follow_symlinks=False)
        env = {name: value for name, value in os.environ.items()
               if name not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        env.update(HOME=str(folder), TMPDIR="/tmp", PYTHONPATH=str(folder), PYTHONNOUSERSITE="1",
                   PYTHONDONTWRITEBYTECODE="1")
        command = embedded_pg.as_user(user, [interpreter_for(user), "-c", script])
        result = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(folder)
    assert result.returncode == 0, result.stderr
    assert f"from {folder} {folder}" in result.stdout  # our copy, not a checkout nor a system psycopg
    assert "answer 1 True" in result.stdout


def test_embedded_server_starts_in_a_folder_of_any_depth():
    # a Unix socket's path may not pass 107 bytes: the server listens on 127.0.0.1 only, so a checkout deep in
    # its folders keeps its data in ./var/pg as any other does
    folder = Path(tempfile.mkdtemp(prefix="autodoctor-deep-", dir="/tmp"))
    try:
        folder.chmod(0o755)
        base_dir = embedded_pg.lasting_base_dir(str(folder / ("d" * 60) / ("e" * 60) / "pg"))
        assert len(base_dir) > 107 and not os.path.islink(base_dir)
        server = embedded_pg.EmbeddedPostgres(base_dir=base_dir, postgres_args="-h 127.0.0.1 -F")
        try:
            with psycopg.connect(server.url()) as conn:
                assert conn.execute("select 1").fetchone()[0] == 1
        finally:
            server.stop()
        assert not os.path.exists(os.path.join(base_dir, "data", "postmaster.pid"))
    finally:
        shutil.rmtree(folder)


def test_a_missing_postgresql_is_one_clear_sentence():
    result = subprocess.run([sys.executable, "embedded_pg.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PG_BINDIR": "/nonexistent/bin"})
    assert result.returncode == 1
    assert result.stderr.strip() == embedded_pg.INSTALL_HINT
    assert subprocess.run([sys.executable, "embedded_pg.py", "check"], cwd=ROOT).returncode == 0


def test_lasting_data_folder_is_one_the_server_user_can_reach(tmp_path):
    open_parent = Path(tempfile.mkdtemp(prefix="autodoctor-open-", dir="/tmp"))
    try:
        open_parent.chmod(0o755)
        assert embedded_pg.lasting_base_dir(str(open_parent / "pg")) == str(open_parent / "pg")
        assert not os.path.islink(open_parent / "pg")
    finally:
        shutil.rmtree(open_parent)
    closed_parent = tmp_path / "closed"
    closed_parent.mkdir(mode=0o700)
    folder = embedded_pg.lasting_base_dir(str(closed_parent / "pg"))
    if os.geteuid() == 0:  # the server's user cannot enter a root-only folder: the data goes to /var/tmp
        assert os.path.islink(closed_parent / "pg") and folder.startswith("/var/tmp/autodoctor-pg-")
        assert os.path.realpath(closed_parent / "pg") == folder
        shutil.rmtree(folder)
    else:
        assert folder == os.path.realpath(closed_parent / "pg")
