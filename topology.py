"""The production topology on this machine (README, Deployment), for trying failover before a real deployment:
a pg_auto_failover monitor, a primary and a synchronous hot standby, PgBouncer in transaction mode in front of
whichever node is primary, and two `flask serve` processes, all on 127.0.0.1 under ./var/topology/.

    ./dev topology up | down | status       (python topology.py up|down|status|follow [BASE])

PgBouncer 1.18 (Debian bookworm) connects to one host only, so `up` starts a follower process that asks the
monitor which node is primary twice a second and, when that changes, rewrites pgbouncer.ini's [databases] and
makes PgBouncer reload it (SIGHUP); PgBouncer closes each server connection to the old node as it is released.
The app processes reach PgBouncer through DATABASE_URL; their job runner, LISTEN connection and migrations use
DIRECT_DATABASE_URL, libpq's multi-host URL to both nodes with target_session_attrs=read-write.

Everything runs as the `postgres` user when this process is root (embedded_pg.as_user), in sessions of their
own, so that `up` may return while they go on; topology.json in the base folder keeps their ports and pids
for `status` and `down`. Every wait is bounded and ends in TopologyError saying what did not happen.
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

import embedded_pg

ROOT = Path(__file__).resolve().parent
DEFAULT_BASE = ROOT / "var" / "topology"
DATABASE = "autodoctor"
NODES = ("node1", "node2")
APPS = ("app1", "app2")
# The monitor's health checks, tighter than pg_auto_failover's defaults (a 20 s unhealthy timeout, 30 s to wait
# for a demotion): on one machine a node that does not answer for 3 s is gone. A real deployment keeps the defaults.
MONITOR_SETTINGS = {"health_check_period": 1000, "health_check_timeout": 1000, "health_check_max_retries": 1,
                    "health_check_retry_delay": 500, "node_considered_unhealthy_timeout": 3000,
                    "primary_demote_timeout": 3000}
# Written into the primary's postgresql.conf before pg_autoctl adopts it; the standby's base backup copies it.
NODE_SETTINGS = f"""
shared_preload_libraries = 'pg_cron,pg_stat_statements'
cron.database_name = '{DATABASE}'
"""
PGBOUNCER = """[databases]
{databases}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
admin_users = postgres
; the app keeps no session state: a server connection serves one transaction, then the next client's
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
; used only in session mode (or with server_reset_query_always): said here so that nobody counts on it
server_reset_query = DISCARD ALL
; during a failover: retry the new primary after 1 s, not 15, and answer a waiting client within 10 s
server_login_retry = 1
server_connect_timeout = 3
query_wait_timeout = 10
"""


class TopologyError(RuntimeError):
    pass


class Topology:
    """The pieces under one base folder: their ports and pids (topology.json) and how to reach each."""

    def __init__(self, base=DEFAULT_BASE):
        self.base = Path(base)
        self.user = embedded_pg.server_user()
        self.bindir = embedded_pg.find_bindir()
        state = self.base / "topology.json"
        self.state = json.loads(state.read_text()) if state.exists() else {}
        self.processes = {}  # those this process started, by name

    def save(self):
        (self.base / "topology.json").write_text(json.dumps(self.state, indent=2))

    @property
    def ports(self):
        return self.state["ports"]

    @property
    def pids(self):
        return self.state.setdefault("pids", {})

    def url(self, name, database=DATABASE, user="postgres"):
        return f"postgresql://{user}@127.0.0.1:{self.ports[name]}/{database}"

    def monitor_url(self):
        return self.url("monitor", "pg_auto_failover")

    def direct_url(self):
        """libpq's multi-host URL: whichever node accepts writes."""
        hosts = ",".join(f"127.0.0.1:{self.ports[node]}" for node in NODES)
        return f"postgresql://postgres@{hosts}/{DATABASE}?target_session_attrs=read-write&connect_timeout=3"

    def app_base(self, app):
        return f"http://127.0.0.1:{self.ports[app]}"

    def env(self):
        """pg_autoctl keeps its configuration and state under XDG folders: here, inside the base folder."""
        xdg = self.base / "xdg"
        return {**os.environ, "PATH": f"{self.bindir}:/usr/bin:/bin", "XDG_CONFIG_HOME": str(xdg / "config"),
                "XDG_DATA_HOME": str(xdg / "data"), "XDG_RUNTIME_DIR": str(xdg / "run")}

    def spawn(self, name, command, as_server=True, env=None):
        """A process of its own session, its output in logs/<name>.log; its pid kept in topology.json."""
        with open(self.base / "logs" / f"{name}.log", "ab") as log:
            process = subprocess.Popen(embedded_pg.as_user(self.user, command) if as_server else command,
                                       cwd=self.base if as_server else ROOT, env=env or self.env(),
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        self.pids[name] = process.pid
        self.processes[name] = process
        self.save()
        return process

    def run(self, command, timeout=60):
        """A short command as the server's user; TopologyError with its output when it fails."""
        try:
            done = subprocess.run(embedded_pg.as_user(self.user, command), cwd=self.base, env=self.env(),
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise TopologyError(f"{' '.join(command[:3])} did not finish within {timeout} s") from None
        if done.returncode != 0:
            raise TopologyError(f"{' '.join(command[:3])} failed: {(done.stderr or done.stdout).strip()[-800:]}")
        return done.stdout

    def log_tail(self, name, lines=15):
        path = self.base / "logs" / f"{name}.log"
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        return "\n".join(text)

    def nodes(self):
        """The monitor's view: one dict per node (name, port, reportedstate, goalstate, health)."""
        with psycopg.connect(self.monitor_url(), connect_timeout=3, autocommit=True) as conn:
            cursor = conn.cursor(row_factory=psycopg.rows.dict_row)
            return cursor.execute("select nodename as name, nodeport as port, reportedstate, goalstate, health "
                                  "from pgautofailover.node order by nodeid").fetchall()

    def primary(self):
        """(host, port) of the primary the monitor names, or None while it names none."""
        with psycopg.connect(self.monitor_url(), connect_timeout=3, autocommit=True) as conn:
            row = conn.execute("select primary_host, primary_port from pgautofailover.get_primary('default', 0)"
                               ).fetchone()
        return (row[0], row[1]) if row and row[0] else None

    def write_pgbouncer_ini(self, primary):
        return write_pgbouncer_ini(self.base / "pgbouncer", self.ports["pgbouncer"], DATABASE, primary)


def write_pgbouncer_ini(folder, port, database, server, pool_size=20):
    """pgbouncer.ini in `folder` for PgBouncer on `port` in front of `database` at server (host, port), and its
    userlist (our roles, trusted on loopback); whether the ini changed."""
    (folder / "userlist.txt").write_text("".join(f'"{role}" ""\n' for role in (
        "postgres", "autodoctor_app", "autodoctor_payments")))
    ini = folder / "pgbouncer.ini"
    text = PGBOUNCER.format(databases=f"{database} = host={server[0]} port={server[1]} dbname={database}",
                            port=port, folder=folder, pool_size=pool_size)
    if ini.exists() and ini.read_text() == text:
        return False
    ini.with_suffix(".new").write_text(text)
    ini.with_suffix(".new").replace(ini)  # PgBouncer never reads half a file
    return True


def wait_for(what, check, seconds, topology=None, log=None):
    """Calls check() until it returns something true, at most `seconds`; TopologyError naming `what` otherwise."""
    deadline = time.monotonic() + seconds
    last = None
    process = topology.processes.get(log) if topology else None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise TopologyError(f"{what} did not happen: {log} stopped\n{log} log:\n{topology.log_tail(log)}")
        try:
            found = check()
            if found:
                return found
        except (psycopg.Error, OSError) as failure:
            last = failure
        time.sleep(0.3)
    tail = f"\n{log} log:\n{topology.log_tail(log)}" if topology and log else ""
    raise TopologyError(f"{what} did not happen within {seconds} s" + (f" ({last})" if last else "") + tail)


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid):
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # a child of ours that ended (up's own, or a test's)
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def up(base=DEFAULT_BASE, say=print):
    """Starts every piece (again, on the data kept, after a `down`) and waits until the apps answer; returns the
    Topology. Stops what it started when a piece does not come up."""
    topology = Topology(base)
    if any(_alive(pid) for pid in topology.pids.values()):
        raise TopologyError(f"the topology under {base} is already running: ./dev topology down first")
    topology.base = Path(embedded_pg.lasting_base_dir(str(base)))
    for folder in ("logs", "pgbouncer", "xdg"):
        (topology.base / folder).mkdir(exist_ok=True)
        if topology.user:
            os.chown(topology.base / folder, *topology.user)
    topology.state.setdefault("ports", {name: _free_port() for name in ("monitor", *NODES, "pgbouncer", *APPS)})
    topology.state.setdefault("secret_key", secrets.token_hex(32))
    topology.state["pids"] = {}
    topology.save()
    began = time.monotonic()
    try:
        _start_monitor(topology)
        say(f"monitor up ({time.monotonic() - began:.1f} s)")
        _start_nodes(topology)
        say(f"primary and synchronous standby up ({time.monotonic() - began:.1f} s)")
        _start_pgbouncer(topology)
        topology.spawn("follow", [sys.executable, str(ROOT / "topology.py"), "follow", str(topology.base)],
                       as_server=False)
        _start_apps(topology)
    except BaseException:
        down(topology.base, say=lambda *_: None)
        raise
    say(f"the topology is up in {time.monotonic() - began:.1f} s")
    return topology


def _pg_autoctl_run(topology, name, create):
    """`pg_autoctl create … --run` the first time, `pg_autoctl run` on the data kept."""
    pgdata = topology.base / name
    config = topology.base / "xdg" / "config" / "pg_autoctl" / str(pgdata).lstrip("/") / "pg_autoctl.cfg"
    pg_autoctl = shutil.which("pg_autoctl") or "pg_autoctl"
    command = [pg_autoctl, "run", "--pgdata", str(pgdata)] if config.exists() else [
        pg_autoctl, *create, "--pgdata", str(pgdata), "--pgport", str(topology.ports[name]),
        "--pgctl", f"{topology.bindir}/pg_ctl", "--hostname", "127.0.0.1", "--no-ssl", "--run"]
    topology.spawn(name, command)


def _start_monitor(topology):
    _pg_autoctl_run(topology, "monitor", ["create", "monitor", "--auth", "trust"])

    def ready():
        with psycopg.connect(topology.monitor_url(), connect_timeout=2, autocommit=True) as conn:
            if not conn.execute("select 1 from pg_extension where extname = 'pgautofailover'").fetchone():
                return False
            for name, value in MONITOR_SETTINGS.items():
                conn.execute(f"alter system set pgautofailover.{name} = {int(value)}")
            conn.execute("select pg_reload_conf()")
            return True

    wait_for("the monitor starting", ready, 30, topology, "monitor")


def _start_nodes(topology):
    monitor = f"postgres://autoctl_node@127.0.0.1:{topology.ports['monitor']}/pg_auto_failover?sslmode=disable"
    first = topology.base / NODES[0]
    if not first.exists():  # our own initdb, so that the settings are there before the first start
        topology.run([f"{topology.bindir}/initdb", "-D", str(first), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--no-locale"])
        with open(first / "postgresql.conf", "a") as conf:
            conf.write(NODE_SETTINGS)
    for node in NODES:
        # the local rules of initdb -A trust already let every loopback connection in, replication too
        _pg_autoctl_run(topology, node, ["create", "postgres", "--monitor", monitor, "--skip-pg-hba",
                                         "--dbname", DATABASE, "--name", node])
        if node == NODES[0]:
            wait_for(f"{node} registering", lambda: topology.nodes(), 30, topology, node)

    def standby_ready():
        states = {n["name"]: n["reportedstate"] for n in topology.nodes()}
        if sorted(states.values()) == ["primary", "secondary"]:
            return True
        primary = topology.primary()
        if primary:  # pg_basebackup waits for a spread checkpoint (minutes): one now, so it need not
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{primary[1]}/postgres", connect_timeout=2,
                                 autocommit=True) as conn:
                conn.execute("checkpoint")
        return False

    wait_for("the standby catching up with the primary", standby_ready, 90, topology, NODES[1])


def _start_pgbouncer(topology):
    folder = topology.base / "pgbouncer"
    topology.write_pgbouncer_ini(wait_for("the monitor naming a primary", topology.primary, 30))
    topology.spawn("pgbouncer", ["/usr/sbin/pgbouncer", str(folder / "pgbouncer.ini")])

    def answers():
        with psycopg.connect(topology.url("pgbouncer"), connect_timeout=2, prepare_threshold=None) as conn:
            return conn.execute("select 1").fetchone()

    wait_for("PgBouncer answering", answers, 30, topology, "pgbouncer")


def app_env(topology):
    """What each `flask serve` of the topology runs with; one VAR_DIR for both (the test gateway's store and the
    mailbox are the deployment's, not a process's)."""
    return {**os.environ, "AUTODOCTOR_VAR": str(topology.base / "var"), "DATABASE_URL": topology.url("pgbouncer"), "DIRECT_DATABASE_URL": topology.direct_url(),
            "SECRET_KEY": topology.state["secret_key"], "COOKIE_SECURE": "0", "DEV_MAILBOX": "1",
            "JOB_RUNNER": os.environ.get("JOB_RUNNER", "app")}


def _start_apps(topology):
    """One after the other: the first upgrades the schema and loads the demo world into the empty database."""
    for app in APPS:
        topology.spawn(app, [sys.executable, "-m", "flask", "--app", "app", "serve", "--port",
                             str(topology.ports[app])], as_server=False, env=app_env(topology))

        def answers(app=app):
            urllib.request.urlopen(topology.app_base(app) + "/", timeout=3).close()
            return True

        wait_for(f"{app} answering", answers, 120, topology, app)


def follow(base):
    """Points PgBouncer at the primary the monitor names, for as long as PgBouncer runs."""
    topology = Topology(base)
    pgbouncer = topology.pids["pgbouncer"]
    while _alive(pgbouncer):
        try:
            primary = topology.primary()
        except psycopg.Error as failure:  # the monitor restarting: PgBouncer keeps its target meanwhile
            print(f"the monitor did not answer: {failure}", flush=True)
            primary = None
        if primary and topology.write_pgbouncer_ini(primary):
            os.kill(pgbouncer, signal.SIGHUP)  # RELOAD
            print(f"{time.strftime('%H:%M:%S')} PgBouncer now points at {primary[0]}:{primary[1]}", flush=True)
        time.sleep(0.5)


def down(base=DEFAULT_BASE, say=print):
    """Stops every piece: the apps, the follower and PgBouncer by SIGTERM, the monitor and then the nodes by
    `pg_autoctl stop`; whatever is still running after 30 s, and any postmaster left, by SIGKILL. The data stays."""
    topology = Topology(base)
    if not topology.state:
        say(f"nothing under {base}")
        return
    for name in (*APPS, "follow", "pgbouncer"):
        _signal(topology.pids.get(name), signal.SIGTERM)
    for name in ("monitor", *NODES):  # the monitor first: no failover while the nodes stop one after the other
        if _alive(topology.pids.get(name, 0) or 0):
            try:
                topology.run([shutil.which("pg_autoctl") or "pg_autoctl", "stop", "--pgdata", str(topology.base / name)], timeout=30)
            except TopologyError as failure:
                say(f"{name}: {failure}")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(pid) for pid in topology.pids.values()):
        time.sleep(0.2)
    for name, pid in topology.pids.items():
        if _alive(pid):
            say(f"{name} did not stop within 30 s: killed")
            _signal(-pid, signal.SIGKILL)  # its whole session: pg_autoctl's services and postmaster too
    for name in (*NODES, "monitor"):
        _signal(postmaster_pid(topology, name), signal.SIGKILL)
    topology.state["pids"] = {}
    topology.save()
    say("the topology is down")


def postmaster_pid(topology, node):
    try:
        return int((topology.base / node / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _signal(pid, signum):
    if pid:
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def status(base=DEFAULT_BASE, say=print):
    """Each piece, whether it runs, and who is primary."""
    topology = Topology(base)
    if not topology.state:
        say(f"nothing under {base}: ./dev topology up")
        return
    for name, pid in topology.pids.items():
        say(f"{name:10} {'running' if _alive(pid) else 'STOPPED'}  pid {pid}  port {topology.ports.get(name, '-')}")
    try:
        for node in topology.nodes():
            say(f"{node['name']:10} {node['reportedstate']} (goal {node['goalstate']}), port {node['port']}, "
                f"{'healthy' if node['health'] == 1 else 'unhealthy'}")
        primary = topology.primary()
        say(f"primary:   {'none right now' if primary is None else f'{primary[0]}:{primary[1]}'}")
    except psycopg.Error as failure:
        say(f"the monitor did not answer: {failure}")
    for app in APPS:
        say(f"{app}:      {topology.app_base(app)}/")
    say(f"DATABASE_URL={topology.url('pgbouncer')}\nDIRECT_DATABASE_URL={topology.direct_url()}")


if __name__ == "__main__":
    commands = {"up": up, "down": down, "status": status, "follow": follow}
    if len(sys.argv) not in (2, 3) or sys.argv[1] not in commands:
        sys.exit("usage: python topology.py up|down|status [BASE]")
    try:
        commands[sys.argv[1]](*(sys.argv[2:] or [DEFAULT_BASE]))
    except (TopologyError, embedded_pg.PostgresNotFound) as failure:
        sys.exit(str(failure))
