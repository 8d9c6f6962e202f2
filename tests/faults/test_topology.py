"""The production topology (topology.py) and a failover under booking load (issue 19): a pg_auto_failover monitor,
a primary and a synchronous standby, PgBouncer in transaction mode following the primary, two `flask serve`
processes. Sixteen customers book (hold, pay with the test gateway, confirm) through both processes; the primary's
postmaster is killed with kill -9; the standby is promoted and PgBouncer follows. Every booking a customer saw
confirmed is on the new primary, no claims overlap, the money adds up, and every refused request was a 503 with
Retry-After. Prints how long `up` took, the failover time (the kill to the first booking confirmed after it) and
the count of 503s (`pytest -s` shows them)."""
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from psycopg.rows import dict_row

import topology as topo
from availability_world import World
from conftest import make_customer
from faults.conftest import Client

pytestmark = pytest.mark.slow  # a monitor, two nodes, PgBouncer and two app servers of its own

CLIENTS, MECHANICS, SECONDS, KILL_AT = 16, 4, 30, 6
SCHEDULE = "/customer/schedule"
CONFIRMED = re.compile(r"/customer/schedule/confirmation/(\d+)$")
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


class Owner:
    """The owner's connections to whichever node is primary (DIRECT_DATABASE_URL), as make_customer expects."""

    def __init__(self, url):
        self.url = url

    def owner(self):
        return psycopg.connect(self.url, autocommit=True, row_factory=dict_row)

    def scalar(self, query, params=()):
        with self.owner() as conn:
            return next(iter(conn.execute(query, params).fetchone().values()))


@pytest.fixture(scope="module")
def topology():
    """The topology in a folder of its own, up for the module's tests and down afterwards."""
    base = tempfile.mkdtemp(prefix="autodoctor-topology-")  # not under pytest's tmp: the postgres user reaches it
    began = time.monotonic()
    try:
        running = topo.up(base, say=lambda *_: None)
        print(f"\ntopology up in {time.monotonic() - began:.1f} s")
        yield running
    finally:
        topo.down(base, say=lambda *_: None)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def world(topology):
    """Mechanics free all week from tomorrow and a customer per client, arranged as the owner on the primary."""
    owner = Owner(topology.direct_url())
    with owner.owner() as conn:
        conn.execute("update app.login_policy set bcrypt_cost = 4")  # log-ins as fast as in the other tests
        world = World(conn)
        mechanics = [world.mechanic(blocks=ALL_DAY, buffer_minutes=0, min_notice_minutes=0, max_advance_days=60)
                     for _ in range(MECHANICS)]
    for n in range(CLIENTS):
        make_customer(owner, email=f"booker{n}@example.com", name=f"Booker {n}")
    return owner, mechanics


def test_pages_answer_through_pgbouncer_on_both_app_processes(topology, world):
    lines = []
    topo.status(topology.base, say=lines.append)
    assert any(line.startswith("primary:   127.0.0.1:") for line in lines), lines
    assert {n["reportedstate"] for n in topology.nodes()} == {"primary", "secondary"}
    for app in topo.APPS:
        client = Client(topology.app_base(app), "booker0@example.com")
        assert client.request("GET", "/customer/vehicles")[0] == 200
        assert client.request("GET", "/api/plans")[0] == 200


