"""The run command's server end to end: embedded PostgreSQL under var/, migrations, the demo world on first
start, the home page, a demo log-in, and data that survives a restart. Also the embedded server as a normal
user, and the one clear sentence when PostgreSQL is missing."""
import http.cookiejar
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import demo
import embedded_pg

ROOT = Path(__file__).resolve().parent.parent


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


def test_serve_with_demo_data_that_survives_a_restart(tmp_path):
    var_dir = tmp_path / "var"
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
        shutil.rmtree(os.path.realpath(var_dir / "pg"), ignore_errors=True)
    assert "loading the demo world" not in output  # loaded once, on the first start only


def interpreter_for(user):
    """A Python 3.11+ the user may run (ours may sit under /root), with our packages on its path."""
    for candidate in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        probe = [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]
        if os.path.exists(candidate) and subprocess.run(embedded_pg.as_user(user, probe)).returncode == 0:
            return candidate
    raise AssertionError(f"no Python 3.11+ that user {user} may run")


def test_embedded_server_runs_as_a_normal_user(tmp_path):
    script = (
        "import os, psycopg, embedded_pg\n"
        "server = embedded_pg.EmbeddedPostgres()\n"
        "with psycopg.connect(server.url()) as conn:\n"
        "    data = conn.execute('show data_directory').fetchone()[0]\n"
        "    print('answer', conn.execute('select 1').fetchone()[0], os.stat(data).st_uid == os.getuid())\n"
        "server.stop()\n")
    user = None
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        user = (nobody.pw_uid, nobody.pw_gid)
    command = embedded_pg.as_user(user, [interpreter_for(user), "-c", script])
    packages = sysconfig.get_paths()["purelib"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "HOME": str(tmp_path), "TMPDIR": "/tmp",
                                 "PYTHONPATH": os.pathsep.join([str(ROOT), packages])})
    assert result.returncode == 0, result.stderr
    assert "answer 1 True" in result.stdout


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
