"""Step 5, the time: the 30-day calendar and a day's free times in the customer's zone, and the hold that keeps
the time chosen (reserve_slot, or reserve_any_slot for any available mechanic) while the customer finishes."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g, request

import db
from blueprints.scheduling import bp
from blueprints.scheduling.steps import hold_start, load_draft, match_request, me, onward, render_step, step
from forms.scheduling import ChoiceForm

CALENDAR_DAYS = 30


def _zone():
    return ZoneInfo(g.user["timezone"])


def _local_date(moment):
    return moment.astimezone(_zone()).date()


def local_day(moment):
    """The day of an instant in the customer's zone, as the calendar's ?day= takes it."""
    return _local_date(moment).isoformat()


def _noon(day):
    return datetime(day.year, day.month, day.day, 12, tzinfo=_zone())


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
        return [r["slot_start"] for r in db.call("any_mechanic_slots", actor=me(), **args, **match_request(draft))]
    return [r["slot_start"] for r in db.call("available_slots", mechanic=draft["mechanic_id"], customer=me(), **args)
            if r["available"]]


def nearest_free(draft, start):
    """The nearest free starts to one that could not be had."""
    if draft.get("any_mechanic"):
        day = _local_date(start)
        starts = _free_starts(draft, day - timedelta(days=3), day + timedelta(days=3))
        return sorted(starts, key=lambda s: (abs(s - start), s))[:3]
    return [r["nearest_free_starts"] for r in db.call(
        "nearest_free_starts", mechanic=draft["mechanic_id"], start=start, plan=draft["plan"],
        service_type=draft["service_type"], customer=me(), count=3)]


def _parts_of_day(starts):
    zone = _zone()
    parts = {"Morning": [], "Afternoon": [], "Evening": []}
    for start in starts:
        hour = start.astimezone(zone).hour
        parts["Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening"].append(start)
    return list(parts.items())


def _calendar_day(text, by_day):
    """The day asked for, when it is one of the calendar's."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if day in by_day else None


def _day_refusal(draft, day_text):
    """Why a day off the calendar cannot be booked, when the day itself is why (past, or beyond the mechanic's
    reach); None otherwise."""
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        return None
    return db.call_value("day_refusal_message", mechanic=draft.get("mechanic_id"), day=day, viewer_tz=g.user["timezone"])


def render_time(day_text=None, *, alternatives=(), message=None, message_for="choice", status=200):
    """The time step; message_for names the field the message is about (its element is "<field>-error"): the
    posted choice, or the ?day= asked for."""
    draft = g.draft
    days = db.call("schedule_calendar", actor=me(), mechanic=draft.get("mechanic_id"), plan=draft["plan"],
                   service_type=draft["service_type"], viewer_tz=g.user["timezone"], days=CALENDAR_DAYS,
                   **match_request(draft))
    by_day = {d["day"]: d for d in days}
    chosen = _calendar_day(day_text, by_day) if day_text else None
    if day_text and chosen is None and message is None:
        message = _day_refusal(draft, day_text) or "Pick a day from the calendar: the next 30 days are open."
        message_for, status = "day", 400
    if chosen is None and draft.get("hold_id"):
        chosen = _local_date(hold_start(draft))  # the day of the time held (or whose hold lapsed)
    if chosen not in by_day:
        chosen = next((d["day"] for d in days if d["free_starts"]), None)
    parts = _parts_of_day(_free_starts(draft, chosen, chosen)) if chosen else []
    mechanic = None if draft.get("any_mechanic") else db.call_one("mechanic_profile", mechanic=draft["mechanic_id"],
                                                                   viewer=me())
    return render_step("time.html", "time", status, weeks=_calendar_weeks(days), chosen=chosen,
                       parts=parts, mechanic=mechanic, alternatives=alternatives, message=message,
                       message_for=message_for,
                       today=days[0]["day"],
                       zone_abbr=_noon(chosen or days[0]["day"]).strftime("%Z"))


@bp.get("/time")
@step("time")
def time():
    return render_time(request.args.get("day"))


def _take(draft, start):
    """Holds the time in place of this draft's previous hold, in one transaction: if the new time is refused,
    the previous hold stays."""
    args = {"actor": me(), "start": start, "plan": draft["plan"], "service_type": draft["service_type"],
            "replace_hold": draft.get("hold_id")}
    if draft.get("any_mechanic"):
        return db.call_one("reserve_any_slot", **args, **match_request(draft))
    return db.call_one("reserve_slot", mechanic=draft["mechanic_id"], **args)


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
        return render_time(message="That time could not be read. Pick one of the free times below.", status=400)
    try:
        hold = _take(g.draft, start)
    except db.Refusal as refusal:
        g.draft = load_draft()
        nearest = nearest_free(g.draft, start) if refusal.status in (409, 422) else ()
        return render_time(local_day(start), alternatives=nearest, message=refusal.message, status=refusal.status)
    # in place of the hold it replaces (given back by the reservation already)
    return onward(g.draft.answer("choose_time", hold=hold["hold_id"]))