class Booker:
    """One customer booking hour after hour with their own mechanic's time, through one app process."""

    def __init__(self, topology, n, mechanic, first_hour):
        self.client = Client(topology.app_base(topo.APPS[n % 2]), f"booker{n}@example.com")
        self.token = self.client.token("/customer/vehicles")
        self.mechanic, self.n = mechanic, n
        self.hours = (first_hour + timedelta(hours=n // MECHANICS + CLIENTS // MECHANICS * i) for i in range(1000))
        self.confirmed = []  # (session id, when the answer came)

    def post(self, step, fields):
        status, _, headers = self.client.request("POST", f"{SCHEDULE}/{step}", {**fields, "csrf_token": self.token})
        return status, headers.get("Location") or ""

    def book(self):
        """One booking, step by step; False at the first step not answered as it should be."""
        start = next(self.hours)
        steps = [("service", {"choice": "online"}, "/vehicle"), ("vehicle", {"choice": "advice"}, "/plan"),
                 ("plan", {"choice": "standard"}, "/mechanic"), ("mechanic", {"choice": self.mechanic}, "/time"),
                 ("time", {"choice": start.isoformat()}, "/intake"),
                 ("intake", {"concern_category": "diagnostic", "concern": "The brakes squeal when cold.",
                             "preparation_notes": "", "special_requests": ""}, "/review")]
        for step, fields, then in steps:
            status, location = self.post(step, fields)
            if status != 302 or not location.endswith(SCHEDULE + then):
                return False
        status, location = self.post("review", {"card": "4242 4242 4242 4242", "remind_24h": "y"})
        paid = CONFIRMED.search(location) if status == 302 else None
        if paid:
            self.confirmed.append((int(paid.group(1)), time.monotonic()))
        return bool(paid)

    def run(self, stop_at):
        for _ in range(200):  # bounded in count as well as in time
            if time.monotonic() >= stop_at:
                return
            if not self.book():
                time.sleep(0.2)  # as a person reading "try again in a moment" would, not at once


def test_a_failover_under_booking_load_loses_no_confirmed_booking_and_answers_only_503s(topology, world):
    owner, mechanics = world
    first_hour = (datetime.now(timezone.utc) + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    bookers = [Booker(topology, n, mechanics[n % MECHANICS], first_hour) for n in range(CLIENTS)]
    for booker in bookers:
        booker.client.answers.clear()
    stop_at = time.monotonic() + SECONDS
    threads = [threading.Thread(target=b.run, args=(stop_at,)) for b in bookers]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AT)
    old = topology.primary()
    node = next(n["name"] for n in topology.nodes() if n["port"] == old[1])
    killed_at = time.monotonic()
    os.kill(topo.postmaster_pid(topology, node), signal.SIGKILL)
    topo.wait_for("the standby's promotion", lambda: topology.primary() not in (None, old), 60)
    promoted = topology.primary()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    assert not any(thread.is_alive() for thread in threads)

    answers = [a for b in bookers for a in b.client.answers]
    by_status = Counter(status for _, _, status, *_ in answers)
    confirmed = [c for b in bookers for c in b.confirmed]
    after = [when for _, when in confirmed if when > killed_at]
    failover = f"{min(after) - killed_at:.1f} s" if after else "never"
    print(f"\nfailover: {old[1]} -> {promoted[1]}; first booking confirmed {failover} after the kill; "
          f"{len(confirmed)} bookings confirmed; {len(answers)} requests: {dict(by_status)}; "
          f"{by_status[503]} answered 503")
    for method, path, status, retry, page, *_ in answers:
        if status is None or status >= 500 and status != 503:
            print(method, path, status, page[:300])
    assert after, "no booking was confirmed after the failover"
    assert None not in by_status, "a request got no answer: the app processes never went away"
    assert not [a for a in answers if a[2] >= 500 and a[2] != 503], "a 500 (or other server error) was answered"
    assert all(retry for _, _, status, retry, *_ in answers if status == 503), "a 503 without Retry-After"
    assert len(confirmed) >= CLIENTS

    with owner.owner() as conn:
        assert conn.execute("select pg_is_in_recovery() as standby").fetchone()["standby"] is False
        assert conn.info.port == promoted[1]
        ids = [session for session, _ in confirmed]
        rows = conn.execute("select s.id, s.status, r.status as claim from app.sessions s join app.slot_reservations r "
                            "on r.id = s.reservation_id where s.id = any(%s)", [ids]).fetchall()
        assert sorted(r["id"] for r in rows) == sorted(ids)
        assert {(r["status"], r["claim"]) for r in rows} == {("scheduled", "confirmed")}
        overlapping = conn.execute("""
            select count(*) as n from app.slot_reservations a join app.slot_reservations b
              on a.id < b.id and (a.mechanic_id = b.mechanic_id or a.customer_id = b.customer_id)
             and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)
             where a.status in ('reserved', 'confirmed') and b.status in ('reserved', 'confirmed')""").fetchone()
        assert overlapping["n"] == 0
        assert conn.execute("select count(*) as n from app.money_audit()").fetchone()["n"] == 0
