"""Availability benchmark (issue 3): p50 and p95, in one run, of is_slot_available, one day of slots, a 30-day
month (slots + per-day summary) in the database and over HTTP, and the same month computed as the background
documents' AvailabilityService does it (a handful of queries per candidate slot), with the ratio.

    .venv/bin/python bench/availability.py              # builds the world in a throw-away server (~5 min)
    .venv/bin/python bench/availability.py --keep var/bench   # keeps the server's data there for the next run
"""
import argparse
import http.cookiejar
import random
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import migrate  # noqa: E402
from db import app_dsn  # noqa: E402
import world  # noqa: E402
from embedded_pg import EmbeddedPostgres  # noqa: E402

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)  # a Monday morning in Toronto
TARGETS_MS = {"is_slot_available": 2, "one day of slots": 5, "month: slots + summary (db)": 30, "month over HTTP": 100}


def measure(run, count, warmup=20):
    for _ in range(warmup):
        run()
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        run()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def database(keep):
    server = EmbeddedPostgres(base_dir=keep) if keep else EmbeddedPostgres()
    with psycopg.connect(server.url(), autocommit=True) as conn:
        fresh = not conn.execute("select 1 from pg_database where datname = 'bench'").fetchone()
        if fresh:
            conn.execute("create database bench")
    dsn = server.url("bench")
    migrate.upgrade(dsn)
    if fresh:
        print("building the world:", flush=True)
        world.build(dsn, NOW)
    return server, dsn


def sample_requests(conn, rng, count):
    """Random (mechanic, zone, local date in the next 30 days, start instant on the grid) to ask about."""
    mechanics = conn.execute("select id, timezone from app.mechanics order by id").fetchall()
    today = NOW.date()
    picks = []
    for _ in range(count):
        mechanic, zone = rng.choice(mechanics)
        day = today + timedelta(days=rng.randint(1, 29))
        start = datetime.combine(day, datetime.min.time(), ZoneInfo(zone)) + timedelta(minutes=30 * rng.randint(14, 41))
        picks.append((mechanic, zone, day, start))
    return picks


def naive_month(conn, mechanic, first_day):
    """The background documents' AvailabilityService.getAvailableSlots, day by day: 18 candidates from 09:00 to
    18:00, each checked with its own queries (mechanic, workshop hours, time off, bookings, notice)."""
    free = 0
    for offset in range(30):
        day = first_day + timedelta(days=offset)
        for minutes in range(9 * 60, 18 * 60, 30):
            start = datetime.combine(day, datetime.min.time(), timezone.utc) + timedelta(minutes=minutes)
            end = start + timedelta(minutes=30)
            row = conn.execute("select workshop_id from app.mechanics where id = %s", [mechanic]).fetchone()
            if row[0] is not None:
                hours = conn.execute("select opens_at, closes_at, is_closed from app.workshop_availability "
                                     "where workshop_id = %s and weekday = %s", [row[0], day.isoweekday()]).fetchone()
                if hours is None or hours[2] or not hours[0] <= start.time() < hours[1]:
                    continue
            if conn.execute("select 1 from app.mechanic_time_off where mechanic_id = %s and start_date <= %s "
                            "and end_date >= %s", [mechanic, start.date(), end.date()]).fetchone():
                continue
            if conn.execute("select 1 from app.slot_reservations where mechanic_id = %s and status = 'confirmed' "
                            "and starts_at between %s and %s", [mechanic, start, end]).fetchone():
                continue
            if start < NOW + timedelta(hours=2):
                continue
            free += 1
    return free


def serve_app(dsn):
    from waitress.server import create_server

    from app import create_app
    app = create_app({"DATABASE_URL": dsn, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False,
                      "VAR_DIR": str(ROOT / "var")})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"


def http_client(base, dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("delete from app.users where email = 'bench-http@bench.example'")
        conn.execute("select app.sign_up_customer(p_email => 'bench-http@bench.example', p_password => %s, "
                     "p_name => 'Bench', p_timezone => 'America/Toronto')", ["bench password"])
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login").read().decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    opener.open(base + "/login", urllib.parse.urlencode(
        {"email": "bench-http@bench.example", "password": "bench password", "csrf_token": token}).encode())
    return opener


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="a folder for the benchmark's PostgreSQL, reused by the next run")
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    server, dsn = database(args.keep)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("select app.set_app_clock(%s)", [NOW])
            bookings = conn.execute("select count(*) from app.slot_reservations where status = 'confirmed'").fetchone()[0]
            mechanics = conn.execute("select count(*) from app.mechanics").fetchone()[0]
        rng = random.Random(20261123)
        results = {}
        with psycopg.connect(dsn) as conn:
            picks = iter(sample_requests(conn, rng, 100_000))
        with psycopg.connect(app_dsn({"DATABASE_URL": dsn}), autocommit=True) as conn:  # as the app runs

            def check():
                mechanic, _, _, start = next(picks)
                conn.execute("select app.is_slot_available(%s, %s, %s)", [mechanic, start, start + timedelta(minutes=30)]).fetchone()

            def day():
                mechanic, zone, first, _ = next(picks)
                conn.execute("select * from app.available_slots(%s, %s, %s, 'standard', 'online', %s)",
                             [mechanic, first, first, zone]).fetchall()

            def month():
                mechanic, zone, _, _ = next(picks)
                first = NOW.date()
                conn.execute("select * from app.available_slots(%s, %s, %s, 'standard', 'online', %s)",
                             [mechanic, first, first + timedelta(days=29), zone]).fetchall()
                conn.execute("select * from app.available_days(%s, %s, %s, 'standard', 'online', %s)",
                             [mechanic, first, first + timedelta(days=29), zone]).fetchall()

            results["is_slot_available"] = measure(check, args.samples * 4)
            results["one day of slots"] = measure(day, args.samples * 2)
            results["month: slots + summary (db)"] = measure(month, args.samples)

        base = serve_app(dsn)
        opener = http_client(base, dsn)
        with psycopg.connect(dsn) as conn:
            ids = [r[0] for r in conn.execute("select id from app.mechanics")]
        first = NOW.date()

        def http_month():
            url = (f"{base}/api/mechanics/{rng.choice(ids)}/slots?from={first}&to={first + timedelta(days=29)}"
                   f"&plan=standard&service_type=online")
            with opener.open(url) as response:
                assert response.status == 200
                response.read()
        results["month over HTTP"] = measure(http_month, args.samples)

        with psycopg.connect(dsn, autocommit=True) as conn:
            results["month, one query per slot (seeds)"] = measure(
                lambda: naive_month(conn, rng.choice(ids), first), max(20, args.samples // 25), warmup=3)
        report(results, bookings, mechanics)
    finally:
        server.stop()


def report(results, bookings, mechanics):
    print(f"\n{mechanics} mechanics, {bookings:,} confirmed bookings; times in ms, measured by the client "
          f"over loopback (2 cores)\n")
    print("| measure | p50 | p95 | target p95 |")
    print("|---|---:|---:|---:|")
    for name, (p50, p95) in results.items():
        target = TARGETS_MS.get(name)
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {'< ' + str(target) if target else '—'} |")
    ours = results["month: slots + summary (db)"][0]
    naive = results["month, one query per slot (seeds)"][0]
    print(f"\nThe seeds' way takes {naive / ours:.0f}× as long as ours for a month (p50 {naive:.0f} ms vs {ours:.2f} ms),"
          f" and answers fewer rules.")
    missed = [name for name, target in TARGETS_MS.items() if results[name][1] >= target]
    print("all targets met" if not missed else "targets missed: " + ", ".join(missed))


if __name__ == "__main__":
    main()
