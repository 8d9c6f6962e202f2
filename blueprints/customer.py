"""The customer's own pages (SPEC §3.3): the dashboard, my appointments (cancel with the quote first,
reschedule, waiver, join, the session room, .ics, the workshop's proposed time for a visit, an in-person visit
after a completed online session), vehicles and favorite mechanics."""
from datetime import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import db
import invites
from formats import format_local_time, format_money
import payments
from blueprints.auth import place_database_errors, place_errors, requires_role, safe_next
from blueprints import room
from blueprints.checkout import WaiverForm, sign_waiver

bp = Blueprint("customer", __name__, url_prefix="/customer")
bp.before_request(requires_role("customer"))


class VehicleForm(FlaskForm):
    year = IntegerField("Year", validators=[InputRequired(), NumberRange(min=1900, max=2100)])
    make = StringField("Make", validators=[InputRequired(), Length(max=40)])
    model = StringField("Model", validators=[InputRequired(), Length(max=60)])
    vin = StringField("VIN (optional)", validators=[Optional(), Length(min=17, max=17, message="A VIN has 17 characters.")])
    odometer_km = IntegerField("Odometer (km)", validators=[Optional(), NumberRange(min=0, max=2_000_000)])
    plate = StringField("Plate (optional)", validators=[Optional(), Length(max=10)])


def save_vehicle(form):
    """Validates a posted VehicleForm and saves it as the logged-in customer's vehicle (add_vehicle). Returns (id,
    None), or (None, HTTP status) with every error next to its field: the form's own and the database's at once."""
    vehicle = dict(actor=g.user["id"], year=form.year.data, make=form.make.data, model=form.model.data,
                   vin=form.vin.data, odometer_km=form.odometer_km.data, plate=form.plate.data)
    if not form.validate_on_submit():
        place_database_errors(form, "add_vehicle", **vehicle)
        return None, 400
    try:
        vehicle_id = db.call_value("add_vehicle", **vehicle)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return None, refusal.status
    flash(f"{form.year.data} {form.make.data} {form.model.data} saved to your vehicles.", "success")
    return vehicle_id, None


class CancelForm(FlaskForm):
    tier = HiddenField()
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])


class RescheduleForm(FlaskForm):
    start = HiddenField(validators=[InputRequired(message="Pick a new time.")])


class DayForm(FlaskForm):
    class Meta:
        csrf = False

    day = DateField("Day", validators=[Optional()])


def _me():
    return g.user["id"]


def _appointment(session_id):
    """The customer's own appointment; someone else's or a missing one is refused (UN001: a 404 page)."""
    return db.call_one("my_appointments", actor=_me(), session=session_id)


def appointment_event(row):
    """The calendar event (invites.invite, google_link, outlook_link) of a my_appointments row."""
    return invites.session_event(row, link=url_for("customer.appointment", session_id=row["id"], _external=True),
                                 with_whom=row["mechanic_name"] or "an Auto Doctor mechanic")


@bp.route("/")
def dashboard():
    # opening a page changes nothing: a wizard is left by its own Leave button (a POST), or forgets itself after a
    # day (forget_stale_drafts)
    appointments = db.call("my_appointments", actor=_me())
    return render_template("customer/dashboard.html",
                           upcoming=[a for a in appointments if a["upcoming"]][:5],
                           counter_offers=db.call("my_counter_offers", actor=_me()),
                           waitlist=db.call_one("waitlist_entry", actor=_me()),
                           money=db.call_one("my_money", actor=_me()),
                           favorites=db.call("my_favorites", actor=_me()))


# --- my appointments -------------------------------------------------------------------------------------

@bp.route("/appointments")
def appointments():
    rows = db.call("my_appointments", actor=_me())
    return render_template("customer/appointments.html", upcoming=[r for r in rows if r["upcoming"]],
                           past=[r for r in rows if not r["upcoming"]],
                           payments=db.call("my_payments_being_confirmed", actor=_me()))


