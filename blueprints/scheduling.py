"""Schedule (SPEC §3.2): the scheduling page at /customer/schedule.

Seven steps (service type, vehicle, plan, mechanic, time, intake, review & pay) and a confirmation. What the
customer chose is kept in the server-side draft (my_draft 'schedule'), never in the cookie; a step visited
before an earlier one is answered sends the customer to the first unanswered one. The database decides
availability (schedule_calendar, available_slots, any_mechanic_slots), holds (reserve_slot, reserve_any_slot)
and money (checkout_quote, then checkout.pay)."""
import functools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from psycopg.types.json import Jsonb
from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

import db
import errors
import invites
import payments
from blueprints.auth import place_errors, requires_role
from blueprints.checkout import PaymentForm, pay
from blueprints.customer import VehicleForm, appointment_event

bp = Blueprint("scheduling", __name__, url_prefix="/customer/schedule")
bp.before_request(requires_role("customer"))

FLOW = "schedule"
STEPS = (("service", "Service type"), ("vehicle", "Vehicle"), ("plan", "Plan"), ("mechanic", "Mechanic"),
         ("time", "Time"), ("intake", "Your concern"), ("review", "Review & pay"))
STEP_INDEX = {name: index for index, (name, _) in enumerate(STEPS)}
SERVICE_TYPES = ("online", "in_person")
CATEGORIES = (("diagnostic", "Diagnostic"), ("repair", "Repair"), ("maintenance", "Maintenance"),
              ("inspection", "Inspection"), ("consultation", "Consultation"))
REMINDERS = (("24h", "24 hours before"), ("1h", "1 hour before"), ("15min", "15 minutes before"))
CALENDAR_DAYS = 30
MIN_CONCERN = 10
NO_HOLD = {"hold_id": None, "hold_start": None, "hold_expires": None, "hold_mechanic_id": None}
NO_MECHANIC = {"mechanic_id": None, "any_mechanic": None, "request_type": None}


class ChoiceForm(FlaskForm):
    """One choice posted by the button pressed (a service type, vehicle, plan, mechanic or time)."""
    choice = StringField(validators=[InputRequired(), Length(max=64)])
    brand = StringField(validators=[Optional(), Length(max=1)])


class IntakeForm(FlaskForm):
    concern_category = SelectField("Service category",
                                   choices=[SelectChoice(code, label) for code, label in (("", "Choose one"),) + CATEGORIES],
                                   validators=[InputRequired(message="Choose a service category.")])
    concern = TextAreaField("Describe the problem or question", validators=[
        InputRequired(message="Describe what you need."),
        Length(min=MIN_CONCERN, max=4000, message="Describe it in 10 to 4,000 characters.")])
    preparation_notes = TextAreaField("Preparation notes (optional)", validators=[Optional(), Length(max=2000)])
    special_requests = TextAreaField("Special requests (optional)", validators=[Optional(), Length(max=2000)])
    files = MultipleFileField("Photos or videos (optional, up to 5)")


class ReviewForm(PaymentForm):
    remind_24h = BooleanField("24 hours before", default=True)
    remind_1h = BooleanField("1 hour before", default=True)
    remind_15min = BooleanField("15 minutes before (with the waiver and join link)", default=True)

    def validate_card(self, field):
        if field.data and payments.payment_method_for(field.data) is None:
            raise ValidationError("That card number is not one we can charge. Check it and try again.")


# --- the draft ---------------------------------------------------------------------------------------------

def _me():
    return g.user["id"]


def _draft():
    return db.call_value("my_draft", actor=_me(), flow=FLOW)


def _save(**data):
    """Merges into the draft (a key given None is forgotten) and returns the whole draft."""
    return db.call_value("save_draft", actor=_me(), flow=FLOW, data=Jsonb(data))


