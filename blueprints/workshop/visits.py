"""The in-person visits of a workshop (SPEC §9, §11, §12): the queue (requests, today, upcoming, balances due),
one visit with its actions (confirm, decline with a reason, propose another time, assign a mechanic, cancel,
complete and charge the balance at once) and the check-in tablet page where the customer signs the waiver.
Times are in the workshop's zone; workshop_visits says which action is open now, the action's function decides."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

import db
import payments
from formats import format_money
from forms import one_char_line_breaks, optional_row_id
from blueprints.auth import place_errors
from blueprints.checkout import WaiverForm, sign_waiver
from blueprints.workshop import bp

QUEUE = (("request", "Waiting for your answer"), ("today", "Today"), ("upcoming", "Upcoming"),
         ("balance", "Completed, balance due"), ("done", "Recently completed or cancelled"))
STATUS_LABELS = {"requested": "Awaiting your answer", "scheduled": "Confirmed", "pending": "Checked in",
                 "live": "In the workshop", "completed": "Completed", "cancelled": "Cancelled", "no_show": "No-show",
                 "expired": "Expired unanswered"}
BALANCE_LABELS = {"not_due": "due after the visit", "due": "due now", "processing": "being confirmed by the card network",
                  "failed": "the card was declined", "paid": "paid"}


class ReasonForm(FlaskForm):
    reason = TextAreaField("Reason (the customer reads it)", filters=[one_char_line_breaks], validators=[
        InputRequired(message="Give the customer a reason."), Length(max=500)])


class CounterOfferForm(FlaskForm):
    day = DateField("Date", validators=[InputRequired(message="Pick a date.")])
    # named as counter_offer_visit names its refusals, so they land next to it
    start = TimeField("Time", validators=[InputRequired(message="Pick a time.")])
    note = TextAreaField("Note for the customer (optional)", filters=[one_char_line_breaks],
                         validators=[Optional(), Length(max=500)])


class AssignForm(FlaskForm):
    # the database says whether the mechanic is one of the workshop's (UN002) and free then (UC001)
    mechanic = SelectField("Mechanic", coerce=optional_row_id, validate_choice=False,
                           validators=[InputRequired(message="Choose a mechanic.")])


def _me():
    return g.user["id"]


def _render(template, **context):
    return render_template(template, status_labels=STATUS_LABELS, balance_labels=BALANCE_LABELS, **context)


# --- the queue -------------------------------------------------------------------------------------------

@bp.route("/<int:workshop_id>/visits")
def visits(workshop_id):
    workshop = db.call_one("my_workshops", actor=_me(), workshop_id=workshop_id)  # UN001: a 404 page
    rows = db.call("workshop_visits", actor=_me(), workshop=workshop_id)
    return _render("workshop/visits.html", w=workshop,
                   groups=[(queue, label, [v for v in rows if v["queue"] == queue]) for queue, label in QUEUE])


# --- one visit and its actions ---------------------------------------------------------------------------

def _visit(session_id):
    """A visit at one of the admin's workshops; another's or a missing one is refused (UN001: a 404 page)."""
    return db.call_one("workshop_visits", actor=_me(), workshop=None, session=session_id)


def _render_visit(row, status=200, error=None, decline_form=None, cancel_form=None, counter_form=None,
                  assign_form=None):
    if counter_form is None:
        starts = row["starts_at"].astimezone(ZoneInfo(row["timezone"]))  # the time asked for, to start from
        counter_form = CounterOfferForm(formdata=None, day=starts.date(), start=starts.time())
    assign_form = assign_form or AssignForm(formdata=None, mechanic=row["mechanic_id"])
    if row["can_assign"]:
        # a required select starts with an empty choice (HTML)
        assign_form.mechanic.choices = [("", "Choose a mechanic")] + [(m["id"], m["name"]) for m in
                                        db.call("workshop_mechanics", actor=_me(), workshop_id=row["workshop_id"])]
    return _render("workshop/visit.html", v=row, error=error, decline_form=decline_form or ReasonForm(formdata=None),
                   cancel_form=cancel_form or ReasonForm(formdata=None), counter_form=counter_form,
                   assign_form=assign_form), status


def _back(session_id, message):
    flash(message, "success")
    return redirect(url_for("workshop.visit", session_id=session_id))


@bp.route("/visits/<int:session_id>")
def visit(session_id):
    return _render_visit(_visit(session_id))


@bp.route("/visits/<int:session_id>/confirm", methods=["POST"])
def confirm_visit(session_id):
    row = _visit(session_id)
    try:
        db.call("confirm_visit", actor=_me(), session=session_id)
    except db.Refusal as refusal:
        return _render_visit(row, refusal.status, error=refusal.message)
    return _back(session_id, f"Confirmed. {row['customer_name']} has been told.")


@bp.route("/visits/<int:session_id>/decline", methods=["POST"])
def decline_visit(session_id):
    row = _visit(session_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render_visit(row, 400, decline_form=form)
    try:
        db.call("decline_visit", actor=_me(), session=session_id, reason=form.reason.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_visit(row, refusal.status, decline_form=form)
    payments.send_refunds(session=session_id)
    return _back(session_id, f"Declined. {row['customer_name']} has been told why and gets the whole deposit back.")


@bp.route("/visits/<int:session_id>/cancel", methods=["POST"])
def cancel_visit(session_id):
    row = _visit(session_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        return _render_visit(row, 400, cancel_form=form)
    try:
        outcome = payments.cancel(_me(), session_id, form.reason.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_visit(row, refusal.status, cancel_form=form)
    return _back(session_id, f"Visit cancelled. {row['customer_name']} has been told and gets "
                             f"{format_money(outcome['refund_cents'])} back, everything they paid.")


@bp.route("/visits/<int:session_id>/counter-offer", methods=["POST"])
def counter_offer(session_id):
    row = _visit(session_id)
    form = CounterOfferForm()
    if not form.validate_on_submit():
        return _render_visit(row, 400, counter_form=form)
    start = datetime.combine(form.day.data, form.start.data, tzinfo=ZoneInfo(row["timezone"]))
    try:
        db.call("counter_offer_visit", actor=_me(), session=session_id, start=start, note=form.note.data or None)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_visit(row, refusal.status, counter_form=form)
    return _back(session_id, f"Proposed {start:%a %-d %b, %-I:%M %p %Z}. {row['customer_name']} has been told "
                             "and can accept or decline it; nothing moves until then.")


@bp.route("/visits/<int:session_id>/assign", methods=["POST"])
def assign_mechanic(session_id):
    row = _visit(session_id)
    form = AssignForm()
    if not form.validate_on_submit():
        return _render_visit(row, 400, assign_form=form)
    try:
        db.call("assign_visit_mechanic", actor=_me(), session=session_id, mechanic=form.mechanic.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_visit(row, refusal.status, assign_form=form)
    return _back(session_id, "Mechanic assigned. Both mechanics have been told.")


@bp.route("/visits/<int:session_id>/complete", methods=["POST"])
def complete_visit(session_id):
    row = _visit(session_id)
    try:
        db.call("complete_visit", actor=_me(), session=session_id)
    except db.Refusal as refusal:
        return _render_visit(row, refusal.status, error=refusal.message)
    flash("Visit completed.", "success")
    return _charge_balance(session_id)


@bp.route("/visits/<int:session_id>/balance", methods=["POST"])
def charge_balance(session_id):
    _visit(session_id)
    return _charge_balance(session_id)


def _charge_balance(session_id):
    """Charges the balance and says how it went; a declined card leaves the visit page offering another try."""
    try:
        payment = payments.charge_balance(_me(), session_id)
    except db.Refusal as refusal:
        flash(f"The balance was not charged: {refusal.message}", "error")
        return redirect(url_for("workshop.visit", session_id=session_id))
    total = format_money(payment["amount_cents"] + payment["credit_cents"])
    if payment["status"] == "succeeded":
        flash(f"The balance of {total} is paid. The visit's money is shared.", "success")
    elif payment["status"] == "failed":
        flash(f"The balance of {total} was not charged: {(payment['failure_message'] or 'the card was declined').rstrip('.')}. "
              "Ask the customer to check their card, then try again.", "error")
    else:
        flash(f"The balance of {total} is being confirmed by the card network; this page shows it once it is.", "info")
    return redirect(url_for("workshop.visit", session_id=session_id))


# --- check-in on the workshop's tablet -------------------------------------------------------------------

def _check_in_page(row, form, status=200):
    return _render("workshop/check_in.html", v=row, form=form,
                   waiver=db.call_one("check_in_waiver", actor=_me(), session=row["id"])), status


@bp.route("/visits/<int:session_id>/check-in", methods=["GET", "POST"])
def check_in(session_id):
    """The customer signs the waiver on the workshop's tablet: the visit is checked in (scheduled → pending).
    A kiosk page: the customer holding the tablet sees the visit, the waiver and Sign, and stays there after
    signing; the staff take it back through a link to the visit queue."""
    row = _visit(session_id)
    form = WaiverForm()
    if not form.is_submitted():
        return _check_in_page(row, form)
    if not form.validate() or not sign_waiver(form, session_id, mode="in_person"):
        return _check_in_page(row, form, getattr(form, "refusal_status", 400))
    flash(f"Thank you, {row['customer_name']}: you are checked in. Please hand the tablet back to the staff.", "success")
    return redirect(url_for("workshop.check_in", session_id=session_id))
