"""Holds benchmark (issue 4): throughput and p95 of a booking's claim, reserve_slot then create_session (which
confirms the hold; since issue 5 payments call it), in two transactions, at 1, 8 and 64 clients, beside a raw INSERT into a table
with the same exclusion constraints (the issue's baseline) and the same two steps done raw on it (INSERT the
hold, then UPDATE it to confirmed), in one run. The server runs with fsync on, as a real one does.

    .venv/bin/python bench/holds.py
"""
import itertools
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import migrate  # noqa: E402
from embedded_pg import EmbeddedPostgres  # noqa: E402

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
MECHANICS = 400
OPS = {1: 1500, 8: 6000, 64: 8000}
RAW = "raw INSERT"
RAW_TWO = "raw INSERT, then UPDATE to confirmed"
OURS = "reserve_slot, then create_session"

RAW_TABLE = """
    create table public.raw_claims (
        id bigint generated always as identity primary key,
        mechanic_id bigint not null,
        customer_id bigint not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        blocked_until timestamptz not null,
        status text not null default 'reserved',
        constraint raw_claims_no_overlap exclude using gist (mechanic_id with =, tstzrange(starts_at, blocked_until) with &&)
            where (status in ('reserved', 'confirmed')),
        constraint raw_claims_customer_no_overlap exclude using gist (customer_id with =, tstzrange(starts_at, ends_at) with &&)
            where (status in ('reserved', 'confirmed'))
    )"""


def build(dsn):
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("select app.set_app_clock(%s)", [NOW])
        conn.execute("""
            insert into app.users (email, password_hash, role, name, timezone)
            select kind || n || '@bench.example', repeat('x', 40), kind, initcap(kind) || ' ' || n, 'America/Toronto'
            from generate_series(1, %s) n, (values ('mechanic'), ('customer')) k(kind)""", [MECHANICS])
        conn.execute("insert into app.customers (id) select id from app.users where role = 'customer'")
        conn.execute("insert into app.mechanics (id, timezone) select id, 'America/Toronto' from app.users where role = 'mechanic'")
        conn.execute("insert into app.mechanic_settings (mechanic_id, min_notice_minutes, max_advance_days) "
                     "select id, 0, 365 from app.mechanics")
        conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                     "select m.id, d, '00:00', '24:00' from app.mechanics m, generate_series(1, 7) d")
        conn.execute(RAW_TABLE)
        conn.execute("vacuum analyze")
        mechanics = [r[0] for r in conn.execute("select id from app.mechanics order by id")]
        customers = [r[0] for r in conn.execute("select id from app.customers order by id")]
    return mechanics, customers


class Slots:
    """Distinct claims for every operation of a run: operation i is mechanic i mod M, an hour later every M
    operations; customer i mod M, so nobody is in two places at once."""

    def __init__(self, mechanics, customers, first_hour):
        self.mechanics, self.customers, self.first_hour = mechanics, customers, first_hour
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            i = next(self.counter)
        start = NOW + timedelta(hours=self.first_hour + i // len(self.mechanics))
        return self.mechanics[i % len(self.mechanics)], self.customers[i % len(self.customers)], start


def run(connect, operation, clients, ops, slots):
    latencies = []
    lock = threading.Lock()
    per_client = ops // clients

    def client():
        with connect() as conn:
            mine = []
            for _ in range(per_client):
                mechanic, customer, start = slots.next()
                began = time.perf_counter()
                operation(conn, mechanic, customer, start)
                mine.append((time.perf_counter() - began) * 1000)
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, statistics.median(latencies), statistics.quantiles(latencies, n=20)[18]


def book(conn, mechanic, customer, start):
    hold = conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                        [customer, mechanic, start]).fetchone()[0]
    conn.execute("select app.create_session(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                 "p_advice_only => true, p_concern => 'Benchmark booking', p_hold_id => %s)", [customer, hold])


def raw_insert(conn, mechanic, customer, start):
    return conn.execute("insert into public.raw_claims (mechanic_id, customer_id, starts_at, ends_at, blocked_until) "
                        "values (%s, %s, %s, %s, %s) returning id",
                        [mechanic, customer, start, start + timedelta(minutes=30), start + timedelta(minutes=45)]).fetchone()[0]


def raw_insert_then_confirm(conn, mechanic, customer, start):
    claim = raw_insert(conn, mechanic, customer, start)
    conn.execute("update public.raw_claims set status = 'confirmed' where id = %s", [claim])


def main():
    server = EmbeddedPostgres(postgres_args="-h 127.0.0.1 -c logging_collector=off -c max_connections=200")
    try:
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("create database bench_holds")
        dsn = server.url("bench_holds")
        migrate.upgrade(dsn)
        mechanics, customers = build(dsn)
        results = []
        hour = 1
        for clients, ops in OPS.items():
            for name, connect, operation in (
                    (RAW, lambda: psycopg.connect(dsn, autocommit=True), raw_insert),
                    (RAW_TWO, lambda: psycopg.connect(dsn, autocommit=True), raw_insert_then_confirm),
                    (OURS, lambda: psycopg.connect(dsn, autocommit=True), book)):
                slots = Slots(mechanics, customers, hour)
                results.append((clients, name, *run(connect, operation, clients, ops, slots)))
                hour += ops // len(mechanics) + 2
        with psycopg.connect(dsn) as conn:
            overlapping = conn.execute(
                "select count(*) from app.slot_reservations a join app.slot_reservations b on a.id < b.id "
                "and a.mechanic_id = b.mechanic_id and tstzrange(a.starts_at, a.blocked_until) && "
                "tstzrange(b.starts_at, b.blocked_until) where a.status = 'confirmed' and b.status = 'confirmed'").fetchone()[0]
        report(results, overlapping)
    finally:
        server.stop()


def report(results, overlapping):
    print("\nclaims per second and latency per claim (ms), client side over loopback, fsync on, 2 cores\n")
    print("| clients | operation | claims/s | p50 ms | p95 ms | share of raw |")
    print("|---:|---|---:|---:|---:|---:|")
    raw = {clients: rate for clients, name, rate, _, _ in results if name == RAW}
    for clients, name, rate, p50, p95 in results:
        print(f"| {clients} | {name} | {rate:,.0f} | {p50:.2f} | {p95:.2f} | {rate / raw[clients]:.0%} |")
    at_8 = {name: (rate, p95) for clients, name, rate, _, p95 in results if clients == 8}
    share, p95 = at_8[OURS][0] / at_8[RAW][0], at_8[OURS][1]
    print(f"\nat 8 clients: {share:.0%} of the raw INSERT's throughput (target ≥ 50%), {at_8[OURS][0] / at_8[RAW_TWO][0]:.0%} "
          f"of the raw two steps; p95 {p95:.2f} ms (target < 10 ms); overlapping confirmed claims: {overlapping}")


if __name__ == "__main__":
    main()
