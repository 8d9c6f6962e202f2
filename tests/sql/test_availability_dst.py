"""Wall-clock schedules across DST changes: a 09:00 block is 09:00 local on both sides, no start falls in the
spring-forward gap, and the fall-back hour is neither lost nor doubled."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from availability_world import World, local

CHANGES = {  # zone: (spring forward, fall back) in 2027; Regina keeps no DST, so Toronto's dates stand in
    "America/Toronto": (date(2027, 3, 14), date(2027, 11, 7)),
    "Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
    "America/Regina": (date(2027, 3, 14), date(2027, 11, 7)),
}
SCHEDULES = [("08:00", "17:00"), ("13:00", "18:00")]


def wall_clock_starts(first, last):
    start, end = datetime.strptime(first, "%H:%M"), datetime.strptime(last, "%H:%M")
    times = []
    while start + timedelta(minutes=30) <= end:
        times.append(start.strftime("%H:%M"))
        start += timedelta(minutes=30)
    return times


@pytest.mark.parametrize("zone", CHANGES)
@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: "-".join(s))
@pytest.mark.parametrize("change", ["spring", "fall"])
def test_weekly_blocks_keep_their_wall_clock_times(database, zone, schedule, change):
    day_of_change = CHANGES[zone][0 if change == "spring" else 1]
    database.set_clock(local(zone, f"{day_of_change - timedelta(days=7)} 00:00"))
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(zone=zone, blocks={d: [schedule] for d in range(1, 8)}, max_advance_days=30)
        for day in (day_of_change - timedelta(days=1), day_of_change, day_of_change + timedelta(days=1)):
            slots = world.slots(mechanic, day, day, viewer=zone)
            starts = [s["slot_start"].astimezone(ZoneInfo(zone)) for s in slots]
            assert [s.strftime("%H:%M") for s in starts] == wall_clock_starts(*schedule), day
            assert {s.date() for s in starts} == {day}
            assert all(s["available"] for s in slots)
            assert all(s["slot_end"] - s["slot_start"] == timedelta(minutes=30) for s in slots)
            assert world.reason(mechanic, starts[0]) is None and world.reason(mechanic, starts[-1]) is None


def test_no_start_in_the_spring_forward_gap(database):
    database.set_clock(local("America/Toronto", "2027-03-07 00:00"))
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(zone="America/Toronto", blocks={7: [("00:00", "04:00")]}, min_notice_minutes=0)
        slots = world.slots(mechanic, date(2027, 3, 14), date(2027, 3, 14), viewer="America/Toronto")
        local_starts = [s["slot_start"].astimezone(ZoneInfo("America/Toronto")).strftime("%H:%M") for s in slots]
        # 00:00 EST to 04:00 EDT is three real hours; 02:00-03:00 does not exist that night
        assert local_starts == ["00:00", "00:30", "01:00", "01:30", "03:00", "03:30"]
        assert all(s["available"] for s in slots)


def test_the_fall_back_hour_is_neither_lost_nor_doubled(database):
    database.set_clock(local("America/Toronto", "2027-10-31 00:00"))
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(zone="America/Toronto", blocks={7: [("00:00", "03:00")]}, min_notice_minutes=0)
        slots = world.slots(mechanic, date(2027, 11, 7), date(2027, 11, 7), viewer="America/Toronto")
        starts = [s["slot_start"] for s in slots]
        # 00:00 EDT to 03:00 EST is four real hours: 01:00 and 01:30 happen twice, as different instants
        assert len(starts) == 8 and len(set(starts)) == 8
        assert all(b - a == timedelta(minutes=30) for a, b in zip(starts, starts[1:]))
        assert [s.astimezone(ZoneInfo("America/Toronto")).strftime("%H:%M") for s in starts] == [
            "00:00", "00:30", "01:00", "01:30", "01:00", "01:30", "02:00", "02:30"]
        assert all(world.reason(mechanic, s) is None for s in starts)


def test_a_booked_time_round_trips_to_the_same_wall_clock(database):
    database.set_clock(local("Europe/Berlin", "2027-03-21 00:00"))
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(zone="Europe/Berlin", blocks={d: [("08:00", "17:00")] for d in range(1, 8)})
        start = local("Europe/Berlin", "2027-03-29 08:00")  # the Monday after the change
        claim = world.claim(mechanic, world.customer(), start)
        stored = conn.execute("select starts_at from app.slot_reservations where id = %s", [claim]).fetchone()["starts_at"]
        assert stored.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M") == "2027-03-29 08:00"
        assert world.reason(mechanic, start) == "booked"
        before_change = local("Europe/Berlin", "2027-03-27 08:00")
        assert world.reason(mechanic, before_change) is None
        # the same wall clock, 47 real hours apart
        assert start.astimezone(timezone.utc) - before_change.astimezone(timezone.utc) == timedelta(hours=47)
