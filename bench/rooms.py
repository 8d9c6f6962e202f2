"""Session room benchmark (issue 14): N open rooms, each side of each with its event stream open, exchanging a
chat message a second (the customer and the mechanic in turn), while an ordinary page is fetched alongside.
It reports, per N, the delivery latency (from the moment the sender's POST starts to the moment the other
side's stream hands over the message) at p50 and p95, and the p95 of the page, in one run.

The app runs as `flask serve` does in production (waitress, its own process) against a throw-away embedded
PostgreSQL; the clients are threads of this process and speak only to 127.0.0.1.

    .venv/bin/python bench/rooms.py                          # N = 10, 25, 50, 100, 150; 20 s each
    .venv/bin/python bench/rooms.py --rooms 50 --seconds 30
"""
import argparse
import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import migrate  # noqa: E402
from embedded_pg import EmbeddedPostgres  # noqa: E402

PASSWORD = "bench-password"
PAGE = "/customer/appointments"
TARGETS = {"delivery p95": 1.0, "page p95": 0.1}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(dsn, rooms):
    """`rooms` live requests, each taken by its own mechanic (the room is open), and one more customer who only
    browses. Passwords use bcrypt's lowest cost so that logging everybody in does not dominate the run."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("update app.login_policy set bcrypt_cost = 4")
        for n in range(rooms + 1):
            conn.execute("select app.sign_up_customer(p_email => %s, p_password => %s, p_name => %s, "
                         "p_timezone => 'America/Toronto')", [f"customer{n}@bench.example", PASSWORD, f"Customer {n}"])
        for n in range(rooms):
            mechanic = conn.execute(
                "select app.create_staff_account(p_role => 'mechanic', p_email => %s, p_password => %s, "
                "p_name => %s, p_timezone => 'America/Toronto')",
                [f"mechanic{n}@bench.example", PASSWORD, f"Mechanic {n}"]).fetchone()[0]
            customer = conn.execute("select id from app.users where email = %s", [f"customer{n}@bench.example"]).fetchone()[0]
            conn.execute("select app.set_on_shift(%s, true)", [mechanic])
            session = conn.execute(
                "select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'premium', "
                "p_advice_only => true, p_concern => 'A rattle from the front left wheel.')", [customer]).fetchone()[0]
            conn.execute("select app.accept_offer(%s, %s)", [mechanic, session])
            conn.execute("select app.start_session(%s, %s)", [mechanic, session])
        return [row[0] for row in conn.execute("select id from app.sessions order by id")]


class Client:
    """A logged-in browser: cookies, the CSRF token, forms and JSON."""

    def __init__(self, base, email):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
        self.opener.open(base + "/login", data=body, timeout=30).read()
        self.csrf = json.loads(self.opener.open(base + "/api/me", timeout=30).read())["csrf_token"]

    def cookie_header(self):
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            response.read()
            return response.status

    def send(self, session, text):
        body = urllib.parse.urlencode({"body": text, "csrf_token": self.csrf}).encode()
        request = urllib.request.Request(f"{self.base}/rooms/{session}/messages", data=body,
                                         headers={"Accept": "application/json"})
        with self.opener.open(request, timeout=30) as response:
            response.read()


class Listener(threading.Thread):
    """One side's event stream, read as EventSource does (reconnecting with Last-Event-ID); records when each
    message from the other side arrives."""

    def __init__(self, port, client, session, side, sent, latencies, stop):
        super().__init__(daemon=True)
        self.port, self.client, self.session, self.side = port, client, session, side
        self.sent, self.latencies, self.stop = sent, latencies, stop
        self.last = 0
        self.connection = None

    def run(self):
        while not self.stop.is_set():
            try:
                self._listen()
            except (OSError, http.client.HTTPException):
                pass
            self.stop.wait(0.2)

    def _listen(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.connection.request("GET", f"/rooms/{self.session}/events?after={self.last}",
                                headers={"Cookie": self.client.cookie_header(), "Last-Event-ID": str(self.last)})
        response = self.connection.getresponse()
        event = None
        while not self.stop.is_set():
            line = response.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "message":
                message = json.loads(line[6:])
                self.last = message["seq"]
                started = self.sent.get(message["body"])
                if message["side"] != self.side and started is not None:
                    self.latencies.append(time.monotonic() - started)

    def close(self):
        if self.connection and self.connection.sock:
            self.connection.sock.shutdown(socket.SHUT_RDWR)


def run_step(port, base, rooms, sessions, clients, seconds):
    stop = threading.Event()
    sent, latencies, pages, errors = {}, [], [], []
    listeners = []
    for n in range(rooms):
        customer, mechanic = clients[n]
        for client, side in ((customer, "customer"), (mechanic, "mechanic")):
            listeners.append(Listener(port, client, sessions[n], side, sent, latencies, stop))
    for listener in listeners:
        listener.start()
    time.sleep(2)  # every stream open

    def talk(n):
        customer, mechanic = clients[n]
        turn = 0
        next_at = time.monotonic() + (n % 10) / 10  # spread the rooms over the second
        while not stop.is_set():
            stop.wait(max(0.0, next_at - time.monotonic()))
            if stop.is_set():
                return
            text = f"room {n} message {turn}"
            sent[text] = time.monotonic()
            try:
                (customer if turn % 2 == 0 else mechanic).send(sessions[n], text)
            except OSError as error:
                errors.append(error)
            turn += 1
            next_at += 1.0

    def browse():
        while not stop.is_set():
            started = time.monotonic()
            try:
                clients[-1].get(PAGE)
                pages.append(time.monotonic() - started)
            except OSError as error:
                errors.append(error)
            stop.wait(0.1)

    talkers = [threading.Thread(target=talk, args=(n,), daemon=True) for n in range(rooms)]
    talkers.append(threading.Thread(target=browse, daemon=True))
    for thread in talkers:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in talkers:
        thread.join(timeout=35)
    for listener in listeners:
        listener.close()
        listener.join(timeout=5)
    return latencies, pages, len(sent), errors


def percentile(values, share):
    return statistics.quantiles(values, n=100)[share - 1] if len(values) > 1 else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", default="10,25,50,100,150", help="comma-separated numbers of open rooms")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per step")
    args = parser.parse_args()
    steps = sorted(int(n) for n in args.rooms.split(","))
    most = max(steps)

    server = EmbeddedPostgres(postgres_args="-h 127.0.0.1 -F -c logging_collector=off -c max_connections=200")
    app = None
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("create database bench")
        dsn = server.url("bench")
        migrate.upgrade(dsn)
        sessions = build(dsn, most)
        port = free_port()
        env = {**os.environ, "DATABASE_URL": dsn, "JOB_RUNNER": "off", "COOKIE_SECURE": "0", "SECRET_KEY": "bench",
               "ROOM_STREAMS": str(2 * most + 8), "DB_POOL_SIZE": "10", "AUTODOCTOR_VAR": str(ROOT / "var" / "bench-rooms")}
        app = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.3)
        clients = [(Client(base, f"customer{n}@bench.example"), Client(base, f"mechanic{n}@bench.example"))
                   for n in range(most)] + [Client(base, f"customer{most}@bench.example")]
        print(f"{'rooms':>6} {'streams':>8} {'messages':>9} {'delivery p50':>13} {'delivery p95':>13} "
              f"{'page p50':>9} {'page p95':>9}  within targets")
        best = None
        for rooms in steps:
            latencies, pages, count, errors = run_step(port, base, rooms, sessions, clients, args.seconds)
            row = {"delivery p95": percentile(latencies, 95), "page p95": percentile(pages, 95)}
            ok = all(row[k] < limit for k, limit in TARGETS.items()) and not errors and len(latencies) >= 0.95 * count
            best = rooms if ok else best
            print(f"{rooms:>6} {2 * rooms:>8} {len(latencies):>5}/{count:<3} {percentile(latencies, 50) * 1000:>10.1f} ms "
                  f"{row['delivery p95'] * 1000:>10.1f} ms {percentile(pages, 50) * 1000:>6.1f} ms "
                  f"{row['page p95'] * 1000:>6.1f} ms  {'yes' if ok else 'no'}{' (errors: %d)' % len(errors) if errors else ''}")
        print(f"largest N within delivery p95 < 1 s and page p95 < 100 ms: {best if best is not None else 'none'}")
    finally:
        if app is not None:
            app.send_signal(signal.SIGTERM)
            try:
                app.wait(timeout=30)
            except subprocess.TimeoutExpired:
                app.kill()
        server.stop()


if __name__ == "__main__":
    main()
