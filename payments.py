"""Payments (SPEC §9): one gateway seam with two gateways, and the paths money takes through the app.

The database decides (begin_checkout, apply_payment_intent, cancel_session, pending_refunds …); this module
only talks to the gateway, and always between two database calls, never inside a transaction:

    checkout:   begin_checkout → gateway.charge (idempotency key from the hold or payment) → apply_payment_intent
    refunds:    pending_refunds → gateway.refund (idempotency key per refund) → record_refund
    webhooks:   verify the signature → re-read the object from the gateway → apply_gateway_event (deduplicated)
    reconcile:  payments_to_reconcile → re-read (or replay the charge with its key) → apply_payment_intent

StripeGateway uses the real SDK (PaymentIntents in CAD). Without keys, TestGateway stands in: it keeps its
intents and refunds in a SQLite file of its own (VAR_DIR/test-gateway.sqlite3), treats Stripe's test cards as
Stripe does, and delivers Stripe-shaped, signed events through the same webhook handler.
"""
import hashlib
import hmac
import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import stripe
from flask import current_app
from psycopg.types.json import Jsonb

import db

log = logging.getLogger(__name__)

# Stripe's test card numbers and the test PaymentMethods that behave like them (valid in Stripe test mode too)
TEST_CARDS = {
    "4242424242424242": "pm_card_visa",
    "4000000000000002": "pm_card_chargeDeclined",
    "4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
}
DECLINES = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
}


