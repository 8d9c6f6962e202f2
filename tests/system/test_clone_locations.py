"""The README's two commands from the places people clone to, each a fresh `git clone` of this checkout.

A clone holds this checkout's committed HEAD (`git clone --no-local`): changes not yet committed are not in it.
In each clone `./dev test tests/system/test_run_command.py` passes (a part of the suite: all of it would start these
clones again) and `./dev run` serves the home page, then stops on SIGTERM with its embedded PostgreSQL.

Run as root, as CI runs, the places are:
  home   under root's home (/root, mode 0700), in a folder of its own that is 0700 as well: the embedded server's
         user cannot enter it, so its data goes to /var/tmp as README says;
  space  a path with spaces in it (/tmp/autodoctor clone …/auto doctor), in a folder open to all;
  user   the 0700 home folder of an unprivileged user (`nobody`), who runs both commands there with HOME set to
         it (the clone is made by root and handed over: that user may not be able to read this checkout).
And `home` and `space` together are two checkouts on one machine: while the first one's app and embedded server
run, the second's `./dev run` on the same port stops at once with one sentence, and on another port serves from
its own embedded server.

Run as a normal user there is no one else to become: `home` is a 0700 folder in that user's own home, and `user`
is that user too.
"""
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import embedded_pg

pytestmark = pytest.mark.slow  # fresh clones, each set up by ./dev

ROOT = Path(__file__).resolve().parents[2]
AS_ROOT = os.geteuid() == 0
SETUP_TIMEOUT = 900  # a first ./dev creates the clone's .venv: pip, from a cold cache for a new user
STOP_TIMEOUT = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path="/"):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_bounded(command, timeout, **kwargs):
    """subprocess.run in a session of its own, killed with everything it started if it outlives the timeout."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, **kwargs)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate(timeout=STOP_TIMEOUT)
        raise AssertionError(f"{command} ran over {timeout} s:\n{out[-3000:]}\n{err[-3000:]}") from None
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@dataclass
class Postmaster:
    pid: int
    port: int
    data_dir: Path


@dataclass
class Clone:
    path: Path  # the checkout
    folder: Path  # the folder made for it (removed at the end), which also holds pytest's temporary files
    user: tuple | None  # (uid, gid) that runs the commands, None for us
    env: dict
    servers: list = field(default_factory=list)

    def command(self, *args):
        return embedded_pg.as_user(self.user, [str(self.path / "dev"), *args])

    def dev(self, *args, timeout):
        return run_bounded(self.command(*args), timeout, cwd=self.path, env=self.env)

    def serve(self, port):
        """`./dev run --port N`, once the home page answers; its output goes to a log beside the clone."""
        log = open(self.folder / f"dev-run-{port}.log", "w+")
        process = subprocess.Popen(self.command("run", "--port", str(port)), cwd=self.path, env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        process.log = log
        self.servers.append(process)
        deadline = time.monotonic() + SETUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"./dev run stopped ({process.returncode}):\n{self.output(process)}")
            try:
                status, page = get(port)
            except OSError:
                time.sleep(0.5)
                continue
            assert status == 200 and "Talk to a real mechanic" in page, (status, page[:2000])
            return process
        raise AssertionError(f"./dev run did not answer within {SETUP_TIMEOUT} s:\n{self.output(process)}")

    @staticmethod
    def output(process):
        process.log.flush()
        process.log.seek(0)
        return process.log.read()

    def stop(self, process):
        """SIGTERM, as Ctrl-C or a service manager would: (exit code, output)."""
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code = process.wait(timeout=STOP_TIMEOUT)
        self.servers.remove(process)
        output = self.output(process)
        process.log.close()
        return code, output

    def data_dir(self):
        return Path(os.path.realpath(self.path / "var" / "pg")) / "data"

    def postmaster(self):
        """The embedded server running on this clone's data, from its postmaster.pid, or None."""
        try:
            lines = (self.data_dir() / "postmaster.pid").read_text().splitlines()
        except FileNotFoundError:
            return None
        server = Postmaster(int(lines[0]), int(lines[3]), self.data_dir())
        return server if alive(server.pid) else None

    def server_uid(self):
        """Who the embedded server runs as: the clone's user; as root, the `postgres` user (it refuses root)."""
        if self.user is not None:
            return self.user[0]
        return embedded_pg.server_user()[0] if AS_ROOT else os.geteuid()

    def clean_up(self):
        for process in list(self.servers):
            self.stop(process)
        left = self.postmaster()
        if left is not None:  # a server whose app was killed: a fast shutdown, bounded
            os.kill(left.pid, signal.SIGINT)
            deadline = time.monotonic() + STOP_TIMEOUT
            while alive(left.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if alive(left.pid):
                os.kill(left.pid, signal.SIGKILL)
        elsewhere = os.path.realpath(self.path / "var" / "pg")
        if os.path.islink(self.path / "var" / "pg") and elsewhere.startswith("/var/tmp/autodoctor-pg-"):
            shutil.rmtree(elsewhere, ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def clone_env(home=None):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("PYTEST", "PYTHON")) and name not in (
               "VIRTUAL_ENV", "DATABASE_URL", "AUTODOCTOR_VAR", "PORT", "HOST", "COOKIE_SECURE", "DEV_MAILBOX")}
    if home is not None:  # a home of its own: no cache or settings folder of ours
        env = {name: value for name, value in env.items()
               if not (name.startswith("XDG_") and name != "XDG_CONFIG_DIRS") and name != "PIP_CACHE_DIR"}
        env["HOME"] = str(home)
    return env


