"""Calendar invites (SPEC §14): each invite is read back by two parsers independent of the `icalendar`
library that writes it (vobject and ics), so a mistake in how we use icalendar cannot hide itself."""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import ics
import pytest
import vobject

import invites

TORONTO = ZoneInfo("America/Toronto")
# Toronto leaves daylight saving time at 02:00 on 2026-11-01: 00:30 EDT to 02:30 EST is three real hours.
START = datetime(2026, 11, 1, 0, 30, tzinfo=TORONTO)
END = datetime(2026, 11, 1, 2, 30, tzinfo=TORONTO)
START_UTC = datetime(2026, 11, 1, 4, 30, tzinfo=timezone.utc)
END_UTC = datetime(2026, 11, 1, 7, 30, tzinfo=timezone.utc)
SUMMARY = "Brake check & fluids + tyres, Civic; 2019"
DESCRIPTION = "Mechanic: Sam, Lee; bay 3\nBring the key fob, please.\nNotes: squeal at 40 km/h; C:\\path"


def make_event(**changes):
    event = {
        "uid": invites.uid_for(42),
        "sequence": 3,
        "start": START,
        "end": END,
        "summary": SUMMARY,
        "description": DESCRIPTION,
        "location": "12 Main St, Toronto; rear door",
        "url": "https://autodoctor.app/appointments/42",
        "organizer": "bookings@autodoctor.app",
        "attendees": ["casey@example.com", "sam@example.com"],
        "stamp": datetime(2026, 10, 20, 9, 15, tzinfo=TORONTO),
    }
    return event | changes


def read_with_vobject(data):
    calendar = vobject.readOne(data.decode())
    event = calendar.vevent
    optional = {name: getattr(event, name).value if name in event.contents else None
                for name in ("location", "url", "organizer")}
    return {
        "prodid": calendar.prodid.value,
        "method": calendar.method.value,
        "uid": event.uid.value,
        "sequence": int(event.sequence.value),
        "start": event.dtstart.value,
        "end": event.dtend.value,
        "stamp": event.dtstamp.value,
        "status": event.status.value,
        "summary": event.summary.value,
        "description": event.description.value,
        "attendees": sorted(a.value for a in event.contents.get("attendee", [])),
        "alarms": [(a.action.value, a.trigger.value) for a in event.contents.get("valarm", [])],
        **optional,
    }


def read_with_ics(data):
    calendar = ics.Calendar(data.decode())
    [event] = calendar.events
    # ics 0.7 has no SEQUENCE attribute and keeps it among the unknown lines
    [sequence] = [line.value for line in event.extra if line.name == "SEQUENCE"]
    return {
        "prodid": calendar.creator,
        "method": calendar.method,
        "uid": event.uid,
        "sequence": int(sequence),
        "stamp": event.created.datetime,  # ics 0.7 reads DTSTAMP as `created`
        "start": event.begin.datetime,
        "end": event.end.datetime,
        "status": event.status,
        "summary": event.name,
        "description": event.description,
        "attendees": sorted(f"mailto:{a.email}" for a in event.attendees),
        "alarms": [(a.action, a.trigger) for a in event.alarms],
        "location": event.location,
        "url": event.url,
        "organizer": f"mailto:{event.organizer.email}" if event.organizer else None,
    }


parsers = pytest.mark.parametrize("read", [read_with_vobject, read_with_ics], ids=["vobject", "ics"])


@parsers
def test_start_and_end_are_the_input_instants_in_utc(read):
    parsed = read(invites.invite(make_event()))
    assert parsed["start"] == START_UTC == START
    assert parsed["end"] == END_UTC == END
    assert parsed["start"].utcoffset() == parsed["end"].utcoffset() == timedelta(0)
    assert parsed["end"] - parsed["start"] == timedelta(hours=3)


def test_version_2_and_times_written_in_utc_without_time_zones():
    data = invites.invite(make_event())
    assert b"\r\nVERSION:2.0\r\n" in data
    assert b"DTSTART:20261101T043000Z\r\n" in data
    assert b"DTEND:20261101T073000Z\r\n" in data
    assert b"DTSTAMP:20261020T131500Z\r\n" in data
    assert b"TZID" not in data and b"VTIMEZONE" not in data


@parsers
def test_uid_sequence_and_product_round_trip(read):
    parsed = read(invites.invite(make_event(sequence=7)))
    assert parsed["uid"] == "session-42@autodoctor.app"
    assert parsed["sequence"] == 7
    assert parsed["prodid"] == "-//Auto Doctor//Appointments//EN"


def test_uid_is_stable_per_session():
    assert invites.uid_for(42) == invites.uid_for("42") == "session-42@autodoctor.app"
    assert invites.uid_for(43) != invites.uid_for(42)


