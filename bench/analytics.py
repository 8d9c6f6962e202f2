"""Analytics benchmark (issue 15): p50 and p95 over HTTP of every analytics and money page for a 90-day range
ending at the world's NOW, on the 1M-booking world of world.py (sessions, money, Book Now, waitlist), against
the target p95 < 300 ms; then each SQL function those pages call, alone, for the platform admin's range, so
that the slow ones show.

The app runs as `flask serve` does in production (waitress, its own process, timed jobs off so nothing moves)
against the benchmark's embedded PostgreSQL, with the clock frozen at NOW, after the job that keeps the analytics
summaries (refresh_analytics) has run as it would have; the client is this process, logged
in as a platform admin, a workshop admin and a mechanic, and speaks only to 127.0.0.1. Requests go one at a
time (the figure is a page's own latency, not throughput).

    .venv/bin/python bench/analytics.py                       # builds the world in a throw-away server (~5 min)
    .venv/bin/python bench/analytics.py --keep var/bench      # keeps the server's data there for the next run
    .venv/bin/python bench/analytics.py --keep var/bench --requests 20 --calls 5
"""
import argparse
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import availability  # noqa: E402
from db import app_dsn  # noqa: E402

NOW = availability.NOW  # the world's NOW: a Monday morning in Toronto
DAYS = 90
TARGET_MS = 300
PASSWORD = "bench-password"
ADMIN, WORKSHOP_ADMIN = "bench-admin@bench.example", "bench-workshop@bench.example"


def database(keep):
    """availability.py's world, which also has sessions and money now; a kept one from before them is refused."""
    server, dsn = availability.database(keep)
    with psycopg.connect(dsn) as conn:
        if not conn.execute("select exists (select 1 from app.sessions)").fetchone()[0]:
            server.stop()
            sys.exit(f"the world kept in {keep} predates sessions and money: delete that folder to rebuild it")
    return server, dsn


def local_range(zone):
    """The 90 local dates of `zone` ending on NOW's date there."""
    last = NOW.astimezone(ZoneInfo(zone)).date()
    return last - timedelta(days=DAYS - 1), last


