"""Step 6, the concern (with photos or videos); step 7, review and pay (checkout.pay turns the hold into the
appointment); and the confirmation with its calendar invites."""
from flask import flash, g, redirect, render_template, request, url_for
from psycopg.types.json import Jsonb

import db
import invites
from blueprints.auth import place_database_errors, place_errors
from blueprints.checkout import pay, quote
from blueprints.customer import appointment_event
from blueprints.scheduling import bp
from blueprints.drafts import files_limit
from blueprints.scheduling.steps import FLOW, hold_start, me, onward, reaches, render_step, request_type, step
from blueprints.scheduling.slots import local_day, nearest_free, render_time
from forms import concern_categories
from forms.scheduling import REMINDERS, IntakeForm, ReviewForm


# --- 6: intake -------------------------------------------------------------------------------------------

def _render_intake(form, status=200):
    return render_step("intake.html", "intake", status, form=form, attachments=g.draft.attachments(),
                       max_files=files_limit())


@bp.route("/intake", methods=["GET", "POST"])
@step("intake")
def intake():
    draft = g.draft
    if request.method == "GET":
        category = draft.get("concern_category")
        form = IntakeForm(formdata=None, concern_category=category if category in concern_categories(FLOW) else "",
                          concern=draft.get("concern"), preparation_notes=draft.get("preparation_notes"),
                          special_requests=draft.get("special_requests"))
        return _render_intake(form)
    form = IntakeForm()
    uploads = [f for f in form.files.data or [] if f and f.filename]
    # the database judges the concern's length and whether the files fit, with the form's own errors
    fields = {"concern_category": form.concern_category.data, "concern": form.concern.data,
              "preparation_notes": form.preparation_notes.data, "special_requests": form.special_requests.data,
              "files": len(uploads)}
    if not form.validate_on_submit():
        place_database_errors(form, "draft_describe_concern", actor=me(), flow=FLOW, **fields)
        return _render_intake(form, 400)
    try:
        draft.answer("describe_concern", **fields)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _render_intake(form, refusal.status)
    for upload in uploads:
        try:
            db.call("add_attachment", actor=me(), flow=FLOW, filename=upload.filename, data=upload.read())
        except db.Refusal as refusal:
            place_errors(form, refusal)
            return _render_intake(form, refusal.status)
    return onward(g.draft)  # the attachments it gained answer no step


# --- 7: review and pay -----------------------------------------------------------------------------------

def _render_review(form, status=200):
    draft = g.draft
    # the hold itself (live or lapsed, its start and countdown) is read by render_step, as on every step
    return render_step("review.html", "review", status, form=form,
                       mechanic=db.call_one("mechanic_profile", mechanic=draft["hold_mechanic_id"], viewer=me()),
                       vehicle=draft.vehicle, plan=next(p for p in db.call("list_plans") if p["code"] == draft["plan"]),
                       quote=quote(draft["plan"], draft["service_type"]),
                       attachments=draft.attachments(), categories=concern_categories(FLOW))


@bp.get("/review")
@step("review")
def review():
    chosen = g.draft.get("reminders")
    form = ReviewForm(formdata=None)
    if chosen is not None:
        for code in REMINDERS:
            form[f"remind_{code}"].data = code in chosen
    return _render_review(form)


def _pick_again(start, message):
    """Back to the calendar at the held time's day, the hold forgotten, saying why."""
    g.draft.answer("choose_time", hold=None)
    flash(message, "error")
    return redirect(url_for("scheduling.time", day=local_day(start)))


@bp.post("/review")
@step("review")
def pay_now():
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_review(form, 400)
    reminders = [code for code in REMINDERS if form[f"remind_{code}"].data]
    draft = g.draft.answer("choose_reminders", reminders=reminders)
    if not reaches(draft, "review"):
        # a second Pay for the same booking (two tabs, a double submit) after the first booked it and closed the draft
        raise db.Refusal("This booking was just paid for, or its time is no longer held. "
                         "Your appointments show what was booked.", 409)
    start = hold_start(draft)
    try:
        payment, message = pay(
            form, kind="scheduled", hold_id=draft["hold_id"], plan=draft["plan"], vehicle_id=draft.get("vehicle_id"),
            advice_only=bool(draft.get("advice_only")), request_type=request_type(draft),
            concern_category=draft["concern_category"], concern=draft["concern"],
            intake=Jsonb({"preparation_notes": draft.get("preparation_notes"),
                          "special_requests": draft.get("special_requests"), "reminders": reminders,
                          "attachments": draft.get("attachments", []), "from_session": draft.get("from_session")}))
    except db.Refusal as refusal:
        if refusal.code != "UR003":
            place_errors(form, refusal)
            return _render_review(form, refusal.status)
        return _pick_again(start, db.Coded(f"{refusal.message} Nothing was charged.", refusal.code))
    if message is None:
        draft.clear()
        return redirect(url_for("scheduling.confirmation", session_id=payment["session_id"]))
    if payment["status"] == "failed":
        # declined: the hold stays until its own expiry, so the customer pays again from here with another card
        form.form_errors.append(f"{message} Try another card: the time is still held for you.")
        return _render_review(form, 402)
    if payment["status"] == "succeeded":
        # paid, but the time was taken after the hold lapsed: the payment was given back in full
        draft.answer("choose_time", hold=None)
        return render_time(local_day(start), alternatives=nearest_free(draft, start), message=message, status=409)
    flash(message, "info")
    return redirect(url_for("customer.appointments"))


# --- confirmation ----------------------------------------------------------------------------------------

@bp.get("/confirmation/<int:session_id>")
def confirmation(session_id):
    row = db.call_one("my_appointments", actor=me(), session=session_id)  # UN001 (404) when not theirs
    event = appointment_event(row)
    return render_template("scheduling/confirmation.html", a=row, google=invites.google_link(event),
                           outlook=invites.outlook_link(event))
