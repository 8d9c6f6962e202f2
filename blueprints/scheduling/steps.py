"""The steps of Schedule over the customer's draft (blueprints/drafts.py, flow 'schedule'): which steps it
answers, the guard that sends a step visited too early to the first unanswered one, and the layout every step
shares."""
import functools
from datetime import datetime

from flask import g, redirect, render_template, url_for

import db
from blueprints.drafts import Draft, concern_is_described
from forms import concern_categories

FLOW = "schedule"
STEPS = (("service", "Service type"), ("vehicle", "Vehicle"), ("plan", "Plan"), ("mechanic", "Mechanic"),
         ("time", "Time"), ("intake", "Your concern"), ("review", "Review & pay"))
STEP_INDEX = {name: index for index, (name, _) in enumerate(STEPS)}
SERVICE_TYPES = ("online", "in_person")


def me():
    return g.user["id"]


def load_draft():
    return Draft(FLOW)


def _answered(draft):
    return {
        "service": draft.get("service_type") in SERVICE_TYPES,
        "vehicle": bool(draft.get("advice_only") or draft.get("vehicle_id")),
        "plan": bool(draft.get("plan")),
        "mechanic": bool(draft.get("mechanic_id") or draft.get("any_mechanic")),
        "time": bool(draft.get("hold_id")),
        # a concern carried from Book Now may have its category or an urgent short description: asked again
        "intake": draft.get("concern_category") in concern_categories(FLOW)
                  and concern_is_described(draft.get("concern")),
        "review": False,
    }


def _first_missing(draft):
    answered = _answered(draft)
    return next(name for name, _ in STEPS if not answered[name])


def onward(draft):
    """Where to go after a step: the first step still unanswered (the review once all are)."""
    return redirect(url_for(f"scheduling.{_first_missing(draft)}"))


def step(name):
    """A step's view: runs with g.draft when every earlier step is answered, else goes to the first missing."""
    def decorate(view):
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            g.draft = load_draft()
            if not reaches(g.draft, name):
                return onward(g.draft)
            return view(*args, **kwargs)
        return guarded
    return decorate


def reaches(draft, name):
    """Whether every step before `name` is answered in the draft."""
    return STEP_INDEX[_first_missing(draft)] >= STEP_INDEX[name]


def render_step(template, current, status=200, **context):
    """A step's page. What it says of the hold comes from the database, read once here (current_hold): the
    draft only remembers which hold it was, so no page can call a lapsed or lost hold held."""
    draft = g.draft
    missing = _first_missing(draft)
    hold = current_hold(draft)
    held = hold["starts_at"] if hold else hold_start(draft) if draft.get("hold_id") else None
    answered = {**_answered(draft), "time": bool(hold and hold["live"])}  # a lapsed hold is not shown as done
    return render_template(f"scheduling/{template}", steps=STEPS, current=current, index=STEP_INDEX[current],
                           reachable=STEP_INDEX[missing], onward=url_for(f"scheduling.{missing}"),
                           answered=answered, draft=draft, hold=hold, hold_start=held, **context), status


def current_hold(draft):
    """The draft's hold as the database sees it now (my_hold: live or not, seconds left); None without one."""
    if not draft.get("hold_id"):
        return None
    try:
        return db.call_one("my_hold", actor=me(), hold_id=draft["hold_id"])
    except db.Refusal as refusal:
        if refusal.code != "UN001":
            raise
        return None


def hold_start(draft):
    return datetime.fromisoformat(draft["hold_start"])


def request_type(draft):
    return draft.get("request_type") or "general"


def match_request(draft):
    """What "any available mechanic" is matched on: the make, the concern and the request type."""
    return {"make": draft.make, "concern": draft.get("concern"), "request_type": request_type(draft)}

