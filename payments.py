"""Payments (SPEC §9): one gateway seam with two gateways, and the paths money takes through the app.

The database decides (begin_checkout, apply_payment_intent, cancel_session, pending_refunds …); this module
only talks to the gateway, and always between two database calls, never inside a transaction:

    checkout:   begin_checkout → gateway.charge (idempotency key from the hold or payment) → apply_payment_intent
    refunds:    pending_refunds → gateway.refund (idempotency key per refund) → record_refund
    webhooks:   verify the signature → re-read the object from the gateway → apply_gateway_event (deduplicated)
    reconcile:  payments_to_reconcile → re-read (or replay the charge with its key) → apply_payment_intent

StripeGateway uses the real SDK (PaymentIntents in CAD). Without keys, the offline TestGateway
(offline_gateway.py) stands in: it keeps its intents and refunds in a SQLite file of its own
(VAR_DIR/test-gateway.sqlite3), treats Stripe's test cards as Stripe does, and delivers Stripe-shaped, signed
events through the same webhook handler.
"""
import logging

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


def gateway():
    """This app's gateway: Stripe when STRIPE_SECRET_KEY is set, else the offline test gateway."""
    app = current_app._get_current_object()
    found = app.extensions.get("payment_gateway")
    if found is None:
        if app.config.get("STRIPE_SECRET_KEY"):
            found = StripeGateway(app.config["STRIPE_SECRET_KEY"], app.config.get("STRIPE_WEBHOOK_SECRET"),
                                  app.config.get("STRIPE_API_BASE"))
        else:
            from offline_gateway import TestGateway  # it imports this module's seam: loaded when it is the gateway
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
    try:
        payment = db.call_one("begin_checkout", actor=customer_id, kind=kind, plan=plan,
                              payment_method=payment_method_for(card) if card else None, hold_id=hold_id, **booking)
    except db.Unavailable as failure:
        if failure.changed is False:
            raise  # nothing reached the database: nothing was charged, and the 503 page says so
        # the payment may have been made (pending, not charged yet): reconciliation charges it under its key
        # and books the held time, or fails it; the customer is told we are confirming it, never "nothing changed"
        log.warning("checkout of customer %s: the database went away; reconciliation decides", customer_id)
        return OUTCOME_UNKNOWN
    return _pay(payment)


# what checkout returns when the database went away while it made the payment: undecided, as a pending one
OUTCOME_UNKNOWN = {"id": None, "status": "pending", "session_id": None}


def _pay(payment):
    """Charges what a payment leaves for the card, between two database calls (never inside a transaction)."""
    if payment["status"] == "pending" and payment["amount_cents"] > 0:
        try:
            intent = _charge(payment)
        except GatewayUnavailable:
            log.exception("charging payment %s failed; reconciliation will ask again", payment["id"])
            return payment
        try:
            [payment] = db.call_for_payments("apply_payment_intent", intent=Jsonb(intent), payment=payment["id"])
        except db.Unavailable:
            # charged (or declined) at the gateway, not recorded: reconciliation re-reads it under the payment's key
            log.warning("payment %s: the database went away after the charge; reconciliation decides", payment["id"])
            return payment
    try:
        send_refunds(payment=payment["id"])  # a booking that could not be made gives its money back at once
    except db.Unavailable:
        log.warning("payment %s: refunds not sent now; the send_refunds job sends them", payment["id"])
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
