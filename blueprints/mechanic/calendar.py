"""The mechanic's week calendar (SPEC §4): bookable blocks, booked sessions, holds, breaks, closed days and time
off, in the mechanic's own zone, a week at a time. The week is always the logged-in mechanic's: no URL names a
mechanic, so nobody can ask for another one's calendar.

app.mechanic_week gives one row per day and one per item and local day it touches; this module only lays them
out: a grid of hour rows by seven day columns for wide screens, and a list per day for phones."""
from datetime import date, timedelta

from flask import g, render_template, request

import db
from blueprints.mechanic import bp

WORKING_HOURS = (9, 17)  # the grid always shows at least 09:00-17:00, however little the week holds
BOOKED = {"session", "hold"}


@bp.get("/calendar")
def calendar():
    rows = db.call("mechanic_week", actor=g.user["id"], week=_week_asked())
    days = _days(rows)
    hours = _hours(rows)
    for day in days:
        day["cells"] = [_cell(day, hour) for hour in hours]
    monday = days[0]["day"]
    return render_template("mechanic/calendar.html", days=days, hours=hours, zone=days[0]["zone"], monday=monday,
                           previous=monday - timedelta(days=7), next=monday + timedelta(days=7),
                           this_week=any(day["is_today"] for day in days))


def _week_asked():
    """The day of ?week= (any day of the week asked for), or None for this week."""
    text = request.args.get("week")
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise db.Refusal("Give the week as a date such as 2026-11-23.", 400, field="week") from None


def _minutes(hh_mm):
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def _days(rows):
    """The seven days, each with its all-day items and its timed items (in time order, as the rows come)."""
    days = [dict(row, all_day_items=[], timed=[], hours_in_day=(row["ends_at"] - row["starts_at"]) / timedelta(hours=1))
            for row in rows if row["kind"] == "day"]
    by_date = {day["day"]: day for day in days}
    for row in rows:
        if row["kind"] != "day":
            by_date[row["day"]]["all_day_items" if row["all_day"] else "timed"].append(row)
    return days


def _hours(rows):
    """The grid's hour rows: the working hours, widened to the earliest timed item's hour and the latest one's
    end, so nothing of the week falls outside the grid (a Book Now session at 08:16, a block until 22:00)."""
    timed = [row for row in rows if row["kind"] != "day" and not row["all_day"]]
    first = min([WORKING_HOURS[0] * 60] + [_minutes(row["starts_local"]) for row in timed]) // 60
    last = -(-max([WORKING_HOURS[1] * 60] + [_minutes(row["ends_local"]) for row in timed]) // 60)
    return range(first, last)


def _cell(day, hour):
    """One hour of one day: the items that start in it, and its shade: booked (a session or hold covers part of
    it), open (a block does), off (a break, closed or time off), or none."""
    start, end = hour * 60, hour * 60 + 60
    covering = {row["kind"] for row in day["timed"]
                if _minutes(row["starts_local"]) < end and _minutes(row["ends_local"]) > start}
    if covering & BOOKED:
        shade = "booked"
    elif "block" in covering:
        shade = "open"
    elif covering or day["all_day_items"]:
        shade = "off"
    else:
        shade = "none"
    return {"shade": shade, "starting": [row for row in day["timed"] if _minutes(row["starts_local"]) // 60 == hour]}
