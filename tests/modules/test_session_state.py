"""The web path keeps no session state on its database connections (issue 19), so that PgBouncer in transaction mode
may give each transaction whichever server connection is free: six customers at once log in, add a vehicle, book a
time through the scheduling pages and pay, through a PgBouncer with two server connections, and each sees exactly
their own. A server-side prepared statement, a session setting or an actor bound beyond its transaction would
surface here as an error or as another customer's row."""
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from shutil import rmtree

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

import db as app_db
import embedded_pg
import rooms
import topology
from app import create_app
from availability_world import local
from conftest import csrf_token, log_in, make_customer
from faults.conftest import free_port

CLIENTS = 6
SCHEDULE = "/customer/schedule"


@pytest.fixture
def pooled_app(database, tmp_path):
    """The app with DATABASE_URL through a PgBouncer in transaction mode with two server connections, and
    DIRECT_DATABASE_URL straight to the database (for what a pooler cannot carry)."""
    folder = Path(tempfile.mkdtemp(prefix="autodoctor-pgbouncer-"))  # one the postgres user reaches
    user = embedded_pg.server_user()
    if user:
        os.chown(folder, *user)
    port, server = free_port(), conninfo_to_dict(database.url)
    topology.write_pgbouncer_ini(folder, port, database.name, (server["host"], server["port"]), pool_size=2)
    pgbouncer = subprocess.Popen(embedded_pg.as_user(user, ["/usr/sbin/pgbouncer", str(folder / "pgbouncer.ini")]),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"postgresql://postgres@127.0.0.1:{port}/{database.name}"
    app = None
    try:
        topology.wait_for("PgBouncer answering", lambda: psycopg.connect(url, prepare_threshold=None).close() or 1, 20)
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": url,
                          "DIRECT_DATABASE_URL": database.url, "VAR_DIR": str(tmp_path),
                          "SESSION_COOKIE_SECURE": False})
        yield app
    finally:
        if app is not None:
            rooms.close(app)
            app_db.close_pool(app)
        pgbouncer.terminate()
        pgbouncer.wait(timeout=20)
        rmtree(folder, ignore_errors=True)


def test_interleaved_customers_through_transaction_pooling_each_see_their_own(pooled_app, database, world):
    mechanics = [world.mechanic(blocks={2: [("08:00", "20:00")]}) for _ in range(CLIENTS // 2)]
    customers = [make_customer(database, email=f"pooled{n}@example.com", name=f"Pooled {n}") for n in range(CLIENTS)]
    barrier, outcomes = threading.Barrier(CLIENTS), {}

    def customer(n):
        try:
            book(n)
        except Exception as failure:  # noqa: BLE001  reported below, with the customer it happened to
            outcomes[n] = failure

    def book(n):
        client = pooled_app.test_client()
        barrier.wait(timeout=30)
        log_in(client, f"pooled{n}@example.com")
        token = csrf_token(client, "/customer/vehicles")

        def post(path, **fields):
            response = client.post(path, data={**fields, "csrf_token": token})
            assert response.status_code == 302, (n, path, response.status_code)
            return response.location

        post("/customer/vehicles", year="2020", make="Make", model=f"Model-{n}")
        start = local("America/Toronto", f"2026-11-24 {10 + 2 * (n // len(mechanics)):02}:00")
        for step, choice in (("service", "online"), ("vehicle", "advice"), ("plan", "standard"),
                             ("mechanic", mechanics[n % len(mechanics)]), ("time", start.isoformat())):
            post(f"{SCHEDULE}/{step}", choice=choice)
        post(f"{SCHEDULE}/intake", concern_category="diagnostic", concern="The brakes squeal when cold.",
             preparation_notes="", special_requests="")
        confirmed = re.search(r"/confirmation/(\d+)$", post(f"{SCHEDULE}/review", card="4242 4242 4242 4242"))
        vehicles = [client.get("/customer/vehicles").get_data(as_text=True) for _ in range(3)]
        outcomes[n] = (int(confirmed.group(1)), vehicles)

    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CLIENTS)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads) and len(outcomes) == CLIENTS, outcomes.keys()
    assert not {n: o for n, o in outcomes.items() if isinstance(o, Exception)}
    print(f"\n{CLIENTS} customers booked through two pooled server connections in {time.monotonic() - began:.1f} s")

    for n, (session, vehicles) in outcomes.items():
        assert database.scalar("select customer_id from app.sessions where id = %s and status = 'scheduled'",
                               [session]) == customers[n]
        for page in vehicles:  # their own vehicle, and nobody else's
            assert set(re.findall(r"Model-\d+", page)) == {f"Model-{n}"}
    assert database.scalar("select count(*) from app.money_audit()") == 0
