"""Payments through the gateway seam (SPEC §9): the offline test gateway and the real Stripe SDK against a
local stand-in for the Stripe API; the webhook (signatures, redelivery, order); reconciliation."""
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest

import db as app_db
import payments
from app import create_app
from availability_world import World, local
from conftest import NOW, PASSWORD_HASH, acting_in, log_in, make_customer, make_staff
from stripe_standin import StripeStandIn

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
VISA = "4242 4242 4242 4242"

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


def make_app(database, tmp_path, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database.url,
                       "VAR_DIR": str(tmp_path), "SESSION_COOKIE_SECURE": False, **config})


@pytest.fixture
def stripe_api():
    with StripeStandIn() as api:
        yield api


@pytest.fixture
def people(database):
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    return make_customer(database), mechanic


def hold(database, customer, mechanic, start=START):
    with database.owner() as conn:
        return conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                            [customer, mechanic, start]).fetchone()["hold_id"]


def book(app, database, customer, mechanic, card=VISA):
    with acting_in(app, database, customer):
        return payments.checkout(customer, kind="scheduled", plan="standard", card=card,
                                 hold_id=hold(database, customer, mechanic), advice_only=True,
                                 concern="The brakes squeal when cold.")


def sign(payload, secret, timestamp=None):
    stamp = int(time.time()) if timestamp is None else timestamp
    return f"t={stamp},v1=" + hmac.new(secret.encode(), f"{stamp}.{payload.decode()}".encode(), hashlib.sha256).hexdigest()


def post_event(client, payload, header):
    return client.post("/webhooks/stripe", data=payload, headers={"Stripe-Signature": header,
                                                                  "Content-Type": "application/json"})


def test_test_gateway_books_and_delivers_its_event_through_the_webhook(app, database, people):
    customer, mechanic = people
    payment = book(app, database, customer, mechanic)
    assert (payment["status"], payment["amount_cents"]) == ("succeeded", 2900)
    assert database.scalar("select status from app.sessions where id = %s", [payment["session_id"]]) == "scheduled"
    assert database.scalar("select count(*) from app.gateway_events where type = 'payment_intent.succeeded'") == 1


def test_declined_card_books_nothing(app, database, people):
    customer, mechanic = people
    payment = book(app, database, customer, mechanic, card="4000 0000 0000 0002")
    assert (payment["status"], payment["failure_code"], payment["session_id"]) == ("failed", "generic_decline", None)
    assert database.scalar("select count(*) from app.sessions") == 0


def test_a_made_up_payment_method_fails_at_once_and_leaves_nothing_to_reconcile(app, database, people):
    customer, mechanic = people
    payment = book(app, database, customer, mechanic, card="pm_made_up_by_someone")
    assert (payment["status"], payment["failure_code"], payment["session_id"]) == ("failed", "resource_missing", None)
    assert "test card" in payment["failure_message"]
    # the hold stays for another card until its own expiry (issue 17); nothing waits for the gateway
    assert database.scalar("select count(*) from app.slot_reservations where status = 'reserved' "
                           "and expires_at > app.app_now()") == 1
    with app.app_context():
        assert payments.reconcile(older_than="0 seconds") == 0


def test_webhook_signatures(app, database, people):
    customer, mechanic = people
    with app.app_context():
        gateway = payments.gateway()
    gateway.deliver = None  # this test delivers by hand
    payment = book(app, database, customer, mechanic)
    intent = gateway.retrieve(payment["intent_id"])
    payload, header = gateway.signed("payment_intent.succeeded", intent)
    client = app.test_client()
    assert post_event(client, payload, "t=1,v1=" + "0" * 64).status_code == 400
    assert post_event(client, payload, sign(payload, "whsec_wrong")).status_code == 400
    assert post_event(client, payload, sign(payload, gateway.webhook_secret, int(time.time()) - 600)).status_code == 400
    assert database.scalar("select count(*) from app.gateway_events") == 0
    answer = post_event(client, payload, header)
    assert answer.status_code == 200 and answer.get_json()["result"] == "applied"
    assert database.scalar("select count(*) from app.gateway_events") == 1


def test_the_same_event_five_times_at_once_has_one_effect(app, database, people):
    customer, mechanic = people
    with acting_in(app, database, customer):
        gateway = payments.gateway()
        gateway.deliver = None
        payment = app_db.call_one("begin_checkout", actor=customer, kind="scheduled", plan="standard",
                                  payment_method="pm_card_visa", hold_id=hold(database, customer, mechanic),
                                  advice_only=True, concern="The brakes squeal when cold.")
    intent = gateway.charge(amount_cents=2900, currency="CAD", payment_method="pm_card_visa",
                            idempotency_key=payment["idempotency_key"], metadata={"payment_id": payment["id"]},
                            description="t")
    payload, header = gateway.signed("payment_intent.succeeded", intent)
    results, barrier = [], threading.Barrier(5)

    def deliver():
        client = app.test_client()
        barrier.wait()
        results.append(post_event(client, payload, header).get_json()["result"])

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["applied"] + ["duplicate"] * 4
    assert database.scalar("select count(*) from app.sessions") == 1
    assert database.scalar("select status from app.payments where id = %s", [payment["id"]]) == "succeeded"