def accounts(dsn):
    """The three viewers, with bcrypt's lowest cost so that logging in costs little: a platform admin, the
    admin of the workshop with the most mechanics, and the mechanic with the most sessions in the range (an
    existing one: their numbers are the world's)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select app.set_app_clock(%s)", [NOW])
        conn.execute("update app.login_policy set bcrypt_cost = 4")
        workshop, zone = conn.execute("""
            select w.id, w.timezone from app.workshops w join app.mechanics m on m.workshop_id = w.id
            group by w.id order by count(*) desc, w.id limit 1""").fetchone()
        for email, role, name, tz, shop in ((ADMIN, "admin", "Bench Admin", "America/Toronto", None),
                                            (WORKSHOP_ADMIN, "workshop_admin", "Bench Workshop Admin", zone, workshop)):
            if conn.execute("select 1 from app.users where email = %s", [email]).fetchone():
                conn.execute("update app.users set password_hash = app.hash_password(%s) where email = %s", [PASSWORD, email])
            else:
                conn.execute("select app.create_staff_account(p_role => %s, p_email => %s, p_password => %s, "
                              "p_name => %s, p_timezone => %s, p_workshop_id => %s)", [role, email, PASSWORD, name, tz, shop])
        first, last = local_range("America/Toronto")
        mechanic, email = conn.execute("""
            select s.mechanic_id, u.email from app.sessions s join app.users u on u.id = s.mechanic_id
            where s.created_at >= %s and s.created_at < %s and s.mechanic_id is not null
            group by 1, 2 order by count(*) desc, 1 limit 1""", [NOW - timedelta(days=DAYS), NOW]).fetchone()
        conn.execute("update app.users set password_hash = app.hash_password(%s) where id = %s", [PASSWORD, mechanic])
        users = {role: conn.execute("select id, timezone from app.users where email = %s", [e]).fetchone()
                 for role, e in (("admin", ADMIN), ("workshop", WORKSHOP_ADMIN), ("mechanic", email))}
        return {role: {"email": e, "id": users[role][0], "zone": users[role][1]}
                for role, e in (("admin", ADMIN), ("workshop", WORKSHOP_ADMIN), ("mechanic", email))}, workshop


def summarize(dsn):
    """The summaries as the job keeps them (refresh_analytics, every 5 minutes): its first runs sum 31 days per
    zone each, newest first, until the 90 days are summed; then one run, as in steady state."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        zones = conn.execute("select count(distinct timezone) from app.users where role <> 'customer'").fetchone()[0]
        for _ in range(DAYS // 31 + 2):
            began = time.perf_counter()
            days = conn.execute("select app.refresh_analytics()").fetchone()[0]
            print(f"refresh_analytics: {days} days summed in {zones} zones in {time.perf_counter() - began:.1f} s", flush=True)


def counts(dsn):
    with psycopg.connect(dsn) as conn:
        return conn.execute("""
            select (select count(*) from app.mechanics), (select count(*) from app.sessions),
                   (select count(*) from app.sessions where kind = 'immediate'),
                   (select count(*) from app.payments) + (select count(*) from app.refunds)
                   + (select count(*) from app.credit_entries) + (select count(*) from app.payouts),
                   (select count(*) from app.customer_waitlist)""").fetchone()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(dsn):
    """`flask serve` in its own process, jobs off (they would move the frozen world), on a free loopback port."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": dsn, "JOB_RUNNER": "off", "COOKIE_SECURE": "0", "SECRET_KEY": "bench",
           "AUTODOCTOR_VAR": str(ROOT / "var" / "bench-analytics")}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(port)],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("flask serve stopped before it served")
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("flask serve did not answer within 2 minutes")


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


class Client:
    """A logged-in browser: cookies and the log-in form's CSRF token."""

    def __init__(self, base, email):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        page = self.opener.open(base + "/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token}).encode()
        with self.opener.open(base + "/login", data=body, timeout=30) as response:
            response.read()
            if response.geturl().rstrip("/").endswith("/login"):
                sys.exit(f"could not log in as {email}")

    def get(self, path):
        with self.opener.open(self.base + path, timeout=120) as response:
            body = response.read()
            if response.status != 200 or "/login" in response.geturl():
                raise RuntimeError(f"GET {path}: {response.status} at {response.geturl()}")
            return body


def measure(run, count, seconds, warmup):
    """p50 and p95 (ms) of up to `count` runs after up to `warmup` ones, each phase stopping after `seconds`; and
    how many were timed."""
    deadline = time.monotonic() + seconds
    for _ in range(warmup):
        run()
        if time.monotonic() > deadline:
            break
    samples = []
    deadline = time.monotonic() + seconds
    while len(samples) < count and (len(samples) < 2 or time.monotonic() < deadline):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), percentile95(samples), len(samples)


def percentile95(samples):
    return statistics.quantiles(samples, n=20, method="inclusive")[18] if len(samples) > 1 else samples[0]


def pages(users, workshop):
    """(page, viewer, path) of every page measured, each for its viewer's 90 local days."""
    def span(role):
        first, last = local_range(users[role]["zone"])
        return f"start={first}&end={last}"
    listed = [("/admin/analytics", "admin", f"/admin/analytics?{span('admin')}"),
              ("/workshop/<id>/analytics", "workshop", f"/workshop/{workshop}/analytics?{span('workshop')}"),
              ("/mechanic/analytics", "mechanic", f"/mechanic/analytics?{span('mechanic')}")]
    for ledger in ("payments", "refunds", "credit", "payouts"):
        listed.append((f"/admin/money?ledger={ledger}", "admin", f"/admin/money?ledger={ledger}&{span('admin')}"))
    listed.append(("/admin/money/payouts-due", "admin", f"/admin/money/payouts-due?{span('admin')}"))
    listed.append(("/admin/operations", "admin", f"/admin/operations?{span('admin')}"))
    return listed


def functions(users, workshop):
    """Each SQL function the pages call, as the app calls it (its role, its arguments, the actor bound from a
    log-in session: `{actor}`) for the platform admin's range; and the workshop page's header (my_workshops) for
    its workshop admin. (name, SQL, the user it acts for)."""
    admin = users["admin"]
    first, last = local_range(admin["zone"])
    span = f"{{actor}}, date '{first}', date '{last}', '{admin['zone']}'"
    calls = [(f"analytics_{name}", f"select * from app.analytics_{name}({span})")
             for name in ("utilization", "no_shows", "peak_hours", "lead_times", "waitlist", "offer_acceptance")]
    calls.append(("analytics_revenue (weeks)", f"select * from app.analytics_revenue({span}, p_bucket => 'week')"))
    calls.append(("analytics_scope", "select * from app.analytics_scope({actor})"))
    calls += [(f"admin_ledger ({ledger})", f"select * from app.admin_ledger({{actor}}, '{ledger}', date '{first}', "
                                           f"date '{last}', '{admin['zone']}')")
              for ledger in ("payments", "refunds", "credit", "payouts")]
    calls += [(f"admin_{name}", f"select * from app.admin_{name}({span})")
              for name in ("payouts_due", "cancellations", "no_shows_by_customer")]
    calls += [(f"admin_{name}", f"select * from app.admin_{name}({{actor}})")
              for name in ("money_attention", "rematches", "outbox_trouble")]
    calls = [(name, sql, admin["id"]) for name, sql in calls]
    calls.append(("my_workshops (workshop admin)", f"select * from app.my_workshops({{actor}}, {workshop})",
                  users["workshop"]["id"]))
    return calls


def login_token(dsn, user):
    """A log-in session of `user`, as logging in makes one; its token binds the actor of each call."""
    token = secrets.token_hex(32)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("insert into app.login_sessions (user_id, token_hash, created_at, last_seen_at, expires_at) "
                     "values (%s, sha256(convert_to(%s, 'UTF8')), app.app_now(), app.app_now(), "
                     "app.app_now() + interval '1 day')", [user, token])
    return token


def time_function(dsn, sql, user, count, seconds):
    """On a new connection, as the app's role and as db.py calls (one statement whose actor is
    app.acting_user(token)): the first 5 calls (PL/pgSQL plans each with the call's values), then up to `count`
    calls more, the steady state of a pooled connection (from the 6th call PL/pgSQL may keep one generic plan
    for every value). (rows, p50 of the first 5, p50 and p95 after, how many timed after)."""
    sql = sql.format(actor=f"app.acting_user('{login_token(dsn, user)}')")
    with psycopg.connect(app_dsn({"DATABASE_URL": dsn}), autocommit=True) as conn:
        first = []
        for _ in range(5):
            began = time.perf_counter()
            rows = len(conn.execute(sql).fetchall())
            first.append((time.perf_counter() - began) * 1000)
        p50, p95, n = measure(lambda: conn.execute(sql).fetchall(), count, seconds, warmup=0)
        return rows, statistics.median(first), p50, p95, n


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="a folder for the benchmark's PostgreSQL, reused by the next run")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--warmup", type=int, default=6,
                        help="untimed requests per page first (default 6: the app's connection is past PL/pgSQL's "
                             "first 5 calls of each function, as a server that has been up a while)")
    parser.add_argument("--calls", type=int, default=10, help="timed calls per SQL function after its first 5 (default 10)")
    parser.add_argument("--seconds", type=float, default=60,
                        help="time limit of each page's warm-up, of its timed requests, and of each function's "
                             "timed calls (default 60)")
    args = parser.parse_args()
    server, dsn = database(args.keep)
    process = None
    try:
        users, workshop = accounts(dsn)
        summarize(dsn)
        sizes = counts(dsn)
        process, base = serve(dsn)
        clients = {role: Client(base, user["email"]) for role, user in users.items()}
        print(f"pages ({args.warmup} untimed requests each, then up to {args.requests}):", flush=True)
        page_results = []
        for page, role, path in pages(users, workshop):
            p50, p95, n = measure(lambda: clients[role].get(path), args.requests, args.seconds, args.warmup)
            page_results.append((page, role, p50, p95, n))
            print(f"  {page}: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({n} requests)", flush=True)
        print("SQL functions:", flush=True)
        function_results = []
        for name, sql, user in functions(users, workshop):
            rows, first, p50, p95, n = time_function(dsn, sql, user, args.calls, args.seconds)
            function_results.append((name, rows, first, p50, p95, n))
            print(f"  {name}: first calls {first:.1f} ms, then p50 {p50:.1f} ms ({n} calls)", flush=True)
        report(page_results, function_results, users, sizes)
    finally:
        if process is not None:
            stop(process)
        server.stop()