def _answered(draft):
    return {
        "service": draft.get("service_type") in SERVICE_TYPES,
        "vehicle": bool(draft.get("advice_only") or draft.get("vehicle_id")),
        "plan": bool(draft.get("plan")),
        "mechanic": bool(draft.get("mechanic_id") or draft.get("any_mechanic")),
        "time": bool(draft.get("hold_id")),
        "intake": draft.get("concern_category") in dict(CATEGORIES)
                  and len((draft.get("concern") or "").strip()) >= MIN_CONCERN,
        "review": False,
    }


def _first_missing(draft):
    answered = _answered(draft)
    return next(name for name, _ in STEPS if not answered[name])


def _onward(draft):
    """Where to go after a step: the first step still unanswered (the review once all are)."""
    return redirect(url_for(f"scheduling.{_first_missing(draft)}"))


def step(name):
    """A step's view: runs with g.draft when every earlier step is answered, else goes to the first missing."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            g.draft = _draft()
            if STEP_INDEX[_first_missing(g.draft)] < STEP_INDEX[name]:
                return _onward(g.draft)
            return view(*args, **kwargs)
        return guarded
    return decorate


def _render(template, current, status=200, **context):
    draft = g.draft
    missing = _first_missing(draft)
    return render_template(f"scheduling/{template}", steps=STEPS, current=current, index=STEP_INDEX[current],
                           reachable=STEP_INDEX[missing], onward=url_for(f"scheduling.{missing}"),
                           answered=_answered(draft), draft=draft, **context), status


def _release(hold_id):
    """Gives back a hold of this draft; one that lapsed or was already given back needs nothing."""
    try:
        db.call("release_reservation", actor=_me(), hold_id=hold_id)
    except db.Refusal as refusal:
        if refusal.code != "UN001":
            raise


def _dropping_hold(draft):
    if draft.get("hold_id"):
        _release(draft["hold_id"])
    return NO_HOLD


def _vehicle(draft):
    if not draft.get("vehicle_id"):
        return None
    return next((v for v in db.call("my_vehicles", actor=_me()) if v["id"] == draft["vehicle_id"]), None)


def _make(draft):
    vehicle = _vehicle(draft)
    return vehicle["make"] if vehicle else None


def _request(draft):
    """What "any available mechanic" is matched on: the make, the concern and the request type."""
    return {"make": _make(draft), "concern": draft.get("concern"), "request_type": draft.get("request_type") or "general"}


# --- entering --------------------------------------------------------------------------------------------

@bp.route("/")
def start():
    draft = _draft()
    if draft.get("carried"):
        flash("We kept what you entered in Book Now.", "success")
        draft = _save(carried=None, another=True)
    elif not draft.get("another"):
        upcoming = [a for a in db.call("my_appointments", actor=_me()) if a["upcoming"]]
        if upcoming:
            return render_template("scheduling/entry.html", upcoming=upcoming)
    return _onward(draft)


@bp.post("/another")
def book_another():
    return _onward(_save(another=True))  # CSRFProtect has checked the token


@bp.post("/start-over")
def start_over():
    _dropping_hold(_draft())
    db.call("clear_draft", actor=_me(), flow=FLOW)
    flash("Your choices were cleared.", "success")
    return _onward(_save(another=True))


# --- 1 to 4: service type, vehicle, plan, mechanic ------------------------------------------------------

@bp.route("/service", methods=["GET", "POST"])
@step("service")
def service():
    form = ChoiceForm()
    if form.is_submitted():
        if not form.validate() or form.choice.data not in SERVICE_TYPES:
            return _render("service.html", "service", 400, deposit=_deposit(),
                           error="Choose online or in person.")
        if form.choice.data != g.draft.get("service_type"):
            # the mechanics who may serve it, the hold and the price all depend on it
            return _onward(_save(service_type=form.choice.data, **NO_MECHANIC, **_dropping_hold(g.draft)))
        return _onward(g.draft)
    return _render("service.html", "service", deposit=_deposit())


def _deposit():
    cheapest = db.call("list_plans")[0]["code"]
    return db.call_one("checkout_quote", actor=_me(), plan=cheapest, service_type="in_person")["due_now_cents"]


def _render_vehicle(vehicle_form=None, error=None, status=200):
    return _render("vehicle.html", "vehicle", status, vehicle_form=vehicle_form or VehicleForm(),
                   vehicles=db.call("my_vehicles", actor=_me()), error=error)


@bp.route("/vehicle", methods=["GET", "POST"])
@step("vehicle")
def vehicle():
    form = ChoiceForm()
    if not form.is_submitted():
        return _render_vehicle()
    if not form.validate():
        return _render_vehicle(error="Choose a vehicle, or Just Advice.", status=400)
    if form.choice.data == "advice":
        return _choose_vehicle(None)
    mine = {str(v["id"]) for v in db.call("my_vehicles", actor=_me())}
    if form.choice.data not in mine:
        return _render_vehicle(error="That vehicle is not one of yours. Choose one of the list, or Just Advice.",
                               status=404)
    return _choose_vehicle(int(form.choice.data))


def _choose_vehicle(vehicle_id):
    changes = {"vehicle_id": vehicle_id, "advice_only": True if vehicle_id is None else None}
    if vehicle_id != g.draft.get("vehicle_id") and g.draft.get("request_type") == "brand_specialist":
        # a brand specialist was chosen for the old vehicle's make
        changes.update(NO_MECHANIC, **_dropping_hold(g.draft))
    return _onward(_save(**changes))


@bp.post("/vehicle/new")
@step("vehicle")
def add_vehicle():
    vehicle_form = VehicleForm()
    if not vehicle_form.validate_on_submit():
        return _render_vehicle(vehicle_form=vehicle_form, status=400)
    try:
        vehicle_id = db.call_value("add_vehicle", actor=_me(), year=vehicle_form.year.data, make=vehicle_form.make.data,
                                   model=vehicle_form.model.data, vin=vehicle_form.vin.data,
                                   odometer_km=vehicle_form.odometer_km.data, plate=vehicle_form.plate.data)
    except db.Refusal as refusal:
        place_errors(vehicle_form, refusal)
        return _render_vehicle(vehicle_form=vehicle_form, status=refusal.status)
    flash(f"{vehicle_form.year.data} {vehicle_form.make.data} {vehicle_form.model.data} saved.", "success")
    return _choose_vehicle(vehicle_id)


def _render_plan(plans, error=None, status=200):
    quotes = {p["code"]: db.call_one("checkout_quote", actor=_me(), plan=p["code"], service_type=g.draft["service_type"])
              for p in plans}
    return _render("plan.html", "plan", status, plans=plans, quotes=quotes, error=error)


@bp.route("/plan", methods=["GET", "POST"])
@step("plan")
def plan():
    form = ChoiceForm()
    plans = db.call("list_plans")
    if not form.is_submitted():
        return _render_plan(plans)
    if not form.validate() or form.choice.data not in {p["code"] for p in plans}:
        return _render_plan(plans, error=errors.CODES["UV003"], status=400)
    if form.choice.data != g.draft.get("plan"):
        return _onward(_save(plan=form.choice.data, **_dropping_hold(g.draft)))  # a hold is for one length
    return _onward(g.draft)


def _render_mechanic(error=None, status=200):
    draft = g.draft
    make = None if draft.get("advice_only") else _make(draft)
    q = (request.values.get("q") or "").strip()[:100]
    brand = bool(make) and request.values.get("brand") == "1"
    mechanics = db.call("list_mechanics", service_type=draft["service_type"],
                        request_type="brand_specialist" if brand else None, make=make if brand else None, q=q or None)
    return _render("mechanic.html", "mechanic", status, mechanics=mechanics, q=q,
                   brand=brand, make=make, error=error)


@bp.route("/mechanic", methods=["GET", "POST"])
@step("mechanic")
def mechanic():
    form = ChoiceForm()
    if not form.is_submitted():
        return _render_mechanic()
    choice = form.choice.data if form.validate() else ""
    brand = form.brand.data == "1" and not g.draft.get("advice_only") and _make(g.draft) is not None
    chosen = {"request_type": "brand_specialist" if brand else "general", "mechanic_id": None, "any_mechanic": None}
    if choice == "any":
        chosen["any_mechanic"] = True
    elif choice.isdigit() and int(choice) in {m["id"] for m in db.call("list_mechanics", service_type=g.draft["service_type"])}:
        chosen["mechanic_id"] = int(choice)
    elif choice.isdigit():
        return _render_mechanic(error=errors.CODES["UN002"] + " Choose one from the list.", status=404)
    else:
        return _render_mechanic(error="Choose a mechanic, or any available mechanic.", status=400)
    current = {"request_type": g.draft.get("request_type") or "general", "mechanic_id": g.draft.get("mechanic_id"),
               "any_mechanic": g.draft.get("any_mechanic")}
    if chosen == current:
        return _onward(g.draft)
    return _onward(_save(**chosen, **_dropping_hold(g.draft)))


# --- 5: time ---------------------------------------------------------------------------------------------

def _zone():
    return ZoneInfo(g.user["timezone"])


def _calendar_weeks(days):
    """The calendar's rows: weeks from Monday, blank cells before the first day and after the last."""
    cells = [None] * days[0]["day"].weekday() + list(days)
    cells += [None] * (-len(cells) % 7)
    return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def _free_starts(draft, first, last):
    """The free starts between two dates of the customer's zone: the mechanic's, or any available one's."""
    args = {"from": first, "to": last, "plan": draft["plan"], "service_type": draft["service_type"],
            "viewer_tz": g.user["timezone"]}
    if draft.get("any_mechanic"):
        return [r["slot_start"] for r in db.call("any_mechanic_slots", actor=_me(), **args, **_request(draft))]
    return [r["slot_start"] for r in db.call("available_slots", mechanic=draft["mechanic_id"], customer=_me(), **args)
            if r["available"]]


