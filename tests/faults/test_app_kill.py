"""kill -9 of the app in the middle of payments (issue 19): 12 customers pay for their Schedule bookings at the same
moment (one with a card that is declined) through `flask serve` with the offline test gateway, and the app process is killed when half of them have
begun their payment. A new `flask serve` starts on the same database and the same VAR_DIR (where the gateway keeps its charges),
reconciliation and refunds run (`flask jobs run reconcile_payments send_refunds`), and then every payment is either
charged with its confirmed booking, or charged and refunded once in full, or never charged: never money taken
without a slot, never charged or refunded twice; money_audit() is empty. Prints how many payments were begun and
charged at the kill (`pytest -s`)."""
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import offline_gateway
from availability_world import World
from conftest import make_customer
from faults.conftest import ALL_WEEK, ROOT, SCHEDULE, AppServer, Client, own_postgres

pytestmark = pytest.mark.slow  # a PostgreSQL and two app servers of their own, one killed

CUSTOMERS = 12
ZONE = ZoneInfo("America/Toronto")
PAY = {"card": "4242 4242 4242 4242", "remind_24h": "y", "remind_1h": "y", "remind_15min": "y"}
DECLINED = {**PAY, "card": "4000 0000 0000 0002"}  # the first customer's card: never charged, whenever it is asked


def at_review(base, mechanic, n, start):
    """Customer n logged in, with a hold on `start` and the concern answered: at Schedule's last step."""
    client = Client(base, f"payer{n}@example.com")
    client.schedule_until_time(mechanic)
    assert client.post(f"{SCHEDULE}/time", {"choice": start.isoformat()})[0] == 302
    status, _, headers = client.post(f"{SCHEDULE}/intake", {
        "concern_category": "diagnostic", "concern": "The brakes squeal when the car is cold.",
        "preparation_notes": "", "special_requests": ""})
    assert status == 302 and headers["Location"].endswith(f"{SCHEDULE}/review")
    return client


def kill_while_paying(app, database, clients):
    """All clients press Pay together; the app is killed as soon as half of them have begun their payment (the
    others' requests are still on their way, some charging). Returns the payments' statuses at the kill and how
    long after the posts began it came."""
    barrier = threading.Barrier(len(clients) + 1)

    def pay(client, card):
        barrier.wait(timeout=60)
        client.post(f"{SCHEDULE}/review", card)

    payers = [threading.Thread(target=pay, args=(client, DECLINED if n == 0 else PAY)) for n, client in enumerate(clients)]
    for payer in payers:
        payer.start()
    with database.owner() as conn:
        barrier.wait(timeout=60)
        began = time.monotonic()
        while time.monotonic() - began < 20 and conn.execute(
                "select count(*) as n from app.payments").fetchone()["n"] < len(clients) // 2:
            time.sleep(0.002)
        app.kill()
        killed_after = time.monotonic() - began
        at_kill = Counter(r["status"] for r in conn.execute("select status from app.payments"))
    for payer in payers:
        payer.join(timeout=60)
    return at_kill, killed_after


def test_payments_in_flight_when_the_app_is_killed_end_booked_refunded_or_never_charged(tmp_path):
    with own_postgres("appkill") as (pg, database):
        with database.owner() as conn:
            mechanic = World(conn).mechanic(blocks=ALL_WEEK, min_notice_minutes=0)
        for n in range(CUSTOMERS):
            make_customer(database, email=f"payer{n}@example.com", name=f"Payer {n}")
        day = datetime.now(ZONE).date() + timedelta(days=2)
        starts = [datetime(day.year, day.month, day.day, 8, tzinfo=ZONE) + timedelta(hours=n) for n in range(CUSTOMERS)]
        env, var = {"DATABASE_URL": database.url, "JOB_RUNNER": "off"}, tmp_path / "var"

        first = AppServer(env, var).start()
        try:
            clients = [at_review(first.base, mechanic, n, start) for n, start in enumerate(starts)]
            at_kill, killed_after = kill_while_paying(first, database, clients)
        finally:
            first.kill()
        gateway = offline_gateway.TestGateway(path=var / offline_gateway.TestGateway.FILE)
        print(f"\nkilled {killed_after * 1000:.0f} ms after {CUSTOMERS} customers pressed Pay: payments {dict(at_kill)}, "
              f"{len(gateway.intents)} charged at the gateway; answers "
              f"{dict(Counter(c.answers[-1][2] for c in clients))}")

        second = AppServer(env, var).start()
        try:
            # reconciliation asks about payments older than 2 minutes: the clock moves on 3 (the holds last 15)
            database.scalar("select app.set_app_clock(now() + interval '3 minutes')")
            jobs = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "jobs", "run", "reconcile_payments",
                                   "send_refunds"], cwd=ROOT, env=second.env, capture_output=True, text=True, timeout=120)
            assert jobs.returncode == 0, jobs.stderr
            print(jobs.stdout.strip().replace("\n", "; "))
            assert all(c.request("GET", "/customer/appointments", base=second.base)[0] == 200 for c in clients)
        finally:
            second.stop()

        with database.owner() as conn:
            payments = conn.execute(
                "select p.*, s.status as session_status, r.status as slot_status from app.payments p "
                "left join app.sessions s on s.id = p.session_id left join app.slot_reservations r on r.id = s.reservation_id "
                "order by p.id").fetchall()
            refunds = conn.execute("select * from app.refunds").fetchall()
            assert conn.execute("select count(*) as n from app.money_audit()").fetchone()["n"] == 0
    intents, gateway_refunds = gateway.intents, gateway.refunds
    # at most one payment each: a request killed before begin_checkout left none (and its hold lapses unpaid)
    assert max(Counter(p["customer_id"] for p in payments).values()) == 1
    charges = Counter(i["metadata"]["payment_id"] for i in intents.values() if i["status"] == "succeeded")
    assert set(charges) <= {str(p["id"]) for p in payments} and max(charges.values(), default=1) == 1
    outcomes = Counter()
    for p in payments:
        mine = [r for r in refunds if r["payment_id"] == p["id"]]
        sent = [r for r in gateway_refunds.values() if r["payment_intent"] == p["intent_id"]]
        if not charges[str(p["id"])]:
            assert p["status"] in ("pending", "failed") and not mine, p
            outcomes["never charged"] += 1
        elif p["session_id"] is not None:
            assert (p["status"], p["session_status"], p["slot_status"]) == ("succeeded", "scheduled", "confirmed"), p
            assert not mine and not sent, p
            outcomes["booked"] += 1
        else:
            assert p["status"] == "succeeded" and len(mine) == 1 == len(sent), (p, mine, sent)
            assert mine[0]["status"] == "succeeded" and mine[0]["amount_cents"] == sent[0]["amount"] == p["amount_cents"]
            outcomes["refunded in full"] += 1
    print(f"afterwards: {dict(outcomes)}")
