"""Book Now (SPEC §3.1): the immediate wizard at /customer/book.

Four steps (vehicle, plan, mechanic, concern), then the waiver and payment. What the customer enters lives in
their server-side draft (blueprints/drafts.py, flow 'book'), never in the cookie. A page whose earlier steps
are missing sends the customer to the first of them; Back from step 1 forgets the draft.
"""
import functools

from flask import Blueprint, flash, redirect, render_template, request, url_for
from psycopg.types.json import Jsonb

import db
import errors
from blueprints.auth import place_database_errors, place_errors, requires_role
from blueprints.checkout import PaymentForm, WaiverForm, pay, quote, sign_waiver
from blueprints.customer import VehicleForm, save_vehicle
from blueprints.drafts import Draft, files_limit
from forms import concern_categories
from forms.booking import TABS, ConcernForm, LocationForm, PlanForm, SearchForm, VehicleChoiceForm

bp = Blueprint("booking", __name__, url_prefix="/customer/book")
bp.before_request(requires_role("customer"))

FLOW = "book"
STEPS = ("vehicle", "plan", "mechanic", "concern", "waiver", "payment")
FIRST_MISSING = {"vehicle": "Choose a vehicle first, or Just Advice.", "plan": "Choose a plan first.",
                 "mechanic": "Find a mechanic who is online first.", "concern": "Describe the concern first.",
                 "waiver": "Sign the waiver first."}


class BookNow(Draft):
    """The logged-in customer's Book Now draft, and the rows it points at (read once per request)."""

    def __init__(self):
        super().__init__(FLOW)

    @functools.cached_property
    def plans(self):
        return db.call("list_plans")

    @functools.cached_property
    def waiver(self):
        return db.call_one("my_waiver", actor=self.actor)

    @property
    def plan(self):
        return next((p for p in self.plans if p["code"] == self.data.get("plan")), None)

    @property
    def vehicle_id(self):
        return None if self.advice_only else self.vehicle["id"]

    @property
    def tab(self):
        return self.data.get("tab") if self.data.get("tab") in TABS else "all"

    def done(self, step):
        if step == "vehicle":
            return self.advice_only or self.vehicle is not None
        if step == "plan":
            return self.plan is not None
        if step == "mechanic":
            return self.data.get("located") is True
        if step == "concern":
            return bool(self.data.get("concern"))
        if step == "waiver":  # signed in the last 30 days (or no waiver published at all)
            return self.waiver is None or self.waiver["on_file"]
        return False

    def first_missing(self):
        return next(step for step in STEPS if not self.done(step))

    def location(self):
        """The draft's location, else the profile's: what the search starts from."""
        saved = "city" in self.data or "postal_code" in self.data
        source = self.data if saved else db.call_one("my_location", actor=self.actor) or {}
        return {key: source.get(key) or "" for key in ("city", "postal_code")}


def step(name):
    """A wizard page: loads the draft and sends the customer to the first step still missing before it."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(**kwargs):
            draft = BookNow()
            missing = draft.first_missing()
            if STEPS.index(missing) < STEPS.index(name):
                flash(FIRST_MISSING[missing], "info")
                return redirect(url_for(f"booking.{missing}"))
            return view(draft, **kwargs)
        return guarded
    return decorate


def _indicator(draft, current):
    """The step indicator: 1-4, then waiver and payment; the steps up to the first missing one are links (a
    waiver on file is skipped, so it is none)."""
    reachable = STEPS.index(draft.first_missing())
    items = []
    for index, name in enumerate(STEPS):
        if name == current:
            state = "current"
        elif name == "waiver" and draft.done("waiver"):
            state = "on-file"
        else:
            state = "done" if draft.done(name) else "todo"
        link = index <= reachable and state not in ("current", "on-file")
        items.append({"label": name.capitalize(), "number": index + 1 if index < 4 else None,
                      "state": state, "url": url_for(f"booking.{name}") if link else None})
    return items


def _page(draft, current, status=200, **context):
    """The page of the step current, in the wizard's frame."""
    return render_template(f"booking/{current}.html", draft=draft, steps=_indicator(draft, current), **context), status


@bp.route("/")
def start():
    return redirect(url_for(f"booking.{BookNow().first_missing()}"))


@bp.route("/leave", methods=["POST"])
def leave():
    BookNow().clear()
    return redirect(url_for("customer.dashboard"))


# --- 1. vehicle ----------------------------------------------------------------------------------------------

def _vehicle_page(draft, choice=None, new=None, status=200):
    return _page(draft, "vehicle", status, choice=choice or VehicleChoiceForm(formdata=None),
                 form=new or VehicleForm(formdata=None))


def _choose_vehicle(draft, vehicle_id):
    """A changed vehicle forgets the search: the brand tab and the ranking depend on the make."""
    draft.answer("choose_vehicle", vehicle=vehicle_id)
    return redirect(url_for("booking.plan"))