def _alternatives(draft, start):
    """The nearest free starts to one that could not be had."""
    if draft.get("any_mechanic"):
        day = start.astimezone(_zone()).date()
        starts = _free_starts(draft, day - timedelta(days=3), day + timedelta(days=3))
        return sorted(starts, key=lambda s: (abs(s - start), s))[:3]
    return [r["nearest_free_starts"] for r in db.call(
        "nearest_free_starts", mechanic=draft["mechanic_id"], start=start, plan=draft["plan"],
        service_type=draft["service_type"], customer=_me(), count=3)]


def _parts_of_day(starts):
    zone = _zone()
    parts = {"Morning": [], "Afternoon": [], "Evening": []}
    for start in starts:
        hour = start.astimezone(zone).hour
        parts["Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening"].append(start)
    return [(name, times) for name, times in parts.items()]


def _render_time(day_text=None, *, alternatives=(), message=None, status=200):
    draft = g.draft
    days = db.call("schedule_calendar", actor=_me(), mechanic=draft.get("mechanic_id"), plan=draft["plan"],
                   service_type=draft["service_type"], viewer_tz=g.user["timezone"], days=CALENDAR_DAYS, **_request(draft))
    by_day = {d["day"]: d for d in days}
    chosen = None
    if day_text:
        try:
            chosen = date.fromisoformat(day_text)
        except ValueError:
            chosen = None
        if chosen not in by_day:
            chosen = None
            if message is None:
                message, status = "Pick a day from the calendar: the next 30 days are open.", 400
    held_start = datetime.fromisoformat(draft["hold_start"]) if draft.get("hold_id") else None
    if chosen is None and held_start:
        chosen = held_start.astimezone(_zone()).date()
    if chosen not in by_day:
        chosen = next((d["day"] for d in days if d["free_starts"]), None)
    parts = _parts_of_day(_free_starts(draft, chosen, chosen)) if chosen else []
    mechanic = (None if draft.get("any_mechanic")
                else db.call_one("mechanic_profile", mechanic=draft["mechanic_id"], viewer=_me()))
    return _render("time.html", "time", status, weeks=_calendar_weeks(days), chosen=chosen,
                   parts=parts, mechanic=mechanic, alternatives=alternatives, message=message, held_start=held_start,
                   today=days[0]["day"], zone_abbr=_noon(chosen or days[0]["day"]).strftime("%Z"))