@parsers
@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST"])
def test_a_booking_is_confirmed_with_a_reminder_15_minutes_before(read, method):
    parsed = read(invites.invite(make_event(), method=method))
    assert parsed["method"] == method
    assert parsed["status"] == "CONFIRMED"
    assert parsed["alarms"] == [("DISPLAY", timedelta(minutes=-15))]
    assert parsed["url"] == "https://autodoctor.app/appointments/42"
    assert parsed["organizer"] == "mailto:bookings@autodoctor.app"
    assert parsed["attendees"] == ["mailto:casey@example.com", "mailto:sam@example.com"]


@parsers
def test_a_booking_not_accepted_yet_is_tentative(read):
    parsed = read(invites.invite(make_event(tentative=True), method="REQUEST"))
    assert parsed["status"] == "TENTATIVE"
    assert parsed["alarms"] == [("DISPLAY", timedelta(minutes=-15))]
    assert read(invites.invite(make_event(tentative=True), method="CANCEL"))["status"] == "CANCELLED"


@parsers
def test_dtstamp_is_when_the_calendar_object_was_made(read):
    assert read(invites.invite(make_event()))["stamp"] == datetime(2026, 10, 20, 13, 15, tzinfo=timezone.utc)


def test_a_session_event_is_tentative_until_accepted_and_stamped_now_when_downloaded():
    session = {"id": 42, "calendar_sequence": 2, "starts_at": START, "ends_at": END, "plan_name": "Standard",
               "concern": None, "service_type": "online", "status": "requested"}
    before = datetime.now(timezone.utc)
    event = invites.session_event(session, link="https://autodoctor.app/a/42", with_whom="Sam")
    assert event["tentative"] and before <= event["stamp"] <= datetime.now(timezone.utc)
    accepted = invites.session_event(session | {"status": "scheduled"}, link="x", with_whom="Sam", stamp=START)
    assert not accepted["tentative"] and accepted["stamp"] == START


@parsers
def test_a_cancellation_is_cancelled_and_has_no_reminder(read):
    parsed = read(invites.invite(make_event(sequence=4), method="CANCEL"))
    assert parsed["method"] == "CANCEL"
    assert parsed["status"] == "CANCELLED"
    assert parsed["alarms"] == []
    assert (parsed["uid"], parsed["sequence"]) == ("session-42@autodoctor.app", 4)


@parsers
def test_text_with_new_lines_commas_and_semicolons_survives(read):
    parsed = read(invites.invite(make_event()))
    assert parsed["description"] == DESCRIPTION
    assert parsed["summary"] == SUMMARY
    assert parsed["location"] == "12 Main St, Toronto; rear door"


def test_optional_fields_are_left_out():
    data = invites.invite(make_event(location=None, url=None, organizer=None, attendees=[]))
    parsed = read_with_vobject(data)
    assert (parsed["location"], parsed["url"], parsed["organizer"], parsed["attendees"]) == (None, None, None, [])
    assert not re.search(rb"^(LOCATION|URL|ORGANIZER|ATTENDEE)[:;]", data, re.MULTILINE)


def test_unknown_method_and_naive_times_are_refused():
    with pytest.raises(ValueError, match="method"):
        invites.invite(make_event(), method="DELETE")
    with pytest.raises(ValueError, match="timezone-aware"):
        invites.invite(make_event(start=datetime(2026, 11, 1, 0, 30)))


def test_google_link_carries_utc_dates_and_the_encoded_text():
    link = urlsplit(invites.google_link(make_event()))
    query = parse_qs(link.query, strict_parsing=True)
    assert (link.scheme, link.netloc, link.path) == ("https", "calendar.google.com", "/calendar/render")
    assert query == {
        "action": ["TEMPLATE"],
        "text": [SUMMARY],
        "dates": ["20261101T043000Z/20261101T073000Z"],
        "details": [DESCRIPTION],
        "location": ["12 Main St, Toronto; rear door"],
    }


def test_outlook_link_carries_utc_dates_and_the_encoded_subject():
    link = urlsplit(invites.outlook_link(make_event(location=None)))
    query = parse_qs(link.query, strict_parsing=True, keep_blank_values=True)
    assert (link.scheme, link.netloc, link.path) == ("https", "outlook.live.com", "/calendar/0/deeplink/compose")
    assert query == {
        "path": ["/calendar/action/compose"],
        "rru": ["addevent"],
        "subject": [SUMMARY],
        "startdt": ["2026-11-01T04:30:00Z"],
        "enddt": ["2026-11-01T07:30:00Z"],
        "body": [DESCRIPTION],
        "location": [""],
    }


def test_links_encode_spaces_as_percent_20():
    # a literal "+" in the title must not be confused with an encoded space
    for link in (invites.google_link(make_event()), invites.outlook_link(make_event())):
        query = urlsplit(link).query
        assert "+" not in query and "%2B" in query and "%20" in query and "%26" in query