def _render_appointment(row, reschedule_form=None, alternatives=(), offer_error=None, status=200):
    offer = None
    if row["service_type"] == "in_person":
        offer = db.call_one("my_counter_offer", actor=_me(), session=row["id"])
    transcript = db.call("room_messages", actor=_me(), session=row["id"]) if row["service_type"] == "online" else []
    day_form = DayForm(request.args)
    slots, day_refusal = [], None
    if row["can_reschedule"]:
        zone = ZoneInfo(g.user["timezone"])
        day = (day_form.validate() and day_form.day.data) or row["starts_at"].astimezone(zone).date()
        day_form.day.data = day
        slots = [s for s in db.call("available_slots", mechanic=row["mechanic_id"], **{"from": day}, to=day,
                                    plan=row["plan_code"], service_type=row["service_type"],
                                    viewer_tz=g.user["timezone"], customer=_me())
                 if s["available"]]
        if not slots:  # a day in the past or beyond the mechanic's reach says so
            day_refusal = db.call_value("day_refusal_message", mechanic=row["mechanic_id"], day=day,
                                        viewer_tz=g.user["timezone"])
    event = appointment_event(row)
    return render_template("customer/appointment.html", a=row,
                           reschedule_form=reschedule_form or RescheduleForm(), day_form=day_form, slots=slots,
                           day_refusal=day_refusal, alternatives=alternatives, offer=offer, offer_error=offer_error, event=event, transcript=transcript,
                           google=invites.google_link(event), outlook=invites.outlook_link(event)), status


@bp.route("/appointments/<int:session_id>")
def appointment(session_id):
    return _render_appointment(_appointment(session_id))


def _render_cancel(row, form, status=200):
    """The confirmation before cancelling: what the policy gives back now (cancellation_quote; UR001 when the
    appointment can no longer be cancelled), and the form that confirms exactly that quote."""
    quote = db.call_one("cancellation_quote", session=row["id"], actor=_me())
    form.tier.data = form.tier.data or quote["tier"]  # the quote this form confirms
    return render_template("customer/cancel.html", a=row, quote=quote, form=form), status


@bp.route("/appointments/<int:session_id>/cancel", methods=["GET", "POST"])
def cancel(session_id):
    """GET asks (the quote and "Yes, cancel"); the POST of that form cancels under the quote it showed."""
    row = _appointment(session_id)
    form = CancelForm()
    if not form.is_submitted():
        return _render_cancel(row, form)
    if not form.validate():
        return _render_cancel(row, form, 400)
    try:
        outcome = payments.cancel(_me(), session_id, form.reason.data or None, expected_tier=form.tier.data or None)
    except db.Refusal as refusal:
        if refusal.code == "UC005":  # the refund changed since it was shown: show the new quote first
            again = CancelForm(formdata=None, reason=form.reason.data)
            again.form_errors.append(refusal.message)
            return _render_cancel(row, again, 409)
        place_errors(form, refusal)
        return _render_cancel(row, form, refusal.status)
    flash(_outcome_sentence(outcome), "success")
    return redirect(url_for("customer.appointment", session_id=session_id))


def _outcome_sentence(outcome):
    parts = []
    if outcome["refund_cents"]:
        parts.append(f"{format_money(outcome['refund_cents'])} goes back to you")
    if outcome["credit_cents"]:
        parts.append(f"{format_money(outcome['credit_cents'])} is added to your account credit")
    return "Appointment cancelled. " + (" and ".join(parts) + "." if parts else "Nothing is refunded under the policy.")


@bp.route("/appointments/<int:session_id>/reschedule", methods=["POST"])
def reschedule(session_id):
    row = _appointment(session_id)
    form = RescheduleForm()
    start = None
    if form.validate_on_submit():
        try:
            start = datetime.fromisoformat(form.start.data)
        except ValueError:
            pass
    if start is None or start.tzinfo is None:
        form.start.errors = ["Pick one of the free times shown."]
        return _render_appointment(row, reschedule_form=form, status=400)
    try:
        moved = db.call_one("reschedule_session", actor=_me(), session=session_id, start=start)
    except db.Refusal as refusal:
        form.form_errors.append(refusal.message)
        alternatives = []
        if refusal.status == 409:
            alternatives = [r["nearest_free_starts"] for r in db.call(
                "nearest_free_starts", mechanic=row["mechanic_id"], start=start, plan=row["plan_code"],
                service_type=row["service_type"], customer=_me(), count=3)]
        return _render_appointment(row, reschedule_form=form, alternatives=alternatives, status=refusal.status)
    flash(f"Moved. Your new time is {format_local_time(moved['starts_at'], '%a %-d %b, %-I:%M %p %Z')}; "
          "the mechanic has been told and your calendar invite is updated.", "success")
    return redirect(url_for("customer.appointment", session_id=session_id))