def _noon(day):
    return datetime(day.year, day.month, day.day, 12, tzinfo=_zone())


@bp.get("/time")
@step("time")
def time():
    return _render_time(request.args.get("day"))


def _reserve(draft, start):
    args = {"actor": _me(), "start": start, "plan": draft["plan"], "service_type": draft["service_type"]}
    if draft.get("any_mechanic"):
        return db.call_one("reserve_any_slot", **args, **_request(draft))
    return db.call_one("reserve_slot", mechanic=draft["mechanic_id"], **args)


def _take(draft, start):
    """Holds the time and gives back this draft's previous hold (first, when it is what stands in the way:
    the customer's own hold overlapping the new time)."""
    previous = draft.get("hold_id")
    try:
        hold = _reserve(draft, start)
    except db.Refusal as refusal:
        if refusal.status != 409 or not previous:
            raise
        _release(previous)
        _save(**NO_HOLD)
        previous = None
        hold = _reserve(draft, start)
    if previous:
        _release(previous)
    return hold


def _local_day(moment):
    return moment.astimezone(_zone()).date().isoformat()


def _instant(text):
    """A posted start: an ISO 8601 time with its offset, in a year a booking can have."""
    try:
        moment = datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None and 2000 <= moment.year <= 2999 else None


@bp.post("/time")
@step("time")
def choose_time():
    form = ChoiceForm()
    start = _instant(form.choice.data) if form.validate_on_submit() else None
    if start is None:
        return _render_time(message="That time could not be read. Pick one of the free times below.", status=400)
    try:
        hold = _take(g.draft, start)
    except db.Refusal as refusal:
        g.draft = _draft()
        alternatives = _alternatives(g.draft, start) if refusal.status in (409, 422) else ()
        return _render_time(_local_day(start), alternatives=alternatives, message=refusal.message,
                            status=refusal.status)
    return _onward(_save(hold_id=hold["hold_id"], hold_start=hold["starts_at"].isoformat(),
                         hold_expires=hold["expires_at"].isoformat(), hold_mechanic_id=hold["mechanic_id"]))