def test_events_in_reverse_order_end_in_the_right_state(database, people, stripe_api, tmp_path):
    customer, mechanic = people
    stripe_app = make_app(database, tmp_path, STRIPE_SECRET_KEY=StripeStandIn.api_key, STRIPE_API_BASE=stripe_api.url,
                          STRIPE_WEBHOOK_SECRET="whsec_standin")
    with acting_in(stripe_app, database, customer):
        payment = payments.checkout(customer, kind="scheduled", plan="standard", card="pm_card_processing",
                                    hold_id=hold(database, customer, mechanic), advice_only=True,
                                    concern="The brakes squeal when cold.")
    assert payment["status"] == "processing"
    intent = dict(stripe_api.intents[payment["intent_id"]])
    stripe_api.set_intent_status(payment["intent_id"], "succeeded")
    succeeded = dict(stripe_api.intents[payment["intent_id"]])
    client = stripe_app.test_client()
    # the success arrives first, the older "processing" after it: re-read from the API, nothing goes back
    for event_id, kind, obj in (("evt_2", "payment_intent.succeeded", succeeded), ("evt_1", "payment_intent.processing", intent)):
        payload = json.dumps({"id": event_id, "object": "event", "type": kind, "data": {"object": obj}}).encode()
        assert post_event(client, payload, sign(payload, "whsec_standin")).status_code == 200
    assert database.scalar("select status from app.payments where id = %s", [payment["id"]]) == "succeeded"
    assert database.scalar("select count(*) from app.sessions") == 1
    app_db.close_pool(stripe_app)


def test_stripe_sdk_path_intent_key_and_refund(database, people, stripe_api, tmp_path):
    customer, mechanic = people
    stripe_app = make_app(database, tmp_path, STRIPE_SECRET_KEY=StripeStandIn.api_key, STRIPE_API_BASE=stripe_api.url,
                          STRIPE_WEBHOOK_SECRET="whsec_standin")
    payment = book(stripe_app, database, customer, mechanic)
    create = [r for r in stripe_api.requests if r["path"] == "/v1/payment_intents" and r["method"] == "POST"]
    assert len(create) == 1
    assert create[0]["idempotency_key"] == payment["idempotency_key"] == f"hold-{payment['reservation_id']}-full-1"
    assert create[0]["params"]["amount"] == "2900" and create[0]["params"]["currency"] == "cad"
    assert create[0]["params"]["metadata"] == {"payment_id": str(payment["id"])}
    assert payment["status"] == "succeeded" and payment["intent_id"] in stripe_api.intents

    with acting_in(stripe_app, database, customer):
        outcome = payments.cancel(customer, payment["session_id"])  # three days ahead: all but the $5 fee
    assert outcome["refund_cents"] == 2400
    refund = [r for r in stripe_api.requests if r["path"] == "/v1/refunds"]
    assert [(r["idempotency_key"], r["params"]["amount"]) for r in refund] == [(f"refund-{payment['id']}-1", "2400")]
    assert database.scalar("select status from app.refunds where payment_id = %s", [payment["id"]]) == "succeeded"
    assert stripe_api.intents[payment["intent_id"]]["amount_refunded"] == 2400

    client = stripe_app.test_client()
    obj = stripe_api.refunds[next(iter(stripe_api.refunds))]
    payload = json.dumps({"id": "evt_refund", "object": "event", "type": "refund.updated", "data": {"object": obj}}).encode()
    assert post_event(client, payload, sign(payload, "whsec_wrong")).status_code == 400
    assert post_event(client, payload, sign(payload, "whsec_standin", int(time.time()) - 301)).status_code == 400
    assert post_event(client, payload, sign(payload, "whsec_standin")).status_code == 200
    assert post_event(client, payload, sign(payload, "whsec_standin")).get_json()["result"] == "duplicate"
    app_db.close_pool(stripe_app)


def test_stripe_sdk_decline_books_nothing(database, people, stripe_api, tmp_path):
    customer, mechanic = people
    stripe_app = make_app(database, tmp_path, STRIPE_SECRET_KEY=StripeStandIn.api_key, STRIPE_API_BASE=stripe_api.url,
                          STRIPE_WEBHOOK_SECRET="whsec_standin")
    payment = book(stripe_app, database, customer, mechanic, card="4000 0000 0000 9995")
    assert (payment["status"], payment["failure_code"]) == ("failed", "insufficient_funds")
    assert database.scalar("select count(*) from app.sessions") == 0
    app_db.close_pool(stripe_app)


