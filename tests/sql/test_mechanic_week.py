"""The mechanic's week calendar (SPEC §4), app.mechanic_week: blocks from the same schedule customers book
against, sessions, holds, breaks, closed days and time off on their local day and wall-clock time in the
mechanic's zone, DST weeks included; nobody else's rows; mechanics only."""
from datetime import date, timedelta

import psycopg
import pytest

from availability_world import local

ZONE = "America/Toronto"
WEEKDAYS = {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(1, 6)}
MONDAY = date(2026, 11, 23)  # the week of conftest.NOW (Monday 09:00 in Toronto)


def week(conn, mechanic, day=None):
    return conn.execute("select * from app.mechanic_week(%s, %s)", [mechanic, day]).fetchall()


def spans(rows, kind):
    """(local day, from, to) of one kind of item."""
    return [(r["day"], r["starts_local"], r["ends_local"]) for r in rows if r["kind"] == kind]


def named(world, person, name):
    world.conn.execute("update app.users set name = %s where id = %s", [name, person])
    return person


def hold(world, customer, mechanic, start, plan="standard", service="online"):
    return world.value("select hold_id from app.reserve_slot(%s, %s, %s, %s, %s)", [customer, mechanic, start, plan, service])


def test_blocks_sessions_holds_and_time_off_land_on_their_local_day_and_time(world):
    mechanic = world.mechanic(blocks=WEEKDAYS, min_notice_minutes=0)
    casey, robin = named(world, world.customer(), "Casey Customer"), named(world, world.customer(), "Robin Roe")
    session = world.book(casey, mechanic, local(ZONE, "2026-11-24 10:00"))
    hold(world, robin, mechanic, local(ZONE, "2026-11-25 14:00"), plan="premium")
    world.conn.execute("insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason, status) values "
                       "(%s, '2026-11-26', '2026-11-26', 'Dentist', 'approved'), "
                       "(%s, '2026-11-27', '2026-11-27', 'Course', 'pending')", [mechanic, mechanic])

    rows = week(world.conn, mechanic)

    days = [r for r in rows if r["kind"] == "day"]
    assert [d["day"] for d in days] == [MONDAY + timedelta(n) for n in range(7)]
    assert [d["is_today"] for d in days] == [True] + [False] * 6
    assert {r["zone"] for r in rows} == {ZONE}
    # approved time off takes the day's blocks away, as it does for customers; a pending one does not yet
    assert spans(rows, "block") == [(MONDAY + timedelta(n), start, end) for n in (0, 1, 2, 4)
                                    for start, end in (("09:00", "12:00"), ("13:00", "17:00"))]
    [booked] = [r for r in rows if r["kind"] == "session"]
    assert booked["day"] == date(2026, 11, 24) and (booked["starts_local"], booked["ends_local"]) == ("10:00", "10:30")
    assert booked["starts_at"] == local(ZONE, "2026-11-24 10:00") and booked["ends_at"] == local(ZONE, "2026-11-24 10:30")
    assert (booked["session_id"], booked["status"], booked["label"], booked["service_type"]) == (
        session, "scheduled", "Casey · Standard", "online")
    [on_hold] = [r for r in rows if r["kind"] == "hold"]
    assert (on_hold["day"], on_hold["starts_local"], on_hold["ends_local"]) == (date(2026, 11, 25), "14:00", "15:00")
    assert (on_hold["status"], on_hold["label"], on_hold["session_id"]) == ("reserved", "Premium", None)
    time_off = [(r["day"], r["all_day"], r["status"], r["label"]) for r in rows if r["kind"] == "time_off"]
    assert time_off == [(date(2026, 11, 26), True, "approved", "Dentist"), (date(2026, 11, 27), True, "pending", "Course")]
    # a day's rows come in time order, the day itself first
    tuesday = [(r["kind"], r["starts_local"]) for r in rows if r["day"] == date(2026, 11, 24)]
    assert tuesday == [("day", "00:00"), ("block", "09:00"), ("session", "10:00"), ("block", "13:00")]


def test_any_day_asks_for_its_week_and_this_week_is_the_mechanics(world, database):
    toronto = world.mechanic(zone=ZONE, blocks=WEEKDAYS)
    auckland = world.mechanic(zone="Pacific/Auckland", blocks=WEEKDAYS)
    for asked, monday in ((None, MONDAY), (date(2026, 11, 29), MONDAY), (date(2026, 11, 30), date(2026, 11, 30)),
                          (date(2026, 11, 23), MONDAY)):
        assert week(world.conn, toronto, asked)[0]["day"] == monday, asked
    # Sunday evening in Toronto is already Monday in Auckland: each mechanic's "this week" is their own
    database.set_clock(local(ZONE, "2026-11-29 18:00"))
    assert week(world.conn, toronto)[0]["day"] == MONDAY
    auckland_week = week(world.conn, auckland)
    assert auckland_week[0]["day"] == date(2026, 11, 30) and auckland_week[0]["is_today"]
    assert auckland_week[0]["starts_at"] == local("Pacific/Auckland", "2026-11-30 00:00")