# --- 6: intake -------------------------------------------------------------------------------------------

def _render_intake(form, status=200):
    return _render("intake.html", "intake", status, form=form,
                   attachments=db.call("draft_attachments", actor=_me(), flow=FLOW))


@bp.route("/intake", methods=["GET", "POST"])
@step("intake")
def intake():
    draft = g.draft
    if request.method == "GET":
        category = draft.get("concern_category")
        form = IntakeForm(formdata=None, concern_category=category if category in dict(CATEGORIES) else "",
                          concern=draft.get("concern"), preparation_notes=draft.get("preparation_notes"),
                          special_requests=draft.get("special_requests"))
        return _render_intake(form)
    form = IntakeForm()
    if not form.validate_on_submit():
        return _render_intake(form, 400)
    g.draft = _save(concern_category=form.concern_category.data, concern=form.concern.data.strip(),
                    preparation_notes=(form.preparation_notes.data or "").strip() or None,
                    special_requests=(form.special_requests.data or "").strip() or None)
    for upload in [f for f in form.files.data or [] if f and f.filename]:
        try:
            db.call("add_attachment", actor=_me(), flow=FLOW, filename=upload.filename, data=upload.read())
        except db.Refusal as refusal:
            place_errors(form, refusal)
            return _render_intake(form, refusal.status)
    return _onward(_draft())