@pytest.mark.parametrize("intent_recorded", [True, False])
def test_a_crash_between_charge_and_answer_is_reconciled(database, people, stripe_api, tmp_path, intent_recorded):
    customer, mechanic = people
    stripe_app = make_app(database, tmp_path, STRIPE_SECRET_KEY=StripeStandIn.api_key, STRIPE_API_BASE=stripe_api.url,
                          STRIPE_WEBHOOK_SECRET="whsec_standin")
    with acting_in(stripe_app, database, customer):
        payment = app_db.call_one("begin_checkout", actor=customer, kind="scheduled", plan="standard",
                                  payment_method="pm_card_visa", hold_id=hold(database, customer, mechanic),
                                  advice_only=True, concern="The brakes squeal when cold.")
        intent = payments._charge(payment)  # the money is taken … and the app dies before hearing it
        if intent_recorded:
            database.scalar("update app.payments set intent_id = %s where id = %s returning id", [intent["id"], payment["id"]])
        assert payments.reconcile() == 0  # too recent: the answer may still be on its way
        database.set_clock(NOW + timedelta(minutes=3))
        assert payments.reconcile() == 1
    after = database.scalar("select row_to_json(p) from app.payments p where id = %s", [payment["id"]])
    assert after["status"] == "succeeded" and after["intent_id"] == intent["id"] and after["session_id"]
    assert len(stripe_api.intents) == 1  # the replay with the same key charged nothing twice
    app_db.close_pool(stripe_app)


def test_reconciliation_backs_off_while_the_gateway_is_unreachable(app, database, people):
    customer, mechanic = people
    with acting_in(app, database, customer):
        gateway = payments.gateway()
        payment = app_db.call_one("begin_checkout", actor=customer, kind="scheduled", plan="standard",
                                  payment_method="pm_card_visa", hold_id=hold(database, customer, mechanic),
                                  advice_only=True, concern="The brakes squeal when cold.")

        def unreachable(**_):
            raise payments.GatewayUnavailable("connection refused")
        gateway.charge = unreachable  # the card network is down: the charge never went through
        database.set_clock(NOW + timedelta(minutes=3))
        assert payments.reconcile() == 0
        assert payments.reconcile() == 0  # backing off: not asked again at once
    row = database.scalar("select row_to_json(p) from app.payments p where id = %s", [payment["id"]])
    assert (row["status"], row["reconcile_attempts"], row["last_reconcile_error"]) == (
        "pending", 1, "gateway unavailable: connection refused")
    assert row["next_reconcile_at"].startswith("2026-11-23T14:04:00")


def test_cancel_api_quotes_then_cancels_and_hides_other_peoples_sessions(app, client, database, people):
    customer, mechanic = people
    payment = book(app, database, customer, mechanic)
    session = payment["session_id"]
    make_customer(database, email="stranger@example.com")
    log_in(client, "stranger@example.com")
    token = client.get("/api/me").get_json()["csrf_token"]
    assert client.post(f"/api/appointments/{session}/cancel", json={}, headers={"X-CSRFToken": token}).status_code == 404
    # the customer API is the customer's: the platform admin and the booked mechanic find nothing there either
    make_staff(database, "admin", "ops@example.com")
    mechanic_email = database.scalar("update app.users set password_hash = %s where id = %s returning email",
                                     [PASSWORD_HASH, mechanic])
    for email in ("ops@example.com", mechanic_email):
        client.post("/logout", data={"csrf_token": token})
        log_in(client, email)
        token = client.get("/api/me").get_json()["csrf_token"]
        for body in ({}, {"confirm": True, "reason": "testing"}):
            refused = client.post(f"/api/appointments/{session}/cancel", json=body, headers={"X-CSRFToken": token})
            assert refused.status_code == 404 and refused.get_json()["error"]
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"
    client.post("/logout", data={"csrf_token": token})
    log_in(client, "casey@example.com")
    token = client.get("/api/me").get_json()["csrf_token"]
    quote = client.post(f"/api/appointments/{session}/cancel", json={}, headers={"X-CSRFToken": token})
    assert quote.status_code == 200 and quote.get_json()["refund_cents"] == 2400 and not quote.get_json()["cancelled"]
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"
    bad = client.post(f"/api/appointments/{session}/cancel", json={"confirm": "yes"}, headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    done = client.post(f"/api/appointments/{session}/cancel", json={"confirm": True}, headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["cancelled"] and done.get_json()["platform_cents"] == 500
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert database.scalar("select status from app.refunds where session_id = %s", [session]) == "succeeded"
