"""When the database goes away under the app (a restart, a failover, a connection ended by the server), pages answer
rather than fail (db._call_resilient): a read runs again on a fresh connection, a connection the server ended
while idle is swapped before anything is sent on it, and a call that cannot be answered is a 503 with Retry-After
that says truthfully whether something may have changed. A connection dies mid-call here by being ended while its
statement waits on a lock the test holds."""
import logging
import threading
import time

import pytest

import db as app_db
from conftest import PASSWORD, csrf_token, log_in, make_customer, submit

NOTHING_CHANGED = "Nothing was changed"
CANNOT_TELL = "we cannot tell yet whether it was saved"


@pytest.fixture
def customer_client(client, database):
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com", PASSWORD)
    return client


def end_app_connections(database, waiting_only=False):
    """Ends the app role's connections to this database as a restart would; how many it ended."""
    with database.owner() as conn:
        return conn.execute(
            "select count(pg_terminate_backend(pid, 5000)) as n from pg_stat_activity "  # waits for each to end
            "where datname = current_database() and usename = 'autodoctor_app' "
            "and (not %s or wait_event_type = 'Lock')", [waiting_only]).fetchone()["n"]


def while_locked(database, table, request):
    """Runs request() in a thread while the owner holds `table` exclusively; once the request's statement waits
    on the lock, its connection is ended, then the lock is let go. The request's response."""
    answer = {}
    with database.owner() as owner:
        with owner.transaction():
            owner.execute(f"lock table app.{table} in access exclusive mode")
            worker = threading.Thread(target=lambda: answer.update(response=request()))
            worker.start()
            deadline = time.monotonic() + 20
            while not end_app_connections(database, waiting_only=True):
                assert time.monotonic() < deadline, "the request never waited on the lock"
                time.sleep(0.02)
    worker.join(timeout=20)
    assert not worker.is_alive()
    return answer["response"]


def test_connections_the_server_ended_while_idle_are_replaced_before_a_call(customer_client, database, caplog):
    assert customer_client.get("/customer/vehicles").status_code == 200
    assert end_app_connections(database) >= 1  # every pooled connection, as a restart ends them
    with caplog.at_level(logging.WARNING, logger="db"):
        page = customer_client.get("/customer/vehicles")
        response = submit(customer_client, "/customer/vehicles", {"year": "2020", "make": "Toyota", "model": "RAV4"})
    assert page.status_code == 200 and response.status_code == 302
    assert database.scalar("select count(*) from app.vehicles") == 1
    assert not [r for r in caplog.records if r.name == "db" and "broke" in r.getMessage()]  # nothing sent on a dead one


def test_a_read_whose_connection_breaks_mid_call_is_answered_from_a_fresh_one(customer_client, database):
    database.scalar("select app.add_vehicle(id, 2019, 'Mazda', 'CX-5') from app.users where email = 'kim@example.com'")
    response = while_locked(database, "vehicles", lambda: customer_client.get("/customer/vehicles"))
    assert response.status_code == 200 and "Mazda CX-5" in response.get_data(as_text=True)


def test_a_write_whose_connection_breaks_mid_call_is_a_503_that_does_not_claim_nothing_changed(customer_client, database):
    form = {"year": "2020", "make": "Toyota", "model": "RAV4", "csrf_token": csrf_token(customer_client, "/customer/vehicles")}
    response = while_locked(database, "vehicles", lambda: customer_client.post("/customer/vehicles", data=form))
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert CANNOT_TELL in page and NOTHING_CHANGED not in page
    # the ended statement was rolled back; the page did not say so because the app could not know
    assert database.scalar("select count(*) from app.vehicles") == 0


def test_no_connection_to_be_had_is_a_503_saying_nothing_changed(database, tmp_path):
    from app import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database.url, "VAR_DIR": str(tmp_path),
                      "DB_POOL_SIZE": 1, "DB_POOL_TIMEOUT": 0.3})
    try:
        with app.app_context():
            held = app_db._pool().getconn()  # the pool's only connection, busy elsewhere
            try:
                response = app.test_client().get("/api/plans")
            finally:
                app_db._pool().putconn(held)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert response.get_json()["error"]["code"] == "unavailable"
        assert NOTHING_CHANGED in response.get_json()["error"]["message"]
        with app.app_context():
            assert app.test_client().get("/api/plans").status_code == 200  # and then it answers again
    finally:
        app_db.close_pool(app)


def test_a_write_refused_by_a_node_that_became_a_standby_is_a_503_saying_nothing_changed(customer_client, database):
    """After a failover, a connection may reach the old primary, now a read-only standby (SQLSTATE 25006): the
    write was refused whole, so the page says nothing changed, and the connection is not kept."""
    form = {"year": "2020", "make": "Toyota", "model": "RAV4", "csrf_token": csrf_token(customer_client, "/customer/vehicles")}
    with database.owner() as conn:
        conn.execute(f'alter database "{database.name}" set default_transaction_read_only = on')
    end_app_connections(database)  # the pool's next connections come up read-only, as a standby's are
    try:
        response = customer_client.post("/customer/vehicles", data=form)
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert NOTHING_CHANGED in response.get_data(as_text=True)
    finally:
        with database.owner(options="-c default_transaction_read_only=off") as conn:
            conn.execute(f'alter database "{database.name}" reset default_transaction_read_only')
    # each read-only connection met is closed rather than kept (the pool may have opened one more meanwhile): the
    # writes soon reach a writable node again
    answers = [customer_client.post("/customer/vehicles", data=form).status_code for _ in range(3)]
    assert answers[-1] == 302 and set(answers) <= {302, 503}, answers
    assert database.scalar("select count(*) from app.vehicles") == answers.count(302)