class InvalidWebhook(Exception):
    """A webhook whose signature is missing, wrong or too old."""


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed; nothing is decided, reconciliation will ask again."""


def payment_method_for(card):
    """The gateway's payment method for what the customer entered: a test card number or a pm_… token.
    None when it is neither (the form says so)."""
    text = "".join((card or "").split()).replace("-", "")
    if text in TEST_CARDS:
        return TEST_CARDS[text]
    if text.startswith("pm_") and text[3:].replace("_", "").isalnum() and len(text) <= 100:
        return text
    return None


def verify_signature(payload, header, secret, tolerance=300):
    """The event in a signed payload, as Stripe signs it (the same check for both gateways)."""
    try:
        return stripe.Webhook.construct_event(payload, header, secret, tolerance=tolerance).to_dict(for_json=True)
    except (stripe.SignatureVerificationError, ValueError) as failure:
        raise InvalidWebhook(str(failure)) from failure


class StripeGateway:
    def __init__(self, api_key, webhook_secret, api_base=None):
        self.client = stripe.StripeClient(api_key, base_addresses={"api": api_base} if api_base else {})
        self.webhook_secret = webhook_secret

    def charge(self, *, amount_cents, currency, payment_method, idempotency_key, metadata, description):
        params = {"amount": amount_cents, "currency": currency.lower(), "payment_method": payment_method,
                  "payment_method_types": ["card"], "confirm": True, "metadata": metadata, "description": description}
        try:
            return self._plain(self.client.v1.payment_intents.create(params, {"idempotency_key": idempotency_key}))
        except stripe.CardError as declined:
            return declined.json_body["error"]["payment_intent"]
        except stripe.StripeError as failure:
            raise GatewayUnavailable(str(failure)) from failure

    def retrieve(self, intent_id):
        try:
            return self._plain(self.client.v1.payment_intents.retrieve(intent_id))
        except stripe.StripeError as failure:
            raise GatewayUnavailable(str(failure)) from failure

    def retrieve_refund(self, refund_id):
        try:
            return self._plain(self.client.v1.refunds.retrieve(refund_id))
        except stripe.StripeError as failure:
            raise GatewayUnavailable(str(failure)) from failure

    def refund(self, *, intent_id, amount_cents, idempotency_key, metadata):
        params = {"payment_intent": intent_id, "amount": amount_cents, "metadata": metadata,
                  "reason": "requested_by_customer"}
        try:
            return self._plain(self.client.v1.refunds.create(params, {"idempotency_key": idempotency_key}))
        except stripe.StripeError as failure:
            raise GatewayUnavailable(str(failure)) from failure

    def event(self, payload, header):
        return verify_signature(payload, header, self.webhook_secret)

    @staticmethod
    def _plain(stripe_object):
        return stripe_object.to_dict(for_json=True)


class TestGateway:
    """The offline gateway: Stripe's test-card behaviour, Stripe-shaped objects, signed events delivered to
    `deliver(payload, signature_header)` (the app's webhook handler) right after each change.

    It plays a service outside the app, so what it holds (intents, refunds, the answers given under each
    idempotency key, its webhook signing secret) lives in the SQLite file at `path`, not in the app's database:
    a restart forgets nothing, restoring the database does not restore "Stripe", and every process on the machine
    shares it. Each change is one IMMEDIATE transaction (the write lock first, waiting out another process's), so
    processes charging at once lose nothing and a key gives the same answer wherever it is asked again. Without a
    path it keeps them in memory for this object alone (tests, and a demo seeded without an app)."""

    FILE = "test-gateway.sqlite3"  # the app's, in its VAR_DIR
    BUSY_SECONDS = 30  # how long a change waits for another process's to finish
    SCHEMA = (
        "create table if not exists settings (name text primary key, value text not null)",
        "create table if not exists intents (id text primary key, body text not null)",
        "create table if not exists refunds (id text primary key, payment_intent text not null, "
        "amount integer not null, body text not null)",
        "create index if not exists refunds_payment_intent on refunds (payment_intent)",
        "create table if not exists replies (idempotency_key text primary key, object_id text not null)",
    )

    def __init__(self, deliver=None, path=None):
        self.deliver = deliver
        self.path = None if path is None else Path(path)
        self._lock = threading.Lock()
        self._conn, self._pid = None, None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._store(write=True) as store:
            for statement in self.SCHEMA:
                store.execute(statement)
            store.execute("insert or ignore into settings (name, value) values ('webhook_secret', ?)",
                          ["whsec_" + secrets.token_hex(16)])
            self.webhook_secret = store.execute("select value from settings where name = 'webhook_secret'").fetchone()[0]

    @classmethod
    def of(cls, app, deliver=None):
        """The test gateway of an app: its file in the app's VAR_DIR."""
        return cls(deliver=deliver, path=Path(app.config["VAR_DIR"]) / cls.FILE)

    def charge(self, *, amount_cents, currency, payment_method, idempotency_key, metadata, description):
        with self._store(write=True) as store:
            replied = self._reply(store, "intents", idempotency_key)
            if replied is not None:
                return replied
            intent = {"id": "pi_test_" + secrets.token_hex(10), "object": "payment_intent", "amount": amount_cents,
                      "currency": currency.lower(), "metadata": {k: str(v) for k, v in metadata.items()},
                      "description": description, "payment_method": payment_method, "created": int(time.time()),
                      "livemode": False, "amount_received": 0, "last_payment_error": None, "latest_charge": None}
            if payment_method == "pm_card_visa":
                intent.update(status="succeeded", amount_received=amount_cents, latest_charge="ch_test_" + secrets.token_hex(10))
            else:
                # a method it does not know is refused at once, as a declined card: never left pending, so that
                # made-up methods cannot fill reconciliation's queue
                code, decline_code, message = DECLINES.get(payment_method, (
                    "resource_missing", None, "That card is not one the test gateway knows. Use a test card number."))
                intent.update(status="requires_payment_method", last_payment_error={
                    "type": "card_error", "code": code, "decline_code": decline_code, "message": message})
            store.execute("insert into intents (id, body) values (?, ?)", [intent["id"], json.dumps(intent)])
            store.execute("insert into replies (idempotency_key, object_id) values (?, ?)", [idempotency_key, intent["id"]])
        self._send("payment_intent.succeeded" if intent["status"] == "succeeded" else "payment_intent.payment_failed", intent)
        return intent

    def retrieve(self, intent_id):
        with self._store() as store:
            return self._found(store, "intents", intent_id, "payment_intent")

    def retrieve_refund(self, refund_id):
        with self._store() as store:
            return self._found(store, "refunds", refund_id, "refund")

    def refund(self, *, intent_id, amount_cents, idempotency_key, metadata):
        with self._store(write=True) as store:
            replied = self._reply(store, "refunds", idempotency_key)
            if replied is not None:
                return replied
            row = store.execute("select body from intents where id = ?", [intent_id]).fetchone()
            intent = json.loads(row[0]) if row else None
            [refunded] = store.execute("select coalesce(sum(amount), 0) from refunds where payment_intent = ?",
                                       [intent_id]).fetchone()
            if intent is None or intent["status"] != "succeeded" or refunded + amount_cents > intent["amount"]:
                raise GatewayUnavailable(f"refund of {amount_cents} on {intent_id} refused")
            refund = {"id": "re_test_" + secrets.token_hex(10), "object": "refund", "amount": amount_cents,
                      "currency": intent["currency"], "payment_intent": intent_id, "status": "succeeded",
                      "metadata": {k: str(v) for k, v in metadata.items()}, "created": int(time.time())}
            store.execute("insert into refunds (id, payment_intent, amount, body) values (?, ?, ?, ?)",
                          [refund["id"], intent_id, amount_cents, json.dumps(refund)])
            store.execute("insert into replies (idempotency_key, object_id) values (?, ?)", [idempotency_key, refund["id"]])
        self._send("refund.created", refund)
        return refund

    @property
    def intents(self):
        """Every intent it holds, by id (a copy)."""
        return self._every("intents")

    @property
    def refunds(self):
        """Every refund it holds, by id (a copy)."""
        return self._every("refunds")

    def event(self, payload, header):
        return verify_signature(payload, header, self.webhook_secret)

    def signed(self, event_type, obj, timestamp=None):
        """A Stripe-shaped event for obj and its Stripe-Signature header."""
        payload = json.dumps({"id": "evt_test_" + secrets.token_hex(10), "object": "event", "type": event_type,
                              "created": int(time.time()), "data": {"object": obj}})
        stamp = int(time.time()) if timestamp is None else timestamp
        signature = hmac.new(self.webhook_secret.encode(), f"{stamp}.{payload}".encode(), hashlib.sha256).hexdigest()
        return payload.encode(), f"t={stamp},v1={signature}"

    def _send(self, event_type, obj):
        if self.deliver is not None:
            self.deliver(*self.signed(event_type, obj))

    @contextmanager
    def _store(self, write=False):
        """This process's connection to the store, one thread at a time; with write, inside an IMMEDIATE
        transaction committed at the end (rolled back on an exception). A store that fails is a gateway that
        failed: GatewayUnavailable."""
        with self._lock:
            try:
                store = self._connection()
                if write:
                    store.execute("begin immediate")
                try:
                    yield store
                except BaseException:
                    if store.in_transaction:
                        store.execute("rollback")
                    raise
                if store.in_transaction:
                    store.execute("commit")
            except sqlite3.Error as failure:
                raise GatewayUnavailable(f"the test gateway's store failed: {failure}") from failure

    def _connection(self):
        # a connection is never used across a fork: a child process opens its own
        if self._conn is None or (self.path is not None and self._pid != os.getpid()):
            self._conn = sqlite3.connect(":memory:" if self.path is None else self.path, timeout=self.BUSY_SECONDS,
                                         isolation_level=None, check_same_thread=False)
            if self.path is not None:
                self._conn.execute("pragma journal_mode = wal")  # readers do not wait for a writer
            self._pid = os.getpid()
        return self._conn

    @staticmethod
    def _found(store, table, object_id, kind):
        row = store.execute(f"select body from {table} where id = ?", [object_id]).fetchone()
        if row is None:
            raise GatewayUnavailable(f"No such {kind}: {object_id}")
        return json.loads(row[0])

    @staticmethod
    def _reply(store, table, idempotency_key):
        """The answer already given under idempotency_key (None when it is new)."""
        row = store.execute("select object_id from replies where idempotency_key = ?", [idempotency_key]).fetchone()
        if row is None:
            return None
        answer = store.execute(f"select body from {table} where id = ?", [row[0]]).fetchone()
        if answer is None:
            raise GatewayUnavailable(f"the idempotency key {idempotency_key} was used for another request")
        return json.loads(answer[0])

    def _every(self, table):
        with self._store() as store:
            return {object_id: json.loads(body) for object_id, body in store.execute(f"select id, body from {table} order by rowid")}


def gateway():
    """This app's gateway: Stripe when STRIPE_SECRET_KEY is set, else the offline test gateway."""
    app = current_app._get_current_object()
    found = app.extensions.get("payment_gateway")
    if found is None:
        if app.config.get("STRIPE_SECRET_KEY"):
            found = StripeGateway(app.config["STRIPE_SECRET_KEY"], app.config.get("STRIPE_WEBHOOK_SECRET"),
                                  app.config.get("STRIPE_API_BASE"))
        else:
            found = TestGateway.of(app, deliver=handle_webhook)
        app.extensions["payment_gateway"] = found
    return found


def _charge(payment):
    return gateway().charge(
        amount_cents=payment["amount_cents"], currency=payment["currency"], payment_method=payment["payment_method"],
        idempotency_key=payment["idempotency_key"], metadata={"payment_id": payment["id"]},
        description=f"Auto Doctor {payment['plan_code']} ({payment['kind']})")


def checkout(customer_id, *, kind, plan, card=None, hold_id=None, **booking):
    """Pays for a booking: the session exists when this returns a succeeded payment. A decline returns the
    failed payment (a hold stays until it expires, to pay again with another card); an unreachable gateway
    leaves it pending for reconciliation."""
    return _pay(db.call_one("begin_checkout", actor=customer_id, kind=kind, plan=plan,
                            payment_method=payment_method_for(card) if card else None, hold_id=hold_id, **booking))


def _pay(payment):
    """Charges what a payment leaves for the card, between two database calls (never inside a transaction)."""
    if payment["status"] == "pending" and payment["amount_cents"] > 0:
        try:
            intent = _charge(payment)
        except GatewayUnavailable:
            log.exception("charging payment %s failed; reconciliation will ask again", payment["id"])
            return payment
        [payment] = db.call_for_payments("apply_payment_intent", intent=Jsonb(intent), payment=payment["id"])
    send_refunds(payment=payment["id"])  # a booking that could not be made gives its money back at once
    return payment


def charge_balance(actor_id, session_id):
    """Charges the balance of a completed in-person visit (SPEC §9): account credit first, the rest on the card
    that paid the deposit. A repeated call finds the attempt under way; after a decline it makes a new one.
    Returns the payment: succeeded, failed (with the card's answer) or still pending."""
    return _pay(db.call_one("begin_balance_payment", actor=actor_id, session=session_id))


def cancel(actor_id, session_id, reason=None, expected_tier=None):
    """Cancels a session under SPEC §9 (refused with UC005 if its tier is no longer expected_tier) and sends
    the refunds it decided."""
    outcome = db.call_one("cancel_session", actor=actor_id, session=session_id, reason=reason,
                          expected_tier=expected_tier)
    send_refunds(session=session_id)
    return outcome


def send_refunds(session=None, payment=None, limit=100):
    """Sends the refunds that are due to the gateway, each under its own idempotency key: a request sends those of
    its session or payment, the send_refunds job all of them. One not sent (the gateway unreachable or refusing
    it) or still pending at the gateway is tried again after a growing back-off, and one never sent is failed
    after refund_attempts_limit() attempts (note_refund_attempt). Returns how many were sent."""
    sent = 0
    for refund in db.call_for_payments("pending_refunds", limit=limit, session=session, payment=payment):
        try:
            answer = gateway().refund(intent_id=refund["intent_id"], amount_cents=refund["amount_cents"],
                                      idempotency_key=refund["idempotency_key"],
                                      metadata={"refund_id": refund["refund_id"], "reason": refund["reason"]})
        except GatewayUnavailable as failure:
            log.warning("refund %s not sent (%s); it is tried again after a back-off", refund["refund_id"], failure)
            db.call_for_payments("note_refund_attempt", refund=refund["refund_id"], error=f"not sent: {failure}")
            continue
        [now] = db.call_for_payments("record_refund", refund=refund["refund_id"], gateway_refund=Jsonb(answer))
        if now["status"] == "pending":  # the gateway holds it undecided: asked again later
            db.call_for_payments("note_refund_attempt", refund=refund["refund_id"],
                                 error=f"the gateway says {answer.get('status')}")
            continue
        sent += 1
    return sent


def handle_webhook(payload, signature_header):
    """Applies a signed gateway event once: verified, the object re-read from the gateway (so the order of
    events does not matter), then applied and recorded in one transaction. Raises InvalidWebhook."""
    event = gateway().event(payload, signature_header)
    obj = event.get("data", {}).get("object") or {}
    if obj.get("object") == "payment_intent":
        obj = gateway().retrieve(obj["id"])
    elif obj.get("object") == "refund":
        obj = gateway().retrieve_refund(obj["id"])
    [result] = db.call_for_payments("apply_gateway_event", event_id=event["id"], type=event.get("type", ""),
                                    object=Jsonb(obj))
    result = result["apply_gateway_event"]
    payment = str((obj.get("metadata") or {}).get("payment_id", ""))
    if obj.get("object") == "payment_intent" and payment.isdigit():
        send_refunds(payment=int(payment))  # a payment that came too late for its booking goes back at once
    return result


def reconcile(older_than="2 minutes"):
    """Finds card payments whose outcome never arrived (a crash between the charge and its answer, a lost
    webhook) and applies what the gateway says now; one still without an answer is asked again after a growing
    back-off, and given up on after a day (note_reconcile_attempt). A payment whose intent id was never recorded is asked
    for again with its idempotency key, which returns the first charge instead of making a second."""
    applied = 0
    for payment in db.call_for_payments("payments_to_reconcile", older_than=older_than):
        try:
            intent = gateway().retrieve(payment["intent_id"]) if payment["intent_id"] else _charge(payment)
        except GatewayUnavailable as failure:
            log.exception("reconciling payment %s failed; it is asked again after a back-off", payment["id"])
            db.call_for_payments("note_reconcile_attempt", payment=payment["id"], error=f"gateway unavailable: {failure}")
            continue
        [now] = db.call_for_payments("apply_payment_intent", intent=Jsonb(intent), payment=payment["id"])
        if now["status"] in ("pending", "processing"):  # still undecided: asked again later, and not for ever
            db.call_for_payments("note_reconcile_attempt", payment=payment["id"],
                                 error=f"the gateway says {intent.get('status')}")
        send_refunds(payment=payment["id"])
        applied += 1
    return applied