# --- 7: review and pay -----------------------------------------------------------------------------------

def _hold(draft):
    try:
        return db.call_one("my_hold", actor=_me(), hold_id=draft["hold_id"])
    except db.Refusal as refusal:
        if refusal.code != "UN001":
            raise
        return None


def _render_review(form, status=200):
    draft = g.draft
    hold = _hold(draft)
    mechanic_id = hold["mechanic_id"] if hold else draft.get("hold_mechanic_id")
    return _render("review.html", "review", status, form=form, hold=hold,
                   hold_start=hold["starts_at"] if hold else datetime.fromisoformat(draft["hold_start"]),
                   mechanic=db.call_one("mechanic_profile", mechanic=mechanic_id, viewer=_me()),
                   vehicle=_vehicle(draft), plan=next(p for p in db.call("list_plans") if p["code"] == draft["plan"]),
                   quote=db.call_one("checkout_quote", actor=_me(), plan=draft["plan"], service_type=draft["service_type"]),
                   attachments=db.call("draft_attachments", actor=_me(), flow=FLOW),
                   categories=dict(CATEGORIES))


@bp.get("/review")
@step("review")
def review():
    chosen = g.draft.get("reminders")
    form = ReviewForm(formdata=None)
    if chosen is not None:
        for code, _ in REMINDERS:
            getattr(form, f"remind_{code}").data = code in chosen
    return _render_review(form)


@bp.post("/review")
@step("review")
def pay_now():
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_review(form, 400)
    reminders = [code for code, _ in REMINDERS if getattr(form, f"remind_{code}").data]
    g.draft = draft = _save(reminders=reminders)
    start = datetime.fromisoformat(draft["hold_start"])
    try:
        payment, message = pay(
            form, kind="scheduled", hold_id=draft["hold_id"], plan=draft["plan"], vehicle_id=draft.get("vehicle_id"),
            advice_only=bool(draft.get("advice_only")), request_type=draft.get("request_type") or "general",
            concern_category=draft["concern_category"], concern=draft["concern"],
            intake=Jsonb({"preparation_notes": draft.get("preparation_notes"),
                          "special_requests": draft.get("special_requests"), "reminders": reminders,
                          "attachments": draft.get("attachments", [])}))
    except db.Refusal as refusal:
        if refusal.code != "UR003":
            place_errors(form, refusal)
            return _render_review(form, refusal.status)
        _save(**NO_HOLD)
        flash(f"{refusal.message} Nothing was charged.", "error")
        return redirect(url_for("scheduling.time", day=_local_day(start)))
    if message is None:
        db.call("clear_draft", actor=_me(), flow=FLOW)
        return redirect(url_for("scheduling.confirmation", session_id=payment["session_id"]))
    if payment["status"] == "failed":
        # the database released the hold with the failed payment; everything else stays in the draft
        _save(**NO_HOLD)
        flash(f"{message} The time you held was released: please pick a time again.", "error")
        return redirect(url_for("scheduling.time", day=_local_day(start)))
    if payment["status"] == "succeeded":
        # paid, but the time was taken after the hold lapsed: the payment was given back in full
        g.draft = draft = _save(**NO_HOLD)
        return _render_time(_local_day(start), alternatives=_alternatives(draft, start), message=message, status=409)
    flash(message, "info")
    return redirect(url_for("customer.appointments"))


# --- confirmation ----------------------------------------------------------------------------------------

@bp.get("/confirmation/<int:session_id>")
def confirmation(session_id):
    row = db.call_one("my_appointments", actor=_me(), session=session_id)  # UN001 (404) when not theirs
    event = appointment_event(row)
    return render_template("scheduling/confirmation.html", a=row, google=invites.google_link(event),
                           outlook=invites.outlook_link(event))
