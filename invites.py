"""Calendar invites for appointments: an iCalendar (.ics) body built with the `icalendar` library, and
add-to-calendar links for Google and Outlook. Every time is written in UTC, so no VTIMEZONE is needed and
any client shows the same instant; the UID stays the same for a session and SEQUENCE rises on each change,
so a reschedule or cancellation replaces the event already in the attendee's calendar."""
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

from icalendar import Alarm, Calendar, Event, vCalAddress

PRODID = "-//Auto Doctor//Appointments//EN"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")
REMINDER_BEFORE = timedelta(minutes=15)


def uid_for(session_id):
    return f"session-{session_id}@autodoctor.app"


def session_event(session, *, link, with_whom, organizer=None, attendees=(), stamp=None):
    """The calendar event of a session: session is a my_appointments row or a message's snapshot (id,
    starts_at, ends_at, status, calendar_sequence, plan_name, concern, service_type, workshop_name/address). An
    invite sent as a REQUEST or CANCEL names its organizer and attendees (RFC 5546). stamp (DTSTAMP) is when
    this calendar object was made: the message's own creation, or now for a download."""
    where = (f"{session['workshop_name']}, {session['workshop_address']}" if session["service_type"] == "in_person"
             else "Online: join from My appointments on Auto Doctor")
    return {
        "uid": uid_for(session["id"]), "sequence": session["calendar_sequence"],
        "start": session["starts_at"], "end": session["ends_at"], "stamp": stamp or datetime.now(timezone.utc),
        # not accepted yet (a request to a workshop or a mechanic): the calendar holds it as tentative
        "tentative": (session.get("status") or session.get("session_status")) == "requested",
        "summary": f"Auto Doctor: {session['plan_name']} session with {with_whom}",
        "description": f"{session['concern'] or ''}\n\nManage this appointment: {link}".strip(),
        "location": where, "url": link, "organizer": organizer, "attendees": list(attendees),
    }


def invite(event, *, method="PUBLISH"):
    """A VCALENDAR with one VEVENT. method is "PUBLISH", "REQUEST" or "CANCEL" (CANCEL => STATUS:CANCELLED)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_vevent(event, cancelled=method == "CANCEL"))
    return calendar.to_ical()


def _vevent(event, *, cancelled):
    vevent = Event()
    vevent.add("uid", event["uid"])
    vevent.add("sequence", event["sequence"])
    vevent.add("dtstamp", _utc(event["stamp"]))
    vevent.add("dtstart", _utc(event["start"]))
    vevent.add("dtend", _utc(event["end"]))
    vevent.add("summary", event["summary"])
    vevent.add("description", event["description"])
    vevent.add("status", "CANCELLED" if cancelled else "TENTATIVE" if event.get("tentative") else "CONFIRMED")
    if event.get("location"):
        vevent.add("location", event["location"])
    if event.get("url"):
        vevent.add("url", event["url"])
    if event.get("organizer"):
        vevent.add("organizer", vCalAddress(f"mailto:{event['organizer']}"))
    for attendee in event.get("attendees") or []:
        vevent.add("attendee", vCalAddress(f"mailto:{attendee}"))
    if not cancelled:
        vevent.add_component(_reminder(event["summary"]))
    return vevent


def _reminder(summary):
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -REMINDER_BEFORE)
    return alarm


def google_link(event):
    dates = "/".join(_utc(event[key]).strftime("%Y%m%dT%H%M%SZ") for key in ("start", "end"))
    return "https://calendar.google.com/calendar/render?" + _query({
        "action": "TEMPLATE",
        "text": event["summary"],
        "dates": dates,
        "details": event["description"],
        "location": event.get("location") or "",
    })


def outlook_link(event):
    return "https://outlook.live.com/calendar/0/deeplink/compose?" + _query({
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event["summary"],
        "startdt": _utc(event["start"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(event["end"]).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": event["description"],
        "location": event.get("location") or "",
    })


def _query(params):
    # %20, not "+", for spaces: Outlook on the web can show a "+" literally (after its sign-in redirect)
    return urlencode(params, quote_via=quote, safe="/:")


def _utc(moment):
    if moment.tzinfo is None:
        raise ValueError("invite times must be timezone-aware")
    return moment.astimezone(timezone.utc)
