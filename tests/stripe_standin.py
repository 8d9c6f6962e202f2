"""A local stand-in for the slice of the Stripe REST API that Auto Doctor uses (PaymentIntents and Refunds),
served on 127.0.0.1 so tests can drive the real stripe-python SDK without any network.

Point the SDK at it with
    stripe.StripeClient(StripeStandIn.api_key, base_addresses={"api": stripe_api.url})
"""
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Stripe's test payment methods, and what confirming a PaymentIntent with each one does.
# `pm_card_processing` is ours: Stripe has no card that stays "processing", but the app must cope with one.
DECLINES = {
    "pm_card_chargeDeclined": ("generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("insufficient_funds", "Your card has insufficient funds."),
}
OUTCOMES = {"pm_card_visa": "succeeded", "pm_card_processing": "processing", **dict.fromkeys(DECLINES, "declined")}
REFUND_REASONS = {"duplicate", "fraudulent", "requested_by_customer"}
IDEMPOTENCY_MISMATCH = ("Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.")


class StripeError(Exception):
    """Raised inside a handler to answer with a Stripe-shaped error body."""

    def __init__(self, status, type_, message, **fields):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": type_, "message": message, **fields}}


def invalid(message, **fields):
    return StripeError(400, "invalid_request_error", message, **fields)


def new_id(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


def positive_int(params, name):
    if name not in params:
        raise invalid(f"Missing required param: {name}.", param=name)
    try:
        value = int(params[name])
    except ValueError:
        raise invalid(f"Invalid integer: {params[name]}", param=name) from None
    if value <= 0:
        raise invalid("This value must be greater than or equal to 1.", param=name)
    return value


def decode_params(pairs):
    """Undo stripe-python's form encoding: metadata[payment_id]=5 -> {"metadata": {"payment_id": "5"}},
    expand[0]=a&expand[1]=b -> {"expand": ["a", "b"]}."""
    params = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        path = [head, *(rest[:-1].split("][") if rest else [])]
        node = params
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _indexed_to_lists(params)


def _indexed_to_lists(node):
    if not isinstance(node, dict):
        return node
    node = {key: _indexed_to_lists(value) for key, value in node.items()}
    if node and all(key.isdigit() for key in node):
        return [node[key] for key in sorted(node, key=int)]
    return node


class StripeStandIn:
    """A local stand-in for the part of the Stripe API the app uses, on 127.0.0.1 (ThreadingHTTPServer in a
    daemon thread). Inspect `requests`, `intents` and `refunds` to see what the app did."""
    api_key = "sk_test_standin"

    def __init__(self):
        self.url = None
        self.requests = []  # {"method", "path", "idempotency_key", "params"} for every request received
        self.intents = {}
        self.refunds = {}
        self._saved = {}  # idempotency key -> (what was asked, status, response body bytes)
        self._lock = threading.Lock()
        self._server = self._thread = None

    def start(self):
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = _Server(("127.0.0.1", 0), handler)  # port 0: the OS picks a free one
        # a short poll interval: stop() waits up to one interval for the loop to notice
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="stripe-standin", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self.url

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = self._thread = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def set_intent_status(self, intent_id, status):
        """Move an intent on, as Stripe would asynchronously (e.g. "processing" -> "succeeded")."""
        with self._lock:
            intent = self.intents[intent_id]
            intent["status"] = status
            intent["amount_received"] = intent["amount"] if status == "succeeded" else 0
            if status == "succeeded" and not intent["latest_charge"]:
                intent["latest_charge"] = new_id("ch")
            return intent

    def handle(self, method, target, headers, body):
        """Answer one request: returns (status, JSON body bytes, extra headers)."""
        url = urlsplit(target)
        params = decode_params(parse_qsl(body if method == "POST" else url.query, keep_blank_values=True))
        key = headers.get("Idempotency-Key")
        # One lock around everything: requests are tiny, and it makes concurrent same-key requests replay
        # rather than both create.
        with self._lock:
            self.requests.append({"method": method, "path": url.path, "idempotency_key": key, "params": params})
            if headers.get("Authorization") != f"Bearer {self.api_key}":
                return 401, _json({"error": {"type": "invalid_request_error",
                                             "message": "Invalid API Key provided"}}), {}
            asked = (url.path, params)
            if method == "POST" and key in self._saved:
                saved_asked, status, saved_body = self._saved[key]
                if saved_asked != asked:
                    return 400, _json({"error": {"type": "idempotency_error", "message": IDEMPOTENCY_MISMATCH}}), {}
                return status, saved_body, {"Idempotent-Replayed": "true"}
            try:
                status, result = self._route(method, url.path, params)
            except StripeError as error:
                status, result = error.status, error.body
            except Exception as exc:  # a bug in the stand-in: say so in the answer rather than drop the connection
                return 500, _json({"error": {"type": "api_error", "message": f"stand-in bug: {exc!r}"}}), \
                    {"Stripe-Should-Retry": "false"}
            # Serialised now, under the lock, so a replay returns exactly this even after the objects change.
            payload = _json(result)
            # Like Stripe, save only requests that ran (a result or a card decline), not ones refused as invalid.
            if method == "POST" and key and (status < 400 or status == 402):
                self._saved[key] = (asked, status, payload)
            return status, payload, {}

    def _route(self, method, path, params):
        match = re.fullmatch(r"/v1/(payment_intents|refunds)(?:/([^/]+))?", path)
        if match and method == "POST" and not match[2]:
            create = self._create_intent if match[1] == "payment_intents" else self._create_refund
            return 200, create(params)
        if match and method == "GET" and match[2]:
            is_intent = match[1] == "payment_intents"
            store, kind = (self.intents, "payment_intent") if is_intent else (self.refunds, "refund")
            if match[2] not in store:
                raise StripeError(404, "invalid_request_error", f"No such {kind}: '{match[2]}'",
                                  code="resource_missing", param="id")
            return 200, store[match[2]]
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _create_intent(self, params):
        amount = positive_int(params, "amount")
        if not params.get("currency"):
            raise invalid("Missing required param: currency.", param="currency")
        method = params.get("payment_method")
        if method not in OUTCOMES:
            raise invalid(f"No such PaymentMethod: '{method}'", code="resource_missing", param="payment_method")
        intent_id = new_id("pi")
        outcome = OUTCOMES[method] if params.get("confirm") == "true" else "requires_confirmation"
        succeeded = outcome == "succeeded"
        intent = {
            "id": intent_id, "object": "payment_intent", "amount": amount,
            "amount_received": amount if succeeded else 0, "amount_refunded": 0,
            "currency": params["currency"].lower(),
            "status": "requires_payment_method" if outcome == "declined" else outcome,
            "metadata": dict(params.get("metadata") or {}), "description": params.get("description"),
            "payment_method": method, "customer": params.get("customer"),
            "latest_charge": new_id("ch") if succeeded else None, "last_payment_error": None,
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(12)}",
            "created": int(time.time()), "livemode": False,
        }
        self.intents[intent_id] = intent
        if outcome == "declined":  # Stripe keeps the declined intent and hands it back inside the error
            decline_code, message = DECLINES[method]
            error = StripeError(402, "card_error", message, code="card_declined", decline_code=decline_code)
            intent["last_payment_error"] = dict(error.body["error"])
            error.body["error"]["payment_intent"] = intent
            raise error
        return intent

    def _create_refund(self, params):
        intent = self.intents.get(params.get("payment_intent"))
        if intent is None:
            raise invalid(f"No such payment_intent: '{params.get('payment_intent')}'",
                          code="resource_missing", param="payment_intent")
        if intent["status"] != "succeeded":
            raise invalid(f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                          param="payment_intent")
        remaining = intent["amount_received"] - intent["amount_refunded"]
        if remaining <= 0:
            raise invalid(f"Charge {intent['latest_charge']} has already been refunded.",
                          code="charge_already_refunded")
        amount = positive_int(params, "amount") if "amount" in params else remaining
        if amount > remaining:
            raise invalid(f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining}).",
                          param="amount")
        if params.get("reason") not in REFUND_REASONS | {None}:
            raise invalid(f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}", param="reason")
        refund = {
            "id": new_id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
            "payment_intent": intent["id"], "charge": intent["latest_charge"], "status": "succeeded",
            "reason": params.get("reason"), "metadata": dict(params.get("metadata") or {}),
            "created": int(time.time()),
        }
        intent["amount_refunded"] += amount
        self.refunds[refund["id"]] = refund
        return refund


def _json(body):
    return json.dumps(body).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default listen backlog of 5 resets connections when tests pay in parallel


class _Handler(BaseHTTPRequestHandler):
    standin: StripeStandIn  # set on the subclass made in StripeStandIn.start

    def do_GET(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        status, payload, extra_headers = self.standin.handle(self.command, self.path, self.headers, body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", new_id("req"))
        for name, value in extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_POST = do_DELETE = do_GET

    def log_message(self, format, *args):  # quiet: no access log on the tests' stderr
        pass
