"""The offline test gateway remembers (issue 19): like Stripe it lives outside the app, in a SQLite file under the
app's VAR_DIR, so a charge made before a restart is retrieved, reconciled and refunded after it, an idempotency
key gives one intent whichever process asks, and processes charging at once lose nothing."""
import json
import select
import subprocess
import sys
import time
from datetime import timedelta

import pytest

import db as app_db
import jobs
import offline_gateway
import payments
from app import create_app
from availability_world import World, local
from conftest import NOW, ROOT, acting_in, make_customer

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
PROCESSES, CHARGES = 4, 40  # each process: CHARGES under keys of its own and CHARGES under keys they all use

# one process of the race: opens the gateway, says so, waits for the start, charges, prints the intent of each key
CHARGER = """
import json, sys
import offline_gateway
gateway = offline_gateway.TestGateway(path=sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
answers = {}
for n in range(int(sys.argv[3])):
    for key in (f"{sys.argv[2]}-{n}", f"shared-{n}"):
        answers[key] = gateway.charge(amount_cents=2900, currency="CAD", payment_method="pm_card_visa",
                                      idempotency_key=key, metadata={"payment_id": n}, description="race")["id"]
print(json.dumps(answers), flush=True)
"""


def charge(gateway, key, payment_method="pm_card_visa"):
    return gateway.charge(amount_cents=2900, currency="CAD", payment_method=payment_method, idempotency_key=key,
                          metadata={"payment_id": 7}, description="Auto Doctor standard (full)")


def refund(gateway, intent, cents, key):
    return gateway.refund(intent_id=intent["id"], amount_cents=cents, idempotency_key=key,
                          metadata={"refund_id": 1, "reason": "customer_cancelled"})


def test_a_gateway_opened_again_on_the_file_retrieves_and_refunds_what_the_first_charged(tmp_path):
    path = tmp_path / offline_gateway.TestGateway.FILE
    first = offline_gateway.TestGateway(path=path)
    paid, declined = charge(first, "hold-1-full-1"), charge(first, "hold-2-full-1", "pm_card_chargeDeclined")
    del first  # the process ends

    second = offline_gateway.TestGateway(path=path)
    assert second.retrieve(paid["id"]) == paid and second.retrieve(declined["id"]) == declined
    assert charge(second, "hold-1-full-1") == paid  # the key still gives the first answer
    back = refund(second, paid, 2400, "refund-1-1")
    third = offline_gateway.TestGateway(path=path)
    assert third.retrieve_refund(back["id"]) == back and refund(third, paid, 2400, "refund-1-1") == back
    with pytest.raises(payments.GatewayUnavailable):
        refund(third, paid, 501, "refund-1-2")  # more than is left of the charge, whoever asks
    assert refund(third, paid, 500, "refund-1-2")["amount"] == 500
    with pytest.raises(payments.GatewayUnavailable):
        third.retrieve("pi_test_never_made")
    assert list(third.intents) == [paid["id"], declined["id"]] and len(third.refunds) == 2
    # one signing secret for the file: an event one process signs verifies in another
    assert third.event(*second.signed("payment_intent.succeeded", paid))["data"]["object"] == paid
    # without a path a gateway keeps to itself (tests build one each)
    alone = offline_gateway.TestGateway()
    charge(alone, "hold-1-full-1")
    assert len(alone.intents) == 1 and not offline_gateway.TestGateway().intents


def test_the_same_key_from_two_gateways_on_one_file_gives_one_intent(tmp_path):
    one, two = (offline_gateway.TestGateway(path=tmp_path / offline_gateway.TestGateway.FILE) for _ in range(2))
    intent = charge(one, "hold-3-full-1")
    assert charge(two, "hold-3-full-1") == intent and charge(one, "hold-3-full-1") == intent
    assert list(two.intents) == [intent["id"]]


@pytest.mark.slow
def test_processes_charging_at_once_lose_nothing_and_share_their_keys(tmp_path):
    path = tmp_path / offline_gateway.TestGateway.FILE
    racers = [subprocess.Popen([sys.executable, "-c", CHARGER, str(path), f"own{n}", str(CHARGES)], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE) for n in range(PROCESSES)]
    try:
        deadline = time.monotonic() + 60
        for racer in racers:
            assert select.select([racer.stdout], [], [], max(0, deadline - time.monotonic()))[0], "a racer never started"
            assert racer.stdout.readline().strip() == "ready"
        for racer in racers:  # all of them open, then off together
            racer.stdin.write("go\n")
            racer.stdin.flush()
        answers = [json.loads(racer.communicate(timeout=max(1, deadline - time.monotonic()))[0]) for racer in racers]
    finally:
        for racer in racers:
            racer.kill()
            racer.wait()
    assert [racer.returncode for racer in racers] == [0] * PROCESSES

    intents = offline_gateway.TestGateway(path=path).intents
    assert len(intents) == PROCESSES * CHARGES + CHARGES  # each key charged once, none lost
    shared = [{key: intent for key, intent in answer.items() if key.startswith("shared-")} for answer in answers]
    assert all(each == shared[0] for each in shared)  # every process was given the same intent for a shared key
    assert {intent for answer in answers for intent in answer.values()} == set(intents)


def make_app(database, var_dir):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database.url,
                       "VAR_DIR": str(var_dir), "SESSION_COOKIE_SECURE": False})


@pytest.mark.slow
@pytest.mark.usefixtures("money_audit_stays_empty")
def test_after_a_restart_the_app_reconciles_and_refunds_a_charge_made_before_it(database, tmp_path):
    database.set_clock(NOW)
    with database.owner() as conn:
        mechanic = World(conn).mechanic(blocks=ALL_DAY, min_notice_minutes=0)
        customer = make_customer(database)
        hold_id = conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                               [customer, mechanic, START]).fetchone()["hold_id"]
    before = make_app(database, tmp_path)
    with acting_in(before, database, customer):
        payment = app_db.call_one("begin_checkout", actor=customer, kind="scheduled", plan="standard",
                                  payment_method="pm_card_visa", hold_id=hold_id, advice_only=True,
                                  concern="The brakes squeal when cold.")
        payments.gateway().deliver = None  # the webhook is lost …
        intent = payments._charge(payment)  # … and the process dies before it hears the answer
    app_db.close_pool(before)
    assert (tmp_path / offline_gateway.TestGateway.FILE).exists()

    after = make_app(database, tmp_path)  # started again: a new gateway, on the same file
    database.set_clock(NOW + timedelta(minutes=3))
    with acting_in(after, database, customer):
        assert payments.reconcile() == 1  # the key asked again gives the charge made before the restart
        paid = app_db.call_one("cancel_session", actor=customer, session=database.scalar(
            "select session_id from app.payments where id = %s", [payment["id"]]), reason=None, expected_tier=None)
    assert paid["refund_cents"] == 2400
    assert database.scalar("select row(status, intent_id)::text from app.payments where id = %s",
                           [payment["id"]]) == f"(succeeded,{intent['id']})"
    assert database.scalar("select status from app.refunds where payment_id = %s", [payment["id"]]) == "pending"
    assert jobs.run_job(after, "send_refunds") == 1
    assert database.scalar("select status from app.refunds where payment_id = %s", [payment["id"]]) == "succeeded"
    with after.app_context():
        gateway = payments.gateway()
    assert list(gateway.intents) == [intent["id"]]
    assert [(r["payment_intent"], r["amount"]) for r in gateway.refunds.values()] == [(intent["id"], 2400)]
    app_db.close_pool(after)