def report(page_results, function_results, users, sizes):
    mechanics, sessions, immediate, money, waitlist = sizes
    first, last = local_range(users["admin"]["zone"])
    print(f"\n{mechanics} mechanics, {sessions:,} sessions ({immediate:,} Book Now), {money:,} money rows, "
          f"{waitlist:,} waitlist entries; {DAYS} local days ending on NOW's date ({first} – {last} for the admin); "
          f"times in ms, measured by the client over loopback, one request at a time\n")
    print("| page | viewer | requests | p50 | p95 | target p95 | met |")
    print("|---|---|---:|---:|---:|---:|---|")
    for page, role, p50, p95, n in page_results:
        print(f"| `{page}` | {role} | {n} | {p50:.0f} | {p95:.0f} | < {TARGET_MS} | {'yes' if p95 < TARGET_MS else 'no'} |")
    print(f"\nEach SQL function alone, as the app's role calls it, for the platform admin's {DAYS} days (slowest first): "
          f"the median of its first 5 calls on a connection, then p50 and p95 of the calls after them\n")
    print("| function | rows | first 5 calls p50 | then p50 | then p95 | calls |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows, first_calls, p50, p95, n in sorted(function_results, key=lambda r: -r[3]):
        print(f"| `{name}` | {rows:,} | {first_calls:.1f} | {p50:.1f} | {p95:.1f} | {n} |")
    missed = [page for page, _, _, p95, _ in page_results if p95 >= TARGET_MS]
    print(f"\nall pages within p95 < {TARGET_MS} ms" if not missed else "\npages over the target: " + ", ".join(missed))


if __name__ == "__main__":
    main()
