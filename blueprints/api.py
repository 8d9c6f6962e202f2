"""The JSON API (SPEC §19): the same log-in and roles as the pages, times in ISO 8601 (UTC out, with 'Z'),
errors as {"error": {"code", "message"}} (with "reason" when the database refused: the code of db.Coded).
State-changing calls need the CSRF token (GET /api/me gives it) in the X-CSRFToken header."""
from datetime import date, datetime, timezone
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, request
from flask_wtf.csrf import generate_csrf

import db
import errors
import payments
from blueprints import customer

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).resolve().parent.parent / "static" / "openapi.json"
PUBLIC_ENDPOINTS = {"api.plans", "api.openapi"}
ERROR_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               409: "conflict", 413: "too_large", 422: "refused", 429: "too_many_requests", 500: "server_error",
               503: "unavailable"}


class BadParameter(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


def error_body(status, message, field=None):
    error = {"code": ERROR_CODES.get(status, "error"), "message": message}
    if field:
        error["field"] = field
    if getattr(message, "code", None):
        error["reason"] = message.code
    return {"error": error}


def error_response(status, message, field=None):
    return jsonify(error_body(status, message, field)), status


@bp.before_request
def require_login():
    """Who is calling comes before the CSRF token (app.py exempts this blueprint from the check that would
    otherwise run first): a logged-out call is a 401, whatever token it carries."""
    if request.endpoint not in PUBLIC_ENDPOINTS and g.user is None:
        return error_response(401, "Log in first.")
    if current_app.config["WTF_CSRF_ENABLED"]:
        current_app.extensions["csrf"].protect()


@bp.errorhandler(BadParameter)
def bad_parameter(error):
    return error_response(400, error.message, error.field)


@bp.errorhandler(db.Refusal)
def refused(refusal):
    return error_response(refusal.status, refusal.message, refusal.field)


def utc(moment):
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _text(name, default=None, choices=None):
    value = request.args.get(name, default)
    if value is not None and choices is not None and value not in choices:
        raise BadParameter(name, f"{name} must be one of {', '.join(choices)}.")
    return value


def _date(name):
    value = request.args.get(name)
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadParameter(name, f"{name} must be a date such as 2026-12-01.") from None


def _instant(name, value):
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadParameter(name, f"{name} must be an ISO 8601 time with its offset, such as 2026-12-01T14:00:00Z.")
    return moment


def _body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadParameter(None, "Send a JSON object.")
    return body


JSON_TYPES = {str: "text", bool: "true or false", int: "a whole number"}


def _field(body, name, kind, default=None):
    """A field of a JSON body: left out, it is the default; sent, it must be of its JSON type (null is not text,
    a number or true/false, and true is not a number)."""
    if name not in body:
        return default
    value = body[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise BadParameter(name, f"{name} must be {JSON_TYPES[kind]}" + (", not null." if value is None else "."))
    return value


def _require(role):
    if g.user["role"] != role:
        raise db.Refusal(errors.CODES["UP001"], 403, code="UP001")


def _customer_id():
    return g.user["id"] if g.user["role"] == "customer" else None


@bp.get("/openapi.json")
def openapi():
    return current_app.response_class(OPENAPI.read_text(), mimetype="application/json")


@bp.get("/plans")
def plans():
    return jsonify(plans=db.call("list_plans"))


@bp.get("/mechanics")
def mechanics():
    rows = db.call("list_mechanics", service_type=_text("service_type", choices=("online", "in_person")),
                   request_type=_text("request_type", choices=("general", "brand_specialist")),
                   make=_text("make"), q=_text("q"))
    for row in rows:
        row["last_seen_at"] = row["last_seen_at"] and utc(row["last_seen_at"])
        row["rating"] = row["rating"] and float(row["rating"])
    return jsonify(mechanics=rows)


@bp.get("/mechanics/<int:mechanic_id>/slots")
def slots(mechanic_id):
    viewer_tz = _text("tz", default=g.user["timezone"])
    rows = db.call("available_slots", mechanic=mechanic_id, **{"from": _date("from")}, to=_date("to"),
                   plan=_text("plan", default="standard"), service_type=_text("service_type", default="online"),
                   viewer_tz=viewer_tz, customer=_customer_id())
    return jsonify(mechanic_id=mechanic_id, timezone=viewer_tz, slots=[
        {"start": utc(r["slot_start"]), "end": utc(r["slot_end"]), "available": r["available"], "reason": r["reason"]}
        for r in rows])


@bp.get("/mechanics/<int:mechanic_id>/availability")
def availability(mechanic_id):
    row = db.call_one("slot_availability", mechanic=mechanic_id, start=_instant("start", request.args.get("start")),
                      end=_instant("end", request.args.get("end")),
                      service_type=_text("service_type", default="online"), customer=_customer_id())
    return jsonify(available=row["available"], reason=row["reason"], message=row["message"])


@bp.get("/me")
def me():
    return jsonify(user=g.user, csrf_token=generate_csrf())


@bp.post("/holds")
def create_hold():
    _require("customer")
    body = _body()
    mechanic_id = _field(body, "mechanic_id", int)
    if mechanic_id is None or not 0 < mechanic_id < 2**63:
        raise BadParameter("mechanic_id", "mechanic_id must be a whole number.")
    start = _instant("start", body.get("start"))
    plan = _field(body, "plan", str, default="standard")
    service_type = _field(body, "service_type", str, default="online")
    try:
        hold = db.call_one("reserve_slot", actor=g.user["id"], mechanic=mechanic_id, start=start, plan=plan,
                           service_type=service_type)
    except db.Refusal as refusal:
        if refusal.status != 409:
            raise
        alternatives = db.call("nearest_free_starts", mechanic=mechanic_id, start=start, plan=plan,
                               service_type=service_type, customer=g.user["id"], count=3)
        return jsonify(error_body(409, refusal.message, refusal.field)
                       | {"alternatives": [utc(row["nearest_free_starts"]) for row in alternatives]}), 409
    return jsonify(hold_id=hold["hold_id"], mechanic_id=hold["mechanic_id"], start=utc(hold["starts_at"]),
                   end=utc(hold["ends_at"]), expires_at=utc(hold["expires_at"])), 201


@bp.delete("/holds/<int:hold_id>")
def release_hold(hold_id):
    db.call("release_reservation", actor=g.user["id"], hold_id=hold_id)
    return "", 204


@bp.post("/offers/<int:session_id>/accept")
def accept_offer(session_id):
    """A live-session offer or a booking request of the mechanic's inbox (answer_offer)."""
    _require("mechanic")
    db.call("answer_offer", actor=g.user["id"], session=session_id, accept=True)
    return jsonify(session_id=session_id, accepted=True)


@bp.post("/offers/<int:session_id>/decline")
def decline_offer(session_id):
    _require("mechanic")
    db.call("answer_offer", actor=g.user["id"], session=session_id, accept=False)
    payments.send_refunds(session=session_id)  # a declined booking request is refunded in full
    return jsonify(session_id=session_id, declined=True)


@bp.post("/appointments/<int:session_id>/cancel")
def cancel_appointment(session_id):
    # the customer's own cancellation: anyone else (the platform cancels from the admin workspace, with a reason;
    # a mechanic from theirs) finds nothing here, as with someone else's booking
    if g.user["role"] != "customer":
        abort(404)
    body = _body()
    confirm = _field(body, "confirm", bool, default=False)
    reason, tier = _field(body, "reason", str), _field(body, "tier", str)
    if confirm:
        row = payments.cancel(g.user["id"], session_id, reason, expected_tier=tier)
    else:
        row = db.call_one("cancellation_quote", session=session_id, actor=g.user["id"])
    row["starts_at"] = row["starts_at"] and utc(row["starts_at"])
    return jsonify(cancelled=confirm, currency="CAD", **row)


def _appointment_json(row):
    return {"id": row["id"], "kind": row["kind"], "service_type": row["service_type"], "status": row["status"],
            "plan": row["plan_code"], "start": utc(row["starts_at"]), "end": utc(row["ends_at"]),
            "mechanic_id": row["mechanic_id"], "mechanic": row["mechanic_name"], "workshop": row["workshop_name"],
            "paid_cents": row["paid_cents"], "refunded_cents": row["refunded_cents"],
            "refund_pending_cents": row["refund_pending_cents"], "refund_failed_cents": row["refund_failed_cents"],
            "credited_cents": row["credited_cents"], "currency": "CAD",
            "actions": {name: row["can_" + name] for name in ("cancel", "reschedule", "sign_waiver", "join")}}


@bp.get("/appointments")
def appointments():
    _require("customer")
    return jsonify(appointments=[_appointment_json(row) for row in db.call("my_appointments", actor=g.user["id"])])


@bp.post("/appointments/<int:session_id>/reschedule")
def reschedule_appointment(session_id):
    _require("customer")
    start = _instant("start", _body().get("start"))
    db.call("reschedule_session", actor=g.user["id"], session=session_id, start=start)
    return jsonify(_appointment_json(db.call_one("my_appointments", actor=g.user["id"], session=session_id)))


@bp.get("/appointments/<int:session_id>/calendar.ics")
def appointment_calendar(session_id):
    _require("customer")
    return customer.calendar_response(db.call_one("my_appointments", actor=g.user["id"], session=session_id))
