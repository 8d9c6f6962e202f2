"""The mechanic's dashboard and sessions (SPEC §4, §7, §9, §13): go online / offline, the offers inbox (live
requests and booking requests, accepted or declined without penalty), upcoming sessions with Start, Complete,
a no-show from 10 minutes after the start and cancelling (the customer gets everything back; a confirmed
session goes to another mechanic first), and earnings from the payout ledger."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, Length, Optional

import db
import payments
from blueprints.analytics import analytics_page
from blueprints.auth import place_errors
from blueprints.mechanic import bp

DAY_GROUPS = (("today", "Today"), ("tomorrow", "Tomorrow"), ("later", "Later"))


class ShiftForm(FlaskForm):
    online = HiddenField(validators=[AnyOf(["1", "0"], message="Choose online or offline.")])


class CancelForm(FlaskForm):
    reason = StringField("Reason (the customer is told)", validators=[Optional(), Length(max=500)])


def _me():
    return g.user["id"]


# --- the dashboard: status, offers, upcoming sessions, earnings ------------------------------------------------

def _dashboard(error=None, status=200):
    sessions = db.call("mechanic_sessions", actor=_me())
    return render_template("mechanic/dashboard.html", me=db.call_one("mechanic_overview", actor=_me()),
                           offers=db.call("mechanic_offers", actor=_me()),
                           groups=[(label, [s for s in sessions if s["day_group"] == group]) for group, label in DAY_GROUPS],
                           earnings=db.call_one("my_earnings_summary", actor=_me()), error=error), status


@bp.route("/")
def dashboard():
    return _dashboard()


@bp.route("/shift", methods=["POST"])
def shift():
    form = ShiftForm()
    if not form.validate_on_submit():
        return _dashboard(error=" ".join(form.online.errors) or "Please try again.", status=400)
    online = db.call_value("set_on_shift", actor=_me(), online=form.online.data == "1")
    flash("You are online: live requests can reach you." if online else
          "You are offline: no live requests until you go online again. Your booked sessions stay.", "success")
    return redirect(url_for("mechanic.dashboard"))


def _answer(session_id, accept):
    try:
        kind = db.call_value("answer_offer", actor=_me(), session=session_id, accept=accept)
    except db.Refusal as refusal:
        return _dashboard(error=refusal.message, status=refusal.status)
    if accept:
        flash("Accepted. The customer has been told." if kind == "request" else
              "It is yours. The customer is waiting: start when you are ready.", "success")
        return redirect(url_for("mechanic.session", session_id=session_id))
    if kind == "request":
        payments.send_refunds(session=session_id)  # the declined booking is refunded in full
    flash("Declined. Nothing is counted against you." if kind == "live_now" else
          "Declined. The customer gets everything back; nothing is counted against you.", "success")
    return redirect(url_for("mechanic.dashboard"))


@bp.route("/offers/<int:session_id>/accept", methods=["POST"])
def accept(session_id):
    return _answer(session_id, accept=True)


@bp.route("/offers/<int:session_id>/decline", methods=["POST"])
def decline(session_id):
    return _answer(session_id, accept=False)


# --- one session and its actions -------------------------------------------------------------------------------

def _session(session_id):
    """The mechanic's own session; someone else's or a missing one is refused (UN001: a 404 page)."""
    return db.call_one("mechanic_sessions", actor=_me(), session=session_id)


def _render_session(row, cancel_form=None, error=None, status=200, typed=None, field_errors=None):
    """The session page; `typed` is what was sent with a refused action, shown again in its fields, and
    `field_errors` the refusals next to them."""
    quote = db.call_one("cancellation_quote", session=row["id"], actor=_me()) if row["can_cancel"] else None
    transcript = db.call("room_messages", actor=_me(), session=row["id"]) if row["service_type"] == "online" else []
    return render_template("mechanic/session.html", s=row, quote=quote, cancel_form=cancel_form or CancelForm(),
                           error=error, transcript=transcript, typed=typed or {},
                           field_errors=field_errors or {}), status


@bp.route("/sessions/<int:session_id>")
def session(session_id):
    return _render_session(_session(session_id))


def _act(session_id, function, done, then="mechanic.session", **args):
    row = _session(session_id)
    try:
        db.call(function, actor=_me(), session=session_id, **args)
    except db.Refusal as refusal:
        if refusal.field in args:  # next to the field, with what was typed in it kept
            return _render_session(row, status=refusal.status, typed=args,
                                   field_errors={refusal.field: refusal.message})
        return _render_session(row, error=refusal.message, status=refusal.status, typed=args)
    flash(done, "success")
    return redirect(url_for(then, session_id=session_id))


@bp.route("/sessions/<int:session_id>/start", methods=["POST"])
def start(session_id):
    return _act(session_id, "start_session", "Session started. The plan's clock is running.", then="room.page")


@bp.route("/sessions/<int:session_id>/complete", methods=["POST"])
def complete(session_id):
    return _act(session_id, "complete_session", "Session completed. Your share is in your earnings.",
                summary=request.form.get("summary"))


@bp.route("/sessions/<int:session_id>/no-show", methods=["POST"])
def no_show(session_id):
    return _act(session_id, "mark_no_show", "Marked as a no-show. The policy's share for your time is in your earnings.")


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
def cancel(session_id):
    row = _session(session_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return _render_session(row, cancel_form=form, status=400)
    try:
        outcome = payments.cancel(_me(), session_id, form.reason.data or None)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_session(row, cancel_form=form, status=refusal.status)
    if outcome["tier"] == "rematch":
        flash("You stepped out of this session. We are looking for another mechanic for the customer; if nobody "
              "is free, they get everything back. Nothing is counted against you.", "success")
    else:
        flash(f"Session cancelled. The customer gets ${outcome['refund_cents'] / 100:,.2f} CAD back, everything "
              "they paid. Nothing is counted against you.", "success")
    return redirect(url_for("mechanic.dashboard"))


# --- earnings --------------------------------------------------------------------------------------------------

@bp.route("/earnings")
def earnings():
    return render_template("mechanic/earnings.html", summary=db.call_one("my_earnings_summary", actor=_me()),
                           ledger=db.call("my_earnings", actor=_me()))


@bp.route("/analytics")
def analytics():
    """The mechanic's own numbers (SPEC §15): earnings over time, utilization, no-show rate, rating."""
    return analytics_page("My numbers", "mechanic.analytics", endpoint_args={}, mechanic=_me(), earnings_only=True,
                          rating=db.call_one("mechanic_overview", actor=_me()),
                          back=(url_for("mechanic.dashboard"), "My workspace"))