def test_workshop_mechanics_see_its_hours_breaks_and_closed_days_and_owners_the_intersection(world):
    hours = {d: ("08:00", "18:00", "12:00", "13:00") for d in range(1, 6)} | {6: ("09:00", "14:00"), 7: None}
    workshop = world.workshop(hours=hours, closures=[date(2026, 11, 25)])
    employee = world.mechanic(workshop=workshop, partnership="employee")
    owner = world.mechanic(workshop=workshop, partnership="owner", blocks={1: [("10:00", "15:00")], 6: [("13:00", "20:00")]})

    staff = week(world.conn, employee)
    assert [s for s in spans(staff, "block") if s[0] == MONDAY] == [(MONDAY, "08:00", "12:00"), (MONDAY, "13:00", "18:00")]
    assert (MONDAY, "12:00", "13:00") in spans(staff, "break")
    assert (date(2026, 11, 28), "09:00", "14:00") in spans(staff, "block")
    assert spans(staff, "closed") == [(date(2026, 11, 25), "00:00", "24:00"), (date(2026, 11, 29), "00:00", "24:00")]
    assert not [s for s in spans(staff, "block") if s[0] in (date(2026, 11, 25), date(2026, 11, 29))]

    assert spans(week(world.conn, owner), "block") == [
        (MONDAY, "10:00", "12:00"), (MONDAY, "13:00", "15:00"), (date(2026, 11, 28), "13:00", "14:00")]
    assert spans(week(world.conn, owner), "break") == [(MONDAY, "12:00", "13:00")]


def test_blocks_hold_exactly_the_slots_customers_can_book(world):
    workshop = world.workshop(hours={d: ("08:00", "18:00", "12:00", "12:30") for d in range(1, 7)} | {7: None})
    virtual = world.mechanic(blocks=WEEKDAYS, min_notice_minutes=0)
    employee = world.mechanic(workshop=workshop, partnership="employee", min_notice_minutes=0)
    owner = world.mechanic(workshop=workshop, partnership="owner", blocks=WEEKDAYS, min_notice_minutes=0)
    for mechanic, service in ((virtual, "online"), (employee, "online"), (employee, "in_person"),
                              (owner, "online"), (owner, "in_person")):
        blocks = [(r["starts_at"], r["ends_at"]) for r in week(world.conn, mechanic) if r["kind"] == "block"]
        free = [s for s in world.slots(mechanic, MONDAY, MONDAY + timedelta(6), service=service, viewer=ZONE)
                if s["available"]]
        assert free
        assert all(any(lo <= s["slot_start"] and s["slot_end"] <= hi for lo, hi in blocks) for s in free)
        # and every block (after the clock) starts with a free slot: nothing customers can book is left out
        assert {lo for lo, _ in blocks if lo >= local(ZONE, "2026-11-23 09:00")} <= {s["slot_start"] for s in free}


@pytest.mark.parametrize("first_day, changed_day, hours_long", [
    (date(2026, 10, 20), date(2026, 11, 1), 25),   # the week of 2026-11-01: clocks go back on the Sunday
    (date(2027, 3, 5), date(2027, 3, 14), 23),     # and forward on 2027-03-14
])
def test_a_dst_week_keeps_wall_clock_times(world, database, first_day, changed_day, hours_long):
    database.set_clock(local(ZONE, f"{first_day} 08:00"))
    mechanic = world.mechanic(blocks={d: [("00:00", "04:00"), ("09:00", "17:00")] for d in range(1, 8)},
                              min_notice_minutes=0)
    customer = world.customer()
    before, after = changed_day - timedelta(1), changed_day
    for day in (before, after):
        world.book(customer, mechanic, local(ZONE, f"{day} 10:00"))

    rows = week(world.conn, mechanic, changed_day)

    assert rows[0]["day"] == changed_day - timedelta(6)
    lengths = {r["day"]: (r["ends_at"] - r["starts_at"]) / timedelta(hours=1) for r in rows if r["kind"] == "day"}
    assert lengths == {d: hours_long if d == changed_day else 24 for d in lengths}
    sessions = [r for r in rows if r["kind"] == "session"]
    assert [(r["day"], r["starts_local"], r["ends_local"]) for r in sessions] == [(before, "10:00", "10:30"),
                                                                                 (after, "10:00", "10:30")]
    # the same wall-clock time, one real day plus or minus the hour apart
    assert sessions[1]["starts_at"] - sessions[0]["starts_at"] == timedelta(hours=hours_long)
    night = [r for r in rows if r["kind"] == "block" and r["day"] == changed_day and r["starts_local"] == "00:00"]
    assert [(r["ends_local"], (r["ends_at"] - r["starts_at"]) / timedelta(hours=1)) for r in night] == [
        ("04:00", 4 + hours_long - 24)]
    assert [r["starts_at"] for r in rows if r["kind"] == "block" and r["starts_local"] == "09:00"] == [
        local(ZONE, f"{changed_day - timedelta(6 - n)} 09:00") for n in range(7)]


