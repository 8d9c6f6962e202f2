"""What the customer chose so far, kept in the server-side draft (my_draft 'schedule'): which steps it answers,
the guard that sends a step visited too early to the first unanswered one, and the layout every step shares."""
import functools
from datetime import datetime

from flask import g, redirect, render_template, url_for
from psycopg.types.json import Jsonb

import db
from forms import concern_categories

FLOW = "schedule"
STEPS = (("service", "Service type"), ("vehicle", "Vehicle"), ("plan", "Plan"), ("mechanic", "Mechanic"),
         ("time", "Time"), ("intake", "Your concern"), ("review", "Review & pay"))
STEP_INDEX = {name: index for index, (name, _) in enumerate(STEPS)}
SERVICE_TYPES = ("online", "in_person")
MIN_CONCERN = 10  # what draft_describe_concern asks of a Schedule concern
NO_HOLD = {"hold_id": None, "hold_start": None, "hold_mechanic_id": None}


def me():
    return g.user["id"]


def load_draft():
    return db.call_value("my_draft", actor=me(), flow=FLOW)


def save_draft(**data):
    """Merges into the draft (a key given None is forgotten) and returns the whole draft."""
    return db.call_value("save_draft", actor=me(), flow=FLOW, data=Jsonb(data))


def choose(step_name, **answer):
    """Answers a step through its function (draft_choose_<step>), which checks the answer, forgets the later
    answers that depended on the one it changed, gives back the hold with them, and returns the whole draft."""
    return db.call_value(f"draft_choose_{step_name}", actor=me(), flow=FLOW, **answer)


def clear_draft():
    db.call("clear_draft", actor=me(), flow=FLOW)


def _answered(draft):
    return {
        "service": draft.get("service_type") in SERVICE_TYPES,
        "vehicle": bool(draft.get("advice_only") or draft.get("vehicle_id")),
        "plan": bool(draft.get("plan")),
        "mechanic": bool(draft.get("mechanic_id") or draft.get("any_mechanic")),
        "time": bool(draft.get("hold_id")),
        # a concern carried from Book Now may have its category or an urgent short description: asked again
        "intake": draft.get("concern_category") in concern_categories(FLOW)
                  and len((draft.get("concern") or "").strip()) >= MIN_CONCERN,
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


def draft_vehicle(draft):
    if not draft.get("vehicle_id"):
        return None
    return next((v for v in db.call("my_vehicles", actor=me()) if v["id"] == draft["vehicle_id"]), None)


def draft_make(draft):
    vehicle = draft_vehicle(draft)
    return vehicle["make"] if vehicle else None


def request_type(draft):
    return draft.get("request_type") or "general"


def match_request(draft):
    """What "any available mechanic" is matched on: the make, the concern and the request type."""
    return {"make": draft_make(draft), "concern": draft.get("concern"), "request_type": request_type(draft)}


def draft_attachments():
    return db.call("draft_attachments", actor=me(), flow=FLOW)