@bp.route("/vehicle", methods=["GET", "POST"])
@step("vehicle")
def vehicle(draft):
    choice = VehicleChoiceForm()
    if not choice.is_submitted():
        return _vehicle_page(draft, choice)
    if choice.validate_on_submit():
        if choice.advice_only.data:
            return _choose_vehicle(draft, None)
        if choice.vehicle_id.data is not None:
            try:
                return _choose_vehicle(draft, choice.vehicle_id.data)
            except db.Refusal as refusal:  # UN001, marked with its code
                choice.form_errors.append(db.Coded("That vehicle is not one of yours. Choose one of yours below, or "
                                                   "Just Advice.", refusal.code))
                return _vehicle_page(draft, choice, status=404)
    choice.form_errors.append(db.Coded(errors.CODES["UV010"], "UV010"))
    return _vehicle_page(draft, choice, status=400)


@bp.route("/vehicle/new", methods=["POST"])
@step("vehicle")
def add_vehicle(draft):
    form = VehicleForm()
    vehicle_id, status = save_vehicle(form)
    if vehicle_id is None:
        return _vehicle_page(draft, new=form, status=status)
    return _choose_vehicle(draft, vehicle_id)


# --- 2. plan -------------------------------------------------------------------------------------------------

@bp.route("/plan", methods=["GET", "POST"])
@step("plan")
def plan(draft):
    form = PlanForm()
    if not form.is_submitted():
        return _page(draft, "plan", form=form)
    if form.validate_on_submit():
        try:
            draft.answer("choose_plan", plan=form.plan.data)
        except db.Refusal as refusal:  # UV003: no such plan on sale
            form.form_errors.append(refusal.message)
            return _page(draft, "plan", 400, form=form)
        return redirect(url_for("booking.mechanic"))
    form.form_errors.append(db.Coded(errors.CODES["UV003"], "UV003"))
    return _page(draft, "plan", 400, form=form)


# --- 3. mechanic ---------------------------------------------------------------------------------------------

def _find(draft, form):
    return db.call("find_mechanics_now", actor=draft.actor, make=draft.make, concern=draft.data.get("concern"),
                   **form.search_args())


def _mechanic_page(draft, form, results=None, status=200):
    """Step 3; results None: nothing searched yet; [] nobody online (the waitlist, scheduling and the offline
    list are offered)."""
    return _page(draft, "mechanic", status, form=form, tabs=TABS, results=results,
                 offline=db.call("offline_mechanics", actor=draft.actor) if results == [] else None,
                 waitlist=db.call_one("waitlist_entry", actor=draft.actor), search_args=form.search_args())


@bp.route("/mechanic")
@step("mechanic")
def mechanic(draft):
    form = SearchForm(formdata=request.args or None, data={**draft.location(), "tab": draft.tab})
    if not form.check():
        return _mechanic_page(draft, form, status=400)
    if "find" not in request.args:
        return _mechanic_page(draft, form)  # nothing is searched before Find mechanics is pressed (SPEC §3.1)
    try:
        results = _find(draft, form)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _mechanic_page(draft, form, status=refusal.status)
    return _mechanic_page(draft, form, results)


@bp.route("/mechanic/continue", methods=["POST"])
@step("mechanic")
def mechanic_continue(draft):
    form = LocationForm()
    if not form.check():
        return _mechanic_page(draft, form, status=400)
    try:
        results = _find(draft, form)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _mechanic_page(draft, form, status=refusal.status)
    # someone online answers the step; nobody leaves it as it was
    draft.answer("choose_location", **form.search_args(), located=True if results else None)
    if not results:
        flash("Nobody is online for this search any more. Join the waitlist, schedule instead, or search again.", "info")
        return redirect(url_for("booking.mechanic", **form.search_args(find=1)))
    return redirect(url_for("booking.concern"))


@bp.route("/mechanic/waitlist", methods=["POST"])
@step("mechanic")
def join_waitlist(draft):
    form = LocationForm()
    if not form.check():
        return _mechanic_page(draft, form, status=400)
    draft.answer("choose_location", **form.search_args())
    try:
        db.call("join_waitlist", actor=draft.actor, plan=draft.plan["code"], vehicle_id=draft.vehicle_id,
                advice_only=draft.advice_only, concern=draft.data.get("concern"))
    except db.Refusal as refusal:
        if refusal.constraint != "customer_waitlist_one_pending":
            form.form_errors.append(refusal.message)
            return _mechanic_page(draft, form, [], refusal.status)
        flash(refusal.message, "info")
    else:
        flash("You are on the waitlist. We have emailed you a confirmation.", "success")
    return redirect(url_for("booking.mechanic", _anchor="waitlist", **form.search_args(find=1)))