def git_clone(destination):
    """A fresh clone of this checkout's HEAD. A global git config of its own: safe.directory, as this checkout
    may belong to someone else (a CI runner's user, say), which git refuses to clone from unless told so; and
    none of our own git settings."""
    config = destination.parent / "gitconfig"
    config.write_text("[safe]\n\tdirectory = *\n")
    result = run_bounded(["git", "clone", "--quiet", "--no-local", str(ROOT), str(destination)], 120,
                         env={**clone_env(), "GIT_CONFIG_GLOBAL": str(config), "GIT_TERMINAL_PROMPT": "0"})
    config.unlink()
    assert result.returncode == 0, result.stderr


def make_clone(folder, name, user=None, home=None):
    clone = Clone(folder / name, folder, user, clone_env(home))
    try:
        git_clone(clone.path)
        if user is not None:
            for path in [folder, *folder.rglob("*")]:
                os.chown(path, *user, follow_symlinks=False)
    except BaseException:
        clone.clean_up()
        raise
    return clone


@pytest.fixture(scope="module")
def home_clone():
    home = Path(pwd.getpwuid(0).pw_dir) if AS_ROOT else Path.home()  # /root, as root
    clone = make_clone(Path(tempfile.mkdtemp(prefix="autodoctor-clone-", dir=home)), "autodoctor")  # 0700
    yield clone
    clone.clean_up()


@pytest.fixture(scope="module")
def space_clone():
    folder = Path(tempfile.mkdtemp(prefix="autodoctor clone ", dir="/tmp"))
    folder.chmod(0o755)
    clone = make_clone(folder, "auto doctor")
    yield clone
    clone.clean_up()


@pytest.fixture(scope="module")
def user_clone():
    home = Path(tempfile.mkdtemp(prefix="autodoctor-home-", dir="/tmp"))  # 0700, like a home folder
    if AS_ROOT:
        nobody = pwd.getpwnam("nobody")
        clone = make_clone(home, "autodoctor", user=(nobody.pw_uid, nobody.pw_gid), home=home)
    else:
        clone = make_clone(home, "autodoctor", home=home)
    yield clone
    clone.clean_up()


PLACES = ["home_clone", "space_clone", "user_clone"]


@pytest.mark.parametrize("place", PLACES)
def test_dev_test_passes(place, request):
    clone = request.getfixturevalue(place)
    if place == "space_clone":
        assert " " in str(clone.path)
    if place == "user_clone" and AS_ROOT:
        assert os.stat(clone.path).st_uid == clone.user[0] != 0
    result = clone.dev("test", "tests/system/test_run_command.py", "-v", "-p", "no:cacheprovider",
                       f"--basetemp={clone.folder / 'pytest'}", timeout=SETUP_TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    summary = re.findall(r"^=+ (.+) in [\d.]+s(?: \([\d:]+\))? =+$", result.stdout, re.MULTILINE)
    assert summary and re.fullmatch(r"\d+ passed(, \d+ warnings?)?", summary[-1]), output[-6000:]
    assert re.search(r"::test_embedded_server_runs_as_a_normal_user PASSED", result.stdout), output[-6000:]


@pytest.mark.parametrize("place", PLACES)
def test_dev_run_serves_and_stops_with_its_server(place, request):
    clone = request.getfixturevalue(place)
    server = clone.serve(free_port())
    try:
        postgres = clone.postmaster()
        assert postgres is not None, "no embedded server is running on the clone's var/pg"
        assert os.stat(postgres.data_dir).st_uid == clone.server_uid()
        if place == "home_clone" and AS_ROOT:  # the server's user cannot enter /root: the data is in /var/tmp
            assert (clone.path / "var" / "pg").is_symlink()
            assert str(postgres.data_dir).startswith("/var/tmp/autodoctor-pg-")
        else:
            assert postgres.data_dir.is_relative_to(os.path.realpath(clone.path))
    finally:
        code, output = clone.stop(server)
    assert code == 0, output
    assert "Auto Doctor is serving on" in output
    assert not alive(postgres.pid), "the embedded server was left running"
    assert not (postgres.data_dir / "postmaster.pid").exists()


def test_a_second_checkout_runs_its_own_server_and_is_told_when_the_port_is_taken(home_clone, space_clone):
    port = free_port()
    first = home_clone.serve(port)
    try:
        first_postgres = home_clone.postmaster()
        assert first_postgres is not None
        # the first try may set up the clone's .venv; the second is timed
        assert space_clone.dev("run", "--port", str(port), timeout=SETUP_TIMEOUT).returncode != 0
        started = time.monotonic()
        taken = space_clone.dev("run", "--port", str(port), timeout=120)
        assert taken.returncode != 0
        assert time.monotonic() - started < 20, "the second ./dev run did not stop at once"
        sentence = re.fullmatch(rf"Error: port {port} on 127\.0\.0\.1 is already taken \([^)]*\): "
                                r"choose another with \./dev run --port (\d+)\.", taken.stderr.strip())
        assert sentence, taken.stdout + taken.stderr
        assert int(sentence.group(1)) != port
        assert space_clone.postmaster() is None, "the embedded server started before the port was checked"
        assert get(port)[0] == 200  # the first one carries on

        other = free_port()
        second = space_clone.serve(other)
        try:
            second_postgres = space_clone.postmaster()
            assert second_postgres is not None
            assert second_postgres.data_dir != first_postgres.data_dir
            assert second_postgres.pid != first_postgres.pid and second_postgres.port != first_postgres.port
            assert alive(first_postgres.pid)
            assert get(port)[0] == 200 and get(other)[0] == 200
        finally:
            code, output = space_clone.stop(second)
        assert code == 0, output
        assert not alive(second_postgres.pid)
        assert alive(first_postgres.pid) and get(port)[0] == 200  # stopping the second left the first alone
    finally:
        code, output = home_clone.stop(first)
    assert code == 0, output
    assert not alive(first_postgres.pid)