@bp.route("/appointments/<int:session_id>/counter-offers/<int:offer_id>/<any(accept, decline):answer>", methods=["POST"])
def answer_counter_offer(session_id, offer_id, answer):
    """The customer accepts or declines the other time the workshop proposed for their visit (SPEC §11)."""
    row = _appointment(session_id)
    try:
        status = db.call_value("answer_counter_offer", actor=_me(), offer=offer_id, accept=answer == "accept")
    except db.Refusal as refusal:
        return _render_appointment(row, offer_error=refusal.message, status=refusal.status)
    if answer == "accept":
        flash("Done: your visit moved to the time the workshop proposed and is confirmed. The workshop has been "
              "told and your calendar invite is updated.", "success")
    else:
        payments.send_refunds(session=session_id)
        flash("You declined the proposed time. The request is cancelled and your deposit goes back to you in full."
              if status == "cancelled" else "You declined the proposed time. Your visit keeps its time.", "success")
    return redirect(url_for("customer.appointment", session_id=session_id))


@bp.route("/appointments/<int:session_id>/in-person-visit", methods=["POST"])
def book_visit(session_id):
    """An in-person visit after a completed online session: Schedule opens pre-filled from it (SPEC §11)."""
    db.call("visit_from_session", actor=_me(), session=session_id)
    flash("We filled in the vehicle and the concern from your online session. Choose a plan, a workshop "
          "mechanic and a time.", "success")
    return redirect(url_for("scheduling.start"))


@bp.route("/appointments/<int:session_id>/waiver", methods=["GET", "POST"])
def waiver(session_id):
    row = _appointment(session_id)
    form = WaiverForm()
    if form.validate_on_submit() and sign_waiver(form, session_id):
        flash("Thank you, the waiver is signed.", "success")
        return redirect(url_for("customer.appointment", session_id=session_id))
    status = 400 if form.is_submitted() else 200
    return render_template("customer/waiver.html", a=row, form=form, waiver=db.call_one("my_waiver", actor=_me())), status


@bp.route("/appointments/<int:session_id>/join", methods=["POST"])
def join(session_id):
    db.call("join_session", actor=_me(), session=session_id)
    return redirect(url_for("customer.session_room", session_id=session_id))


@bp.route("/appointments/<int:session_id>/room")
def session_room(session_id):
    return room.render_room(session_id)


@bp.route("/appointments/<int:session_id>/calendar.ics")
def calendar_ics(session_id):
    return calendar_response(_appointment(session_id))


def calendar_response(row):
    event = appointment_event(row)
    method = "PUBLISH"
    if row["status"] == "cancelled":
        # a CANCEL names its organizer and attendee (RFC 5546), as the emailed one does
        method = "CANCEL"
        event.update(organizer=parseaddr(current_app.config["MAIL_FROM"])[1], attendees=[g.user["email"]])
    return Response(invites.invite(event, method=method), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="autodoctor-{row["id"]}.ics"'})


@bp.route("/appointments/<int:session_id>/resend", methods=["POST"])
def resend_confirmation(session_id):
    db.call("resend_confirmation", actor=_me(), session=session_id)
    flash("The confirmation email is on its way again.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("customer.appointment", session_id=session_id))


# --- vehicles and favorites ------------------------------------------------------------------------------

def _vehicles(form, status=200):
    return render_template("customer/vehicles.html", form=form, vehicles=db.call("my_vehicles", actor=_me())), status


@bp.route("/vehicles")
def vehicles():
    return _vehicles(VehicleForm())


@bp.route("/vehicles", methods=["POST"])
def add_vehicle():
    form = VehicleForm()
    vehicle_id, status = save_vehicle(form)
    if vehicle_id is None:
        return _vehicles(form, status)
    return redirect(url_for("customer.vehicles"))


@bp.route("/vehicles/<int:vehicle_id>/remove", methods=["POST"])
def remove_vehicle(vehicle_id):
    db.call("remove_vehicle", actor=_me(), vehicle_id=vehicle_id)
    flash("Vehicle removed.", "success")
    return redirect(url_for("customer.vehicles"))


@bp.route("/favorites")
def favorites():
    return render_template("customer/favorites.html", favorites=db.call("my_favorites", actor=_me()))


@bp.route("/favorites/<int:mechanic_id>", methods=["POST"])
def toggle_favorite(mechanic_id):
    starred = db.call_value("set_favorite", actor=_me(), mechanic=mechanic_id, favorite=request.form.get("favorite") == "1")
    flash("Added to your favorites." if starred else "Removed from your favorites.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("customer.favorites"))

