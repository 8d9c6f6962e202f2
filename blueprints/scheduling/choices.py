"""Entering the scheduling page, and steps 1 to 4: service type, vehicle, plan and mechanic. Changing an answer
that a later one depends on forgets the later one (and gives back the hold)."""
from flask import flash, g, redirect, render_template, request, url_for

import db
import errors
from blueprints.checkout import quote
from blueprints.customer import VehicleForm, save_vehicle
from blueprints.scheduling import bp
from blueprints.scheduling.steps import load_draft, me, onward, render_step, step
from forms import row_id
from forms.scheduling import ChoiceForm


# --- entering --------------------------------------------------------------------------------------------

@bp.route("/")
def start():
    draft = load_draft()
    if draft.get("carried"):
        flash("We kept what you entered in Book Now.", "success")
        draft.answer("book_another")
    elif not draft.get("another"):
        upcoming = [a for a in db.call("my_appointments", actor=me()) if a["upcoming"]]
        if upcoming:
            return render_template("scheduling/entry.html", upcoming=upcoming)
    return onward(draft)


@bp.post("/another")
def book_another():
    return onward(load_draft().answer("book_another"))  # CSRFProtect has checked the token


@bp.post("/leave")
def leave():
    load_draft().clear()  # gives back the draft's hold too
    return redirect(url_for("customer.dashboard"))


@bp.post("/start-over")
def start_over():
    draft = load_draft()
    draft.clear()  # gives back the draft's hold too
    flash("Your choices were cleared.", "success")
    return onward(draft.answer("book_another"))


# --- 1: service type -------------------------------------------------------------------------------------

@bp.route("/service", methods=["GET", "POST"])
@step("service")
def service():
    form = ChoiceForm()
    if form.is_submitted():
        try:
            # a changed answer forgets the mechanic and gives back the hold (draft_choose_service)
            return onward(g.draft.answer("choose_service", service_type=form.choice.data if form.validate() else None))
        except db.Refusal:
            return render_step("service.html", "service", 400, deposit=_deposit(),
                               error="Choose online or in person.")
    return render_step("service.html", "service", deposit=_deposit())


def _deposit():
    cheapest = db.call("list_plans")[0]["code"]
    return quote(cheapest, "in_person")["due_now_cents"]


# --- 2: vehicle ------------------------------------------------------------------------------------------

def _render_vehicle(vehicle_form=None, error=None, status=200):
    return render_step("vehicle.html", "vehicle", status, vehicle_form=vehicle_form or VehicleForm(),
                       vehicles=db.call("my_vehicles", actor=me()), error=error)


@bp.route("/vehicle", methods=["GET", "POST"])
@step("vehicle")
def vehicle():
    form = ChoiceForm()
    if not form.is_submitted():
        return _render_vehicle()
    if not form.validate():
        return _render_vehicle(error=db.Coded(errors.CODES["UV010"], "UV010"), status=400)
    if form.choice.data == "advice":
        return _choose_vehicle(None)
    try:
        return _choose_vehicle(row_id(form.choice.data))
    except (ValueError, db.Refusal) as refused:  # no row has that id, or UN001 (not theirs)
        code = refused.code if isinstance(refused, db.Refusal) else None
        return _render_vehicle(error=db.Coded("That vehicle is not one of yours. Choose one of the list, or Just Advice.",
                                              code), status=404)


def _choose_vehicle(vehicle_id):
    """A changed vehicle forgets a brand specialist chosen for the old make, and gives back the hold."""
    return onward(g.draft.answer("choose_vehicle", vehicle=vehicle_id))


@bp.post("/vehicle/new")
@step("vehicle")
def add_vehicle():
    vehicle_form = VehicleForm()
    vehicle_id, status = save_vehicle(vehicle_form)
    if vehicle_id is None:
        return _render_vehicle(vehicle_form=vehicle_form, status=status)
    return _choose_vehicle(vehicle_id)


# --- 3: plan ---------------------------------------------------------------------------------------------

def _render_plan(plans, error=None, status=200):
    quotes = {p["code"]: quote(p["code"], g.draft["service_type"]) for p in plans}
    return render_step("plan.html", "plan", status, plans=plans, quotes=quotes, error=error)


@bp.route("/plan", methods=["GET", "POST"])
@step("plan")
def plan():
    form = ChoiceForm()
    plans = db.call("list_plans")
    if not form.is_submitted():
        return _render_plan(plans)
    try:
        # a changed plan gives back the hold: it was for the old plan's length
        return onward(g.draft.answer("choose_plan", plan=form.choice.data if form.validate() else None))
    except db.Refusal as refusal:  # UV003: no such plan on sale
        return _render_plan(plans, error=refusal.message, status=400)


# --- 4: mechanic -----------------------------------------------------------------------------------------

def _specialist_make(draft):
    """The make a brand specialist can be asked for: the vehicle's, unless the customer wants advice only."""
    return draft.make


def _render_mechanic(error=None, status=200):
    draft = g.draft
    make = _specialist_make(draft)
    q = (request.values.get("q") or "").strip()[:100]
    brand = bool(make) and request.values.get("brand") == "1"
    mechanics = db.call("list_mechanics_near", actor=me(), service_type=draft["service_type"],
                        request_type="brand_specialist" if brand else None, make=make if brand else None, q=q or None)
    return render_step("mechanic.html", "mechanic", status, mechanics=mechanics, q=q,
                       brand=brand, make=make, error=error)


@bp.route("/mechanic", methods=["GET", "POST"])
@step("mechanic")
def mechanic():
    form = ChoiceForm()
    if not form.is_submitted():
        return _render_mechanic()
    choice = form.choice.data if form.validate() else ""
    if choice != "any" and not (choice.isascii() and choice.isdigit()):
        return _render_mechanic(error="Choose a mechanic, or any available mechanic.", status=400)
    try:
        # a changed mechanic (or request type) gives back the hold
        return onward(g.draft.answer("choose_mechanic", mechanic=None if choice == "any" else row_id(choice),
                             brand=form.brand.data == "1"))
    except (ValueError, db.Refusal) as refused:  # beyond bigint (no row has that id), or UN002
        code = refused.code if isinstance(refused, db.Refusal) else None
        return _render_mechanic(error=db.Coded(errors.CODES["UN002"] + " Choose one from the list.", code), status=404)