@bp.route("/mechanic/waitlist/leave", methods=["POST"])
@step("mechanic")
def leave_waitlist(draft):
    form = LocationForm()
    if not form.check():
        return _mechanic_page(draft, form, status=400)
    if db.call_value("leave_waitlist", actor=draft.actor):
        flash("You have left the waitlist.", "success")
    return redirect(url_for("booking.mechanic", **form.search_args(find=1)))


@bp.route("/mechanic/schedule-instead", methods=["POST"])
@step("mechanic")
def schedule_instead(draft):
    db.call("schedule_instead", actor=draft.actor)
    return redirect(url_for("scheduling.start"))


# --- 4. concern ----------------------------------------------------------------------------------------------

def _concern_page(draft, form, status=200):
    return _page(draft, "concern", status, form=form, attachments=draft.attachments(), max_files=files_limit())


def _attach(draft, form):
    """Keeps each uploaded file in the draft (the database reads its type from the content); a refused one is
    named next to the field. True when every file was kept."""
    for upload in form.files.data or []:
        try:
            db.call("add_attachment", actor=draft.actor, flow=FLOW, filename=upload.filename, data=upload.read())
        except db.Refusal as refusal:
            form.files.errors.append(db.Coded(f"{upload.filename}: {refusal.message}",
                                               refusal.constraint or refusal.code))
    return not form.files.errors


@bp.route("/concern", methods=["GET", "POST"])
@step("concern")
def concern(draft):
    form = ConcernForm(data={k: draft.data[k] for k in ("concern_category", "concern", "is_urgent") if k in draft.data})
    if not form.is_submitted():
        return _concern_page(draft, form)
    # the database judges the concern (its length, by urgency) and whether the files fit, with the form's errors
    fields = {"concern_category": form.concern_category.data, "concern": form.concern.data,
              "is_urgent": form.is_urgent.data, "files": len(form.files.data or [])}
    if not form.validate():
        place_database_errors(form, "draft_describe_concern", actor=draft.actor, flow=FLOW, **fields)
        return _concern_page(draft, form, 400)
    try:
        draft.answer("describe_concern", **fields)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _concern_page(draft, form, refusal.status)
    if not _attach(draft, form):
        return _concern_page(draft, form, 400)
    return redirect(url_for("booking.waiver"))


@bp.route("/concern/files/<int:attachment_id>/remove", methods=["POST"])
@step("concern")
def remove_attachment(draft, attachment_id):
    db.call("remove_attachment", actor=draft.actor, flow=FLOW, attachment=attachment_id)
    flash("The file was removed.", "success")
    return redirect(url_for("booking.concern"))


# --- 5. waiver -----------------------------------------------------------------------------------------------

@bp.route("/waiver", methods=["GET", "POST"])
@step("waiver")
def waiver(draft):
    if draft.done("waiver"):
        return redirect(url_for("booking.payment"))
    form = WaiverForm()
    if form.validate_on_submit() and sign_waiver(form):
        flash("Thank you: the waiver is signed.", "success")
        return redirect(url_for("booking.payment"))
    return _page(draft, "waiver", 400 if form.is_submitted() else 200, form=form, waiver=draft.waiver)


# --- 6. payment ----------------------------------------------------------------------------------------------

def _payment_page(draft, form, status=200):
    bill = quote(draft.plan["code"])
    return _page(draft, "payment", status, form=form, price=bill["price_cents"], credit=bill["credit_cents"],
                 card_due=bill["card_cents"],
                 attachments=draft.attachments(), category=concern_categories(FLOW).get(draft.data.get("concern_category")),
                 tab=TABS[draft.tab])


@bp.route("/payment", methods=["GET", "POST"])
@step("payment")
def payment(draft):
    form = PaymentForm()
    if not form.validate_on_submit():
        return _payment_page(draft, form, 400 if form.is_submitted() else 200)
    try:
        paid, message = pay(
            form, kind="immediate", plan=draft.plan["code"], vehicle_id=draft.vehicle_id, advice_only=draft.advice_only,
            request_type="brand_specialist" if draft.tab == "brand" else "general", concern=draft.data.get("concern"),
            concern_category=draft.data.get("concern_category"), is_urgent=draft.data.get("is_urgent") is True,
            intake=Jsonb({"attachments": [a["attachment_id"] for a in draft.attachments()],
                          "city": draft.data.get("city") or None, "postal_code": draft.data.get("postal_code") or None}))
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _payment_page(draft, form, refusal.status)
    if message is None:
        draft.clear()
        flash("Paid. Your request is on its way to the mechanics online: the first to accept joins you here.", "success")
        return redirect(url_for("customer.session_room", session_id=paid["session_id"]))
    form.form_errors.append(message)
    return _payment_page(draft, form, 402 if paid["status"] == "failed" else 202)
