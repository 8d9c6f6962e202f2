"""The embedded PostgreSQL: a private server in a folder of ours, started through testing.postgresql.

Used by the test suite (a throw-away server per run) and by `flask serve` when no DATABASE_URL is given
(a lasting server under ./var/pg, reused if it is already running). PostgreSQL's initdb refuses to run as
root, so when this process is root the server runs as an unprivileged system user (`postgres`, or PG_RUN_AS).
"""
import glob
import hashlib
import os
import pwd
import re
import subprocess
import sys

import testing.postgresql

MIN_MAJOR = 15
INSTALL_HINT = (
    "Auto Doctor needs a PostgreSQL 15+ server with its contrib extensions (btree_gist): install it "
    "(on Debian or Ubuntu: apt-get install postgresql postgresql-contrib) or set PG_BINDIR to its bin folder."
)


class PostgresNotFound(RuntimeError):
    pass


def _major_version(bindir):
    try:
        out = subprocess.run([os.path.join(bindir, "postgres"), "--version"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else 0


def _has_btree_gist(bindir, major):
    sharedirs = [f"/usr/share/postgresql/{major}", os.path.join(bindir, "..", "share", "postgresql"),
                 os.path.join(bindir, "..", "share")]
    pg_config = os.path.join(bindir, "pg_config")
    if os.access(pg_config, os.X_OK):
        out = subprocess.run([pg_config, "--sharedir"], capture_output=True, text=True).stdout.strip()
        sharedirs.insert(0, out)
    return any(os.path.exists(os.path.join(d, "extension", "btree_gist.control")) for d in sharedirs if d)


def _candidate_bindirs():
    if os.environ.get("PG_BINDIR"):
        return [os.environ["PG_BINDIR"]]  # an explicit choice is not second-guessed
    found = subprocess.run(["sh", "-c", "pg_config --bindir 2>/dev/null"], capture_output=True, text=True)
    newest_first = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                          key=lambda p: int(re.sub(r"\D", "", p.split("/")[-2]) or 0), reverse=True)
    return [found.stdout.strip()] + newest_first + ["/usr/local/pgsql/bin", "/usr/local/bin"]


def find_bindir():
    """The bin folder of an installed PostgreSQL 15+ server that has btree_gist, or PostgresNotFound."""
    for bindir in filter(None, _candidate_bindirs()):
        if not all(os.access(os.path.join(bindir, tool), os.X_OK) for tool in ("initdb", "postgres")):
            continue
        major = _major_version(bindir)
        if major >= MIN_MAJOR and _has_btree_gist(bindir, major):
            return bindir
    raise PostgresNotFound(INSTALL_HINT)


def server_user():
    """(uid, gid) to run the server as when we are root; None when we may run it ourselves."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("PG_RUN_AS", "postgres")
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        raise PostgresNotFound(
            f"PostgreSQL cannot run as root and there is no user {name!r} to run it as: "
            f"create one (useradd --system {name}) or set PG_RUN_AS to an unprivileged user.") from None
    return entry.pw_uid, entry.pw_gid


_DROP_PRIVILEGES = (
    "import os, pwd, sys; uid, gid = int(sys.argv[1]), int(sys.argv[2]); "
    "os.setgroups([]); os.setgid(gid); os.setuid(uid); os.execv(sys.argv[3], sys.argv[3:])"
)


def as_user(user, command):
    """The command, run as `user` (uid, gid) when given: exec keeps the pid, so signals reach the server."""
    if user is None:
        return command
    return [sys.executable, "-c", _DROP_PRIVILEGES, str(user[0]), str(user[1])] + command


def _chown_tree(path, user):
    for root, dirs, files in os.walk(path):
        os.chown(root, *user)
        for name in files:
            os.chown(os.path.join(root, name), *user)


def _reachable_by(user, path):
    probe = ["/bin/sh", "-c", 'test -r "$1" && test -w "$1" && test -x "$1"', "probe", path]
    return subprocess.run(as_user(user, probe)).returncode == 0


class EmbeddedPostgres(testing.postgresql.Postgresql):
    """testing.postgresql's server, run as an unprivileged user when we are root, and able to adopt a server
    already running on the same data folder (a second `flask serve`, or one left running)."""

    def __init__(self, base_dir=None, **settings):
        bindir = find_bindir()
        self.user = server_user()
        self.adopted = False
        super().__init__(base_dir=base_dir, initdb=os.path.join(bindir, "initdb"),
                         postgres=os.path.join(bindir, "postgres"),
                         initdb_args="-U postgres -A trust -E UTF8 --no-locale", **settings)

    def initialize_database(self):
        if self.user is not None:
            _chown_tree(self.base_dir, self.user)
        if not os.path.exists(os.path.join(self.get_data_directory(), "PG_VERSION")):
            command = [self.initdb, "-D", self.get_data_directory(), "--lc-messages=C",
                       *self.settings["initdb_args"].split()]
            result = subprocess.run(as_user(self.user, command), capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"initdb failed: {result.stderr.strip()}")

    def get_server_commandline(self):
        command = super().get_server_commandline()
        # TCP only, as every URL names 127.0.0.1: no Unix socket in base_dir/tmp, whose path may not pass 107
        # bytes, which a checkout deep enough in its folders would
        command[command.index("-k") + 1] = ""
        return as_user(self.user, command)

    def start(self):
        port = self._running_port()
        if port is not None:
            self.settings["port"] = port
            self.adopted = True  # someone else's process: we neither wait for it nor stop it
            return
        super().start()

    def _running_port(self):
        """The port of a live server on our data folder, from its postmaster.pid, or None."""
        try:
            with open(os.path.join(self.get_data_directory(), "postmaster.pid")) as pidfile:
                lines = pidfile.read().splitlines()
            os.kill(int(lines[0]), 0)
        except PermissionError:
            pass  # alive, owned by the server's user
        except (OSError, ValueError, IndexError):
            return None
        self.settings["port"] = int(lines[3])
        if self.is_server_available():
            return self.settings["port"]
        self.settings["port"] = None
        return None

    def url(self, database="postgres", user="postgres"):
        return f"postgresql://{user}@127.0.0.1:{self.settings['port']}/{database}"


def lasting_base_dir(path):
    """The folder for a lasting server. As root, a checkout the server's user cannot reach (under /root, say)
    keeps its data in /var/tmp instead, linked from `path`, so that ./var/pg still leads to it."""
    user = server_user()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if os.path.islink(path) or user is None:
        return os.path.realpath(path)
    os.makedirs(path, exist_ok=True)
    os.chown(path, *user)
    if _reachable_by(user, path):
        return path
    os.rmdir(path)
    elsewhere = "/var/tmp/autodoctor-pg-" + hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:12]
    os.makedirs(elsewhere, exist_ok=True)
    os.chown(elsewhere, *user)
    os.symlink(elsewhere, path)
    return elsewhere


if __name__ == "__main__":
    if sys.argv[1:] != ["check"]:
        sys.exit("usage: python embedded_pg.py check")
    try:
        find_bindir()
        server_user()
    except PostgresNotFound as missing:
        sys.exit(str(missing))
