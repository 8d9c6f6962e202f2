"""Property-based: over random schedules, time off and bookings (around DST changes too), the slot list and
the single-slot check agree both ways, and no free slot breaks a rule of SPEC §5 as checked here in Python."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from availability_world import World

pytestmark = pytest.mark.slow  # a property test: many generated schedules

ZONES = ["America/Toronto", "Europe/Berlin", "America/Regina", "America/St_Johns"]
NOWS = [datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc),  # an ordinary week
        datetime(2027, 3, 10, 15, 0, tzinfo=timezone.utc),  # the week of North America's spring change
        datetime(2027, 10, 27, 9, 0, tzinfo=timezone.utc)]  # the week of Europe's fall change
DAYS = 7


@st.composite
def day_spans(draw, max_spans=2):
    """Non-overlapping half-hour-aligned spans of a day between 05:00 and 24:00 (clear of DST hours)."""
    cuts = sorted(draw(st.sets(st.integers(10, 48), min_size=0, max_size=2 * max_spans)))
    spans = list(zip(cuts[0::2], cuts[1::2]))
    return [(half_hours(a), half_hours(b)) for a, b in spans]


def half_hours(n):
    return time(23, 59, 59, 999999) if n == 48 else time(n // 2, 30 * (n % 2))


@st.composite
def worlds(draw):
    kind = draw(st.sampled_from(["virtual_only", "independent_workshop", "workshop_affiliated"]))
    return {
        "zone": draw(st.sampled_from(ZONES)),
        "now": draw(st.sampled_from(NOWS)),
        "kind": kind,
        "blocks": {d: draw(day_spans()) for d in range(1, 8)},
        "shop": {d: draw(st.one_of(st.none(), day_spans(max_spans=1))) for d in range(1, 8)},
        "buffer": draw(st.sampled_from([0, 10, 15, 30])),
        "notice": draw(st.sampled_from([0, 60, 120])),
        "time_off": draw(st.lists(st.tuples(st.integers(0, DAYS), st.integers(0, 2)), max_size=2)),
        "bookings": draw(st.lists(st.tuples(st.integers(0, DAYS * 24 * 12), st.sampled_from([30, 45, 60])), max_size=10)),
        "probes": draw(st.lists(st.integers(0, DAYS * 48), min_size=5, max_size=25)),
    }


def as_db_time(t):
    return "24:00" if t == time(23, 59, 59, 999999) else t.strftime("%H:%M")


def build(conn, w):
    world = World(conn)
    conn.execute("select app.set_app_clock(%s)", [w["now"]])
    shop = None
    if w["kind"] != "virtual_only":
        hours = {d: ((as_db_time(spans[0][0]), as_db_time(spans[0][1])) if spans else None)
                 for d, spans in w["shop"].items()}
        shop = world.workshop(zone=w["zone"], hours=hours)
    blocks = {} if w["kind"] == "workshop_affiliated" else {
        d: [(as_db_time(a), as_db_time(b)) for a, b in spans] for d, spans in w["blocks"].items()}
    mechanic = world.mechanic(zone=w["zone"], blocks=blocks, workshop=shop,
                              partnership={"virtual_only": None, "independent_workshop": "owner",
                                           "workshop_affiliated": "employee"}[w["kind"]],
                              buffer_minutes=w["buffer"], min_notice_minutes=w["notice"])
    first_day = w["now"].astimezone(ZoneInfo(w["zone"])).date()
    # entries never overlap (mechanic_time_off_no_overlap): the days off go in as their runs of days
    days_off = sorted({offset + i for offset, length in w["time_off"] for i in range(length + 1)})
    runs = [[day] for day in days_off[:1]]
    for day in days_off[1:]:
        if day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        world.time_off(mechanic, first_day + timedelta(days=run[0]), first_day + timedelta(days=run[-1]))
    customer = world.customer()
    booked = []
    for five_minutes, minutes in w["bookings"]:
        start = w["now"] + timedelta(minutes=5 * five_minutes)
        try:
            with conn.transaction():
                world.claim(mechanic, customer, start, minutes=minutes, buffer=w["buffer"])
                booked.append((start, start + timedelta(minutes=minutes)))
        except psycopg.errors.ExclusionViolation:
            pass  # the constraint refused an overlapping claim: it is not part of this world
    return world, mechanic, first_day, booked


def hours_in_python(w, day):
    """The mechanic's source hours on a local day, as aware (start, end) pairs, computed without SQL."""
    zone = ZoneInfo(w["zone"])

    def instants(spans):
        return [(datetime.combine(day, a, zone), datetime.combine(day, b, zone) if b != time(23, 59, 59, 999999)
                 else datetime.combine(day + timedelta(days=1), time(0), zone)) for a, b in spans]

    own = instants(w["blocks"][day.isoweekday()])
    shop = instants(w["shop"][day.isoweekday()] or [])
    if w["kind"] == "virtual_only":
        return own
    if w["kind"] == "workshop_affiliated":
        return shop
    return [(max(a, c), min(b, d)) for a, b in own for c, d in shop if max(a, c) < min(b, d)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds())
def test_slot_list_and_slot_check_agree_and_keep_the_rules(database, w):
    with database.owner() as conn, conn.transaction(force_rollback=True):
        world, mechanic, first_day, booked = build(conn, w)
        last_day = first_day + timedelta(days=DAYS - 1)
        slots = world.slots(mechanic, first_day, last_day, viewer=w["zone"])
        free = {s["slot_start"] for s in slots if s["available"]}
        zone = ZoneInfo(w["zone"])
        event("some free slots" if free else "no free slot")
        event("some bookings" if booked else "no booking")
        days_off = {first_day + timedelta(days=o + i) for o, n in w["time_off"] for i in range(n + 1)}

        for slot in slots:  # the list agrees with the check, slot by slot
            assert world.reason(mechanic, slot["slot_start"]) == slot["reason"]

        for start in free:  # and a free slot keeps every rule
            end = start + timedelta(minutes=30)
            local_day = start.astimezone(zone).date()
            assert start >= w["now"] + timedelta(minutes=w["notice"])
            assert start <= w["now"] + timedelta(days=30)
            assert local_day not in days_off and (end - timedelta(microseconds=1)).astimezone(zone).date() not in days_off
            assert any(a <= start and end <= b for a, b in merge(hours_in_python(w, local_day)))
            for b_start, b_end in booked:
                assert end + timedelta(minutes=w["buffer"]) <= b_start or b_end + timedelta(minutes=w["buffer"]) <= start

        for probe in w["probes"]:  # the reverse: what the check accepts, the list offers
            midnight = datetime.combine(first_day, time(0), zone)
            start = (midnight + timedelta(minutes=30 * probe)).astimezone(timezone.utc)
            if start.astimezone(zone).date() > last_day:
                continue
            available = world.value("select app.is_slot_available(%s, %s, %s)", [mechanic, start, start + timedelta(minutes=30)])
            assert available == (start in free), start


def merge(spans):
    merged = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