def test_a_session_across_midnight_is_shown_on_both_days(world):
    mechanic = world.mechanic(blocks={2: [("22:00", "24:00")], 3: [("00:00", "02:00")]}, min_notice_minutes=0)
    session = world.book(world.customer(), mechanic, local(ZONE, "2026-11-24 23:30"), plan="extended")
    rows = week(world.conn, mechanic)
    parts = [(r["day"], r["starts_local"], r["ends_local"], r["session_id"]) for r in rows if r["kind"] == "session"]
    assert parts == [(date(2026, 11, 24), "23:30", "24:00", session), (date(2026, 11, 25), "00:00", "00:15", session)]
    assert spans(rows, "block") == [(date(2026, 11, 24), "22:00", "24:00"), (date(2026, 11, 25), "00:00", "02:00")]


def book_now_session(world, database, mechanic, started):
    """A Book Now session of `mechanic`, accepted and started at `started` (the clock is left there)."""
    database.set_clock(started)
    world.conn.execute("select app.set_on_shift(%s, true)", [mechanic])
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                          "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')",
                          [named(world, world.customer(), "Avery Adams")])
    world.conn.execute("select app.answer_offer(%s, %s, true)", [mechanic, session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    return session


def test_a_book_now_session_shows_from_its_start_at_any_hour(world, database):
    mechanic = world.mechanic(blocks=WEEKDAYS, min_notice_minutes=0)
    live = book_now_session(world, database, mechanic, local(ZONE, "2026-11-23 08:16"))
    database.set_clock(local(ZONE, "2026-11-23 08:30"))
    [row] = [r for r in week(world.conn, mechanic) if r["kind"] == "session"]
    assert (row["day"], row["starts_local"], row["ends_local"]) == (MONDAY, "08:16", "08:46")  # its plan's length
    assert (row["session_id"], row["status"], row["label"]) == (live, "live", "Avery · Standard")
    database.set_clock(local(ZONE, "2026-11-23 09:00"))  # running over: until now
    assert spans(week(world.conn, mechanic), "session") == [(MONDAY, "08:16", "09:00")]
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic, live])
    [done] = [r for r in week(world.conn, mechanic) if r["kind"] == "session"]
    assert (done["starts_local"], done["ends_local"], done["status"]) == ("08:16", "09:00", "completed")
    assert spans(week(world.conn, mechanic, MONDAY + timedelta(7)), "session") == []


def test_requests_show_and_cancelled_sessions_and_lapsed_holds_do_not(world, database):
    mechanic = world.mechanic(blocks=WEEKDAYS, min_notice_minutes=0, instant_booking=False)
    customer = world.customer()
    requested = world.book(customer, mechanic, local(ZONE, "2026-11-24 10:00"))
    cancelled = world.book(customer, mechanic, local(ZONE, "2026-11-24 14:00"))
    world.conn.execute("select * from app.cancel_session(%s, %s, 'Plans changed')", [customer, cancelled])
    hold(world, world.customer(), mechanic, local(ZONE, "2026-11-25 10:00"))
    assert [(r["session_id"], r["status"]) for r in week(world.conn, mechanic) if r["kind"] == "session"] == [
        (requested, "requested")]
    assert len(spans(week(world.conn, mechanic), "hold")) == 1
    database.set_clock(local(ZONE, "2026-11-23 09:16"))  # the hold's 15 minutes are over
    assert spans(week(world.conn, mechanic), "hold") == []


def test_another_mechanics_rows_never_appear(world):
    mine, theirs = world.mechanic(blocks=WEEKDAYS), world.mechanic(blocks={6: [("09:00", "12:00")]})
    customer = world.customer()
    world.book(customer, theirs, local(ZONE, "2026-11-28 10:00"))
    hold(world, world.customer(), theirs, local(ZONE, "2026-11-28 11:00"))
    world.time_off(theirs, date(2026, 11, 24), date(2026, 11, 24))
    rows = week(world.conn, mine)
    assert {r["kind"] for r in rows} == {"day", "block"}
    assert not [s for s in spans(rows, "block") if s[0] == date(2026, 11, 28)]
    assert len(spans(rows, "block")) == 10


def test_only_mechanics_read_a_week_and_only_ten_years_either_way(world, database):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    customer = world.customer()
    for actor in (customer, 0):  # the owner acts for whoever it names: the role is what refuses
        with pytest.raises(psycopg.Error) as refused:
            week(world.conn, actor)
        assert refused.value.sqlstate == "UP001"
    with database.acting(mechanic) as app_conn:  # as the app calls it
        assert week(app_conn, mechanic)[0]["day"] == MONDAY
        for far in (date(2036, 12, 1), date(1900, 1, 1), date(9999, 12, 31)):
            with pytest.raises(psycopg.Error) as refused:
                week(app_conn, mechanic, far)
            assert refused.value.sqlstate == "UV041" and refused.value.diag.column_name == "week"
        assert week(app_conn, mechanic, date(2036, 11, 1))[0]["day"] == date(2036, 10, 27)
