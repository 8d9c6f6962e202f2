"""The offline test gateway (payments.py's seam without Stripe keys): Stripe's test-card behaviour and
Stripe-shaped objects, kept in a SQLite file of its own (VAR_DIR/test-gateway.sqlite3) as Stripe keeps them outside
the app, and signed events delivered through the app's webhook handler."""
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

from payments import GatewayUnavailable, verify_signature

log = logging.getLogger(__name__)

# what the test gateway answers for Stripe's declining test PaymentMethods (payments.TEST_CARDS)
DECLINES = {
    "pm_card_chargeDeclined": ("card_declined", "generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
}


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
        """Delivers an event to the app's webhook handler. As with Stripe, a delivery that fails (the database
        away) does not fail the charge or refund it tells of: reconciliation learns the outcome later."""
        if self.deliver is not None:
            try:
                self.deliver(*self.signed(event_type, obj))
            except Exception:
                log.exception("the test gateway could not deliver %s", event_type)

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
