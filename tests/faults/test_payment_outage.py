"""The database goes away in the middle of a payment (issue 22): the card was charged (or declined) at the gateway,
and then PostgreSQL stopped before the app could record the answer. The customer is never told "nothing was
changed": the page says we are confirming the payment, the held time stays theirs, and once reconciliation decides,
My appointments shows the booking or says that nothing was charged."""
from datetime import timedelta

import pytest

import jobs
import payments
from app import create_app
from availability_world import World
from conftest import NOW, log_in, make_customer
from faults.conftest import own_postgres, pg_ctl
from web.test_scheduling import DECLINED, VISA, draft, mechanic, pay, to_review

pytestmark = pytest.mark.slow  # a PostgreSQL of its own, stopped and started


@pytest.fixture
def outage(tmp_path):
    """An app in this process on a PostgreSQL of its own, a customer at the review of a held time, and a gateway
    that stops the database right after it charged (before the app hears the answer, its webhook included)."""
    with own_postgres() as (pg, database):
        database.set_clock(NOW)
        with database.owner() as conn:
            marcus = mechanic(World(conn), "Marcus Chen")
        customer = make_customer(database)
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": database.url, "VAR_DIR": str(tmp_path),
                          "SESSION_COOKIE_SECURE": False})
        client = app.test_client()
        log_in(client, "casey@example.com")
        to_review(client, marcus)
        with app.app_context():
            gateway = payments.gateway()
        deliver = gateway.deliver

        def stop_then_deliver(*event):
            assert pg_ctl(pg, "stop", "-m", "fast").returncode == 0
            deliver(*event)  # fails, as a webhook to an app whose database is away; Stripe would retry it

        gateway.deliver = stop_then_deliver
        try:
            yield pg, database, app, client, customer
        finally:
            from db import close_pool
            close_pool(app)


@pytest.mark.parametrize("card, outcome", [(VISA, "confirmed"), (DECLINED, "not charged")])
def test_a_payment_the_database_did_not_hear_is_confirmed_or_not_charged_never_nothing_changed(outage, card, outcome):
    pg, database, app, client, customer = outage
    response = pay(client, card=card)
    told = response.get_data(as_text=True)
    assert response.status_code == 302 and response.location.endswith("/customer/appointments"), (response.status_code, told)
    assert pg_ctl(pg, "start", "-l", f"{pg.base_dir}/restarted.log").returncode == 0
    page = client.get("/customer/appointments").get_data(as_text=True)
    assert "Nothing was changed" not in page and "we are confirming your payment" in page
    assert database.scalar("select count(*) from app.payments where status = 'pending'") == 1
    hold = draft(database, customer)["hold_id"]
    # the hold is kept past its 15 minutes while the payment has no outcome: nobody else can take the time
    database.set_clock(NOW + timedelta(minutes=20))
    with database.owner() as conn:
        assert conn.execute("select app.release_expired_reservations() as n").fetchone()["n"] == 0
    assert database.scalar("select status from app.slot_reservations where id = %s", [hold]) == "reserved"

    with app.app_context():
        assert jobs.run_job(app, "reconcile_payments") == 1
    status = database.scalar("select status from app.payments")
    page = client.get("/customer/appointments").get_data(as_text=True)
    assert "we are confirming your payment" not in page
    if outcome == "confirmed":
        assert status == "succeeded"
        assert database.scalar("select status from app.slot_reservations where id = %s", [hold]) == "confirmed"
        assert database.scalar("select count(*) from app.sessions where customer_id = %s", [customer]) == 1
        assert "Marcus Chen" in page and "Upcoming" in page
    else:
        assert status == "failed"
        assert database.scalar("select count(*) from app.sessions") == 0
        assert 'data-outcome="not_charged"' in page and "not charged" in page
        with database.owner() as conn:  # decided: the hold lapses as any other
            assert conn.execute("select app.release_expired_reservations() as n").fetchone()["n"] == 1
    assert database.scalar("select count(*) from app.money_audit()") == 0
