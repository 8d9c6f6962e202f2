"""The availability editor in SQL (SPEC §4, §1, §5): weekly blocks replaced a weekday at a time, time off and
booking settings, each acting on the actor's own rows only; what customers see follows at once."""
import time as clock
from concurrent.futures import ThreadPoolExecutor
from datetime import date, time, timedelta

import psycopg
import pytest

from availability_world import local
from conftest import NOW
from support import sqlstate

TUESDAY = date(2026, 11, 24)  # NOW is Monday 23 November, 09:00 in Toronto
SHOP_HOURS = {d: ("08:00", "18:00") for d in range(1, 8)}


def at(text):
    return local("America/Toronto", text)


def set_blocks(conn, actor, weekday, blocks):
    return next(iter(conn.execute(
        "select app.set_weekly_blocks(p_actor => %s, p_weekday => %s, p_starts => %s::time[], p_ends => %s::time[])",
        [actor, weekday, [b[0] for b in blocks], [b[1] for b in blocks]]).fetchone().values()))


def blocks_of(world, mechanic):
    return [(r["weekday"], r["start"], r["end"]) for r in world.conn.execute(
        "select weekday, to_char(start_time, 'HH24:MI') as start, to_char(end_time, 'HH24:MI') as end "
        "from app.mechanic_availability where mechanic_id = %s order by weekday, start_time", [mechanic])]


def free_starts(world, mechanic, day=TUESDAY):
    return [s["slot_start"] for s in world.slots(mechanic, day, day) if s["available"]]


def add_time_off(conn, actor, first, last, reason=None):
    return conn.execute("select * from app.add_time_off(p_actor => %s, p_start_date => %s, p_end_date => %s, "
                        "p_reason => %s)", [actor, first, last, reason]).fetchone()


def time_off_of(world, mechanic):
    return world.conn.execute("select id, start_date, end_date, reason, status from app.mechanic_time_off "
                              "where mechanic_id = %s order by id", [mechanic]).fetchall()


def update_settings(conn, actor, buffer=15, notice=120, advance=30, instant=True):
    return conn.execute("select * from app.update_mechanic_settings(p_actor => %s, p_buffer_minutes => %s, "
                        "p_min_notice_minutes => %s, p_max_advance_days => %s, p_instant_booking => %s)",
                        [actor, buffer, notice, advance, instant]).fetchone()


def settings_of(world, mechanic):
    return world.conn.execute("select buffer_minutes, min_notice_minutes, max_advance_days, instant_booking "
                              "from app.mechanic_settings where mechanic_id = %s", [mechanic]).fetchone()


# --- weekly blocks ---------------------------------------------------------------------------------------

def test_several_blocks_replace_one_weekday_and_customers_see_them_at_once(world, database):
    mechanic = world.mechanic(blocks={2: [("09:00", "17:00")], 3: [("10:00", "12:00")]})
    other = world.mechanic(blocks={2: [("09:00", "17:00")]})
    assert len(free_starts(world, mechanic)) == 16
    with database.acting(mechanic) as app:  # as the running app calls it
        assert set_blocks(app, mechanic, 2, [("13:00", "14:00"), ("09:00", "10:00")]) == 2
    assert blocks_of(world, mechanic) == [(2, "09:00", "10:00"), (2, "13:00", "14:00"), (3, "10:00", "12:00")]
    assert free_starts(world, mechanic) == [at("2026-11-24 09:00"), at("2026-11-24 09:30"),
                                            at("2026-11-24 13:00"), at("2026-11-24 13:30")]
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "outside_hours"
    assert blocks_of(world, other) == [(2, "09:00", "17:00")]  # nobody else's calendar moved


def test_touching_blocks_an_end_of_midnight_and_clearing_a_day(world):
    mechanic = world.mechanic(blocks={5: [("09:00", "17:00")]})
    assert set_blocks(world.conn, mechanic, 2, [("09:00", "12:00"), ("12:00", "00:00")]) == 2
    assert set_blocks(world.conn, mechanic, 3, [("00:00", "00:00")]) == 1  # the whole day
    assert blocks_of(world, mechanic) == [(2, "09:00", "12:00"), (2, "12:00", "24:00"), (3, "00:00", "24:00"),
                                          (5, "09:00", "17:00")]
    assert free_starts(world, mechanic)[-1] == at("2026-11-24 23:30")
    assert set_blocks(world.conn, mechanic, 5, []) == 0
    assert [b for b in blocks_of(world, mechanic) if b[0] == 5] == []


@pytest.mark.parametrize("weekday, starts, ends, code", [
    (2, ["10:00", "09:00"], ["09:00", "12:00"], "UV021"),  # reversed
    (2, ["09:00"], ["09:00"], "UV021"),  # empty
    (2, ["09:00", "11:00"], ["12:00", "13:00"], "UV022"),  # overlapping
    (2, ["09:00", "09:00"], ["10:00", "10:00"], "UV022"),  # the same twice
    (2, ["08:00", "12:00"], ["18:00", "13:00"], "UV022"),  # one inside another
    (2, ["09:00", None], ["10:00", "12:00"], "UV020"),  # half a block
    (2, ["09:00"], ["10:00", "12:00"], "UV020"),  # unequal lists
    (2, ["09:00:30"], ["10:00"], "UV020"),  # not whole minutes
    (2, None, ["10:00"], "UV020"),
    (0, ["09:00"], ["10:00"], "UV020"),  # weekday out of range
    (8, ["09:00"], ["10:00"], "UV020"),
])
def test_bad_blocks_are_refused_and_change_nothing(world, weekday, starts, ends, code):
    mechanic = world.mechanic(blocks={2: [("09:00", "17:00")], 4: [("08:00", "09:00")]})
    before = blocks_of(world, mechanic)
    assert sqlstate(lambda: world.conn.execute(
        "select app.set_weekly_blocks(%s, %s, %s::time[], %s::time[])", [mechanic, weekday, starts, ends])) == code
    assert blocks_of(world, mechanic) == before


def test_two_saves_of_one_day_at_once_take_turns_and_the_later_wins_whole(world, database):
    mechanic = world.mechanic(blocks={2: [("09:00", "17:00")]})
    with database.acting(mechanic) as first, database.acting(mechanic) as second, ThreadPoolExecutor(max_workers=1) as pool:
        with first.transaction():
            set_blocks(first, mechanic, 2, [("09:00", "12:00"), ("13:00", "17:00")])
            later = pool.submit(set_blocks, second, mechanic, 2, [("10:00", "14:00")])
            while not world.value("select count(*) from pg_stat_activity where wait_event_type = 'Lock' "
                                  "and query like '%%set_weekly_blocks%%'"):
                clock.sleep(0.01)
        assert later.result(timeout=10) == 1  # it waited, then replaced the first save's blocks: no overlap error
    assert blocks_of(world, mechanic) == [(2, "10:00", "14:00")]


def test_the_exclusion_constraint_still_guards_blocks_written_by_hand(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "12:00")]})
    with pytest.raises(psycopg.errors.ExclusionViolation) as failure:
        world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                           "values (%s, 2, '11:00', '13:00')", [mechanic])
    assert failure.value.diag.constraint_name == "mechanic_availability_no_overlap"


def test_a_workshop_affiliated_mechanic_cannot_set_blocks(world):
    shop = world.workshop(hours=SHOP_HOURS)
    employee = world.mechanic(workshop=shop, partnership="employee")
    owner = world.mechanic(workshop=shop, partnership="owner")
    assert sqlstate(lambda: set_blocks(world.conn, employee, 2, [("09:00", "10:00")])) == "UR020"
    assert blocks_of(world, employee) == []
    # an independent workshop's own blocks meet the workshop's hours (SPEC §1)
    assert set_blocks(world.conn, owner, 2, [("07:00", "09:00")]) == 1
    assert free_starts(world, owner) == [at("2026-11-24 08:00"), at("2026-11-24 08:30")]


def test_only_mechanics_may_edit_and_only_their_own(world):
    customer, mechanic = world.customer(), world.mechanic(blocks={2: [("09:00", "17:00")]})
    world.time_off(mechanic, TUESDAY, TUESDAY)
    mine = time_off_of(world, mechanic)[0]["id"]
    calls = [
        lambda: set_blocks(world.conn, customer, 2, [("09:00", "10:00")]),
        lambda: add_time_off(world.conn, customer, TUESDAY, TUESDAY),
        lambda: world.conn.execute("select app.cancel_time_off(%s, %s)", [customer, mine]),
        lambda: update_settings(world.conn, customer),
        lambda: world.conn.execute("select * from app.my_availability(%s)", [customer]),
        lambda: world.conn.execute("select * from app.my_time_off(%s)", [customer]),
    ]
    assert [sqlstate(call) for call in calls] == ["UP001"] * len(calls)
    assert blocks_of(world, mechanic) == [(2, "09:00", "17:00")]
    assert [t["status"] for t in time_off_of(world, mechanic)] == ["approved"]


def test_my_availability_shows_the_editor_and_the_workshops_hours(world):
    shop = world.workshop(hours={2: ("08:00", "18:00", "12:00", "13:00"), 7: None})
    owner = world.mechanic(zone="America/Halifax", workshop=shop, partnership="owner",
                           blocks={2: [("09:00", "12:00"), ("13:00", "24:00")]}, instant_booking=False)
    me = world.conn.execute("select * from app.my_availability(%s)", [owner]).fetchone()
    assert me["mechanic_type"] == "independent_workshop" and me["timezone"] == "America/Halifax"
    assert (me["workshop"], me["workshop_timezone"]) == ("Shop", "America/Toronto")
    assert (me["buffer_minutes"], me["min_notice_minutes"], me["max_advance_days"], me["instant_booking"]) == (15, 120, 30, False)
    assert me["blocks"] == [{"weekday": 2, "start": "09:00", "end": "12:00"}, {"weekday": 2, "start": "13:00", "end": "24:00"}]
    assert me["workshop_hours"] == [
        {"weekday": 2, "closed": False, "opens": "08:00", "closes": "18:00", "break_start": "12:00", "break_end": "13:00"},
        {"weekday": 7, "closed": True, "opens": None, "closes": None, "break_start": None, "break_end": None}]


# --- time off --------------------------------------------------------------------------------------------

def test_time_off_removes_slots_and_cancelling_it_gives_them_back(world):
    mechanic = world.mechanic(blocks={d: [("09:00", "17:00")] for d in range(1, 8)})
    added = add_time_off(world.conn, mechanic, TUESDAY, TUESDAY + timedelta(days=1), "  Dentist  ")
    assert added["booked_sessions"] == 0
    assert free_starts(world, mechanic) == [] and free_starts(world, mechanic, TUESDAY + timedelta(days=1)) == []
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "time_off"
    assert len(free_starts(world, mechanic, TUESDAY + timedelta(days=2))) == 16
    assert time_off_of(world, mechanic)[0]["reason"] == "Dentist"
    world.conn.execute("select app.cancel_time_off(%s, %s)", [mechanic, added["time_off_id"]])
    assert len(free_starts(world, mechanic)) == 16
    assert time_off_of(world, mechanic)[0]["status"] == "cancelled"
    # once cancelled it is gone: a second cancel finds nothing
    assert sqlstate(lambda: world.conn.execute("select app.cancel_time_off(%s, %s)", [mechanic, added["time_off_id"]])) == "UN001"


def test_time_off_keeps_booked_sessions_and_says_which(world):
    customer, mechanic = world.customer(), world.mechanic(blocks={2: [("09:00", "17:00")]})
    session = world.book(customer, mechanic, at("2026-11-24 10:00"))
    outside = world.book(customer, mechanic, at("2026-12-01 10:00"))
    added = add_time_off(world.conn, mechanic, TUESDAY, TUESDAY)
    assert added["booked_sessions"] == 1
    assert world.value("select status from app.sessions where id = %s", [session]) == "scheduled"
    listed = world.conn.execute("select * from app.my_time_off(%s)", [mechanic]).fetchall()
    assert [(t["id"], t["booked_starts"]) for t in listed] == [(added["time_off_id"], [at("2026-11-24 10:00")])]
    assert world.value("select status from app.sessions where id = %s", [outside]) == "scheduled"


@pytest.mark.parametrize("first, last, reason, code", [
    (TUESDAY, TUESDAY - timedelta(days=1), None, "UV023"),
    (date(2026, 11, 22), TUESDAY, None, "UV024"),  # yesterday in Toronto
    (TUESDAY, TUESDAY, "x" * 201, "UV025"),
    (None, TUESDAY, None, "UV001"),
    (TUESDAY, None, None, "UV001"),
])
def test_bad_time_off_is_refused_and_adds_nothing(world, first, last, reason, code):
    mechanic = world.mechanic()
    assert sqlstate(lambda: add_time_off(world.conn, mechanic, first, last, reason)) == code
    assert time_off_of(world, mechanic) == []


@pytest.mark.parametrize("first, last, code", [
    (TUESDAY, date(2099, 11, 24), "UV029"),                        # a slip of the year
    (TUESDAY, TUESDAY + timedelta(days=90), "UV029"),              # 91 days
    (date(2026, 11, 23) + timedelta(days=366), date(2026, 11, 23) + timedelta(days=366), "UV030"),  # beyond a year
])
def test_time_off_too_long_or_too_far_ahead_is_refused(world, first, last, code):
    mechanic = world.mechanic()
    assert sqlstate(lambda: add_time_off(world.conn, mechanic, first, last)) == code
    assert time_off_of(world, mechanic) == []


def test_time_off_of_90_days_within_a_year_is_kept(world):
    mechanic = world.mechanic()
    add_time_off(world.conn, mechanic, TUESDAY, TUESDAY + timedelta(days=89))
    far = date(2026, 11, 23) + timedelta(days=365)
    add_time_off(world.conn, mechanic, far, far)
    assert [(t["start_date"], t["end_date"]) for t in time_off_of(world, mechanic)] == [
        (TUESDAY, TUESDAY + timedelta(days=89)), (far, far)]


def test_time_off_that_overlaps_or_continues_another_joins_it(world):
    mechanic = world.mechanic(blocks={d: [("09:00", "17:00")] for d in range(1, 8)})
    first = add_time_off(world.conn, mechanic, date(2026, 12, 1), date(2026, 12, 5), "Vacation")
    second = add_time_off(world.conn, mechanic, date(2026, 12, 10), date(2026, 12, 12))
    joined = add_time_off(world.conn, mechanic, date(2026, 12, 4), date(2026, 12, 9), "Extended")
    assert (joined["time_off_id"], joined["start_date"], joined["end_date"], joined["joined"]) == (
        first["time_off_id"], date(2026, 12, 1), date(2026, 12, 12), 2)
    assert [(t["id"], t["start_date"], t["end_date"], t["reason"], t["status"]) for t in time_off_of(world, mechanic)] == [
        (first["time_off_id"], date(2026, 12, 1), date(2026, 12, 12), "Vacation", "approved"),
        (second["time_off_id"], date(2026, 12, 10), date(2026, 12, 12), None, "cancelled")]
    assert [t["id"] for t in world.conn.execute("select * from app.my_time_off(%s)", [mechanic])] == [first["time_off_id"]]
    # the day after continues it; inside it changes nothing
    after = add_time_off(world.conn, mechanic, date(2026, 12, 13), date(2026, 12, 13))
    inside = add_time_off(world.conn, mechanic, date(2026, 12, 2), date(2026, 12, 3))
    assert {(r["time_off_id"], r["start_date"], r["end_date"]) for r in (after, inside)} == {
        (first["time_off_id"], date(2026, 12, 1), date(2026, 12, 13))}
    assert len(time_off_of(world, mechanic)) == 2
    # another mechanic's time off is theirs
    assert add_time_off(world.conn, world.mechanic(), date(2026, 12, 2), date(2026, 12, 2))["joined"] == 0


def test_time_off_joined_past_90_days_is_refused_and_nothing_changes(world):
    mechanic = world.mechanic()
    add_time_off(world.conn, mechanic, TUESDAY, TUESDAY + timedelta(days=59))
    before = time_off_of(world, mechanic)
    assert sqlstate(lambda: add_time_off(world.conn, mechanic, TUESDAY + timedelta(days=60),
                                         TUESDAY + timedelta(days=90))) == "UV029"
    assert time_off_of(world, mechanic) == before


def test_time_off_entries_never_overlap(world):
    mechanic = world.mechanic()
    world.time_off(mechanic, TUESDAY, TUESDAY + timedelta(days=3))
    world.time_off(mechanic, TUESDAY, TUESDAY, status="cancelled")  # a cancelled entry is no time off
    with pytest.raises(psycopg.errors.ExclusionViolation) as failure:
        world.time_off(mechanic, TUESDAY + timedelta(days=3), TUESDAY + timedelta(days=5))
    assert failure.value.diag.constraint_name == "mechanic_time_off_no_overlap"


def test_time_off_may_start_today(world):
    mechanic = world.mechanic()
    add_time_off(world.conn, mechanic, date(2026, 11, 23), date(2026, 11, 23))
    assert len(time_off_of(world, mechanic)) == 1


def test_someone_elses_or_an_ended_time_off_cannot_be_cancelled(world, database):
    mine, theirs = world.mechanic(), world.mechanic()
    world.time_off(theirs, TUESDAY, TUESDAY)
    world.time_off(mine, date(2026, 11, 20), date(2026, 11, 22))  # ended yesterday
    for time_off in time_off_of(world, theirs) + time_off_of(world, mine):
        with database.acting(mine) as app:
            assert sqlstate(lambda: app.execute("select app.cancel_time_off(%s, %s)", [mine, time_off["id"]])) == "UN001"
    assert [t["status"] for t in time_off_of(world, theirs) + time_off_of(world, mine)] == ["approved", "approved"]
    assert world.conn.execute("select * from app.my_time_off(%s)", [mine]).fetchall() == []  # the ended one is not listed


# --- settings --------------------------------------------------------------------------------------------

def test_settings_are_saved_and_apply_to_slots_at_once(world):
    mechanic = world.mechanic(blocks={d: [("09:00", "17:00")] for d in range(1, 8)})
    monday = NOW.date()
    assert free_starts(world, mechanic, monday)[0] == at("2026-11-23 11:00")  # 2 h notice from 09:00
    saved = update_settings(world.conn, mechanic, buffer=0, notice=0, advance=2, instant=False)
    assert saved == {"buffer_minutes": 0, "min_notice_minutes": 0, "max_advance_days": 2, "instant_booking": False}
    assert settings_of(world, mechanic) == saved
    assert free_starts(world, mechanic, monday)[0] == at("2026-11-23 09:00")
    assert world.reason(mechanic, at("2026-11-26 10:00")) == "too_far"


@pytest.mark.parametrize("change, code", [
    (dict(buffer=-1), "UV026"), (dict(buffer=241), "UV026"), (dict(buffer=None), "UV026"),
    (dict(notice=-1), "UV027"), (dict(notice=20161), "UV027"),
    (dict(advance=0), "UV028"), (dict(advance=366), "UV028"),
    (dict(instant=None), "UV001"),
])
def test_settings_out_of_range_are_refused_and_change_nothing(world, change, code):
    mechanic = world.mechanic()
    before = settings_of(world, mechanic)
    assert sqlstate(lambda: update_settings(world.conn, mechanic, **{"buffer": 30, "notice": 60, **change})) == code
    assert settings_of(world, mechanic) == before


def test_settings_edges_are_allowed_and_the_constraints_agree(world):
    mechanic = world.mechanic()
    assert update_settings(world.conn, mechanic, buffer=240, notice=20160, advance=365)["max_advance_days"] == 365
    assert update_settings(world.conn, mechanic, buffer=0, notice=0, advance=1)["buffer_minutes"] == 0
    for column, value, constraint in [("buffer_minutes", 241, "mechanic_settings_buffer_range"),
                                      ("min_notice_minutes", 20161, "mechanic_settings_notice_range"),
                                      ("max_advance_days", 0, "mechanic_settings_advance_range")]:
        with pytest.raises(psycopg.errors.CheckViolation) as failure:
            world.conn.execute(f"update app.mechanic_settings set {column} = %s where mechanic_id = %s", [value, mechanic])
        assert failure.value.diag.constraint_name == constraint


def test_instant_booking_off_makes_new_bookings_requests(world):
    customer, mechanic = world.customer(), world.mechanic(blocks={2: [("09:00", "17:00")]})
    before = world.book(customer, mechanic, at("2026-11-24 09:00"))
    update_settings(world.conn, mechanic, instant=False)
    after = world.book(customer, mechanic, at("2026-11-24 11:00"))
    assert world.value("select status from app.sessions where id = %s", [before]) == "scheduled"
    assert world.value("select status from app.sessions where id = %s", [after]) == "requested"
    update_settings(world.conn, mechanic, instant=True)
    assert world.value("select status from app.sessions where id = %s", [world.book(customer, mechanic, at("2026-11-24 13:00"))]) == "scheduled"


def test_blocks_arrive_as_times_from_the_app(world, database):
    """psycopg sends Python times (and an empty list) as the function expects them."""
    mechanic = world.mechanic(blocks={2: [("09:00", "17:00")]})
    with database.acting(mechanic) as app:
        assert next(iter(app.execute("select app.set_weekly_blocks(p_actor => %(a)s, p_weekday => 2, "
                                     "p_starts => %(s)s, p_ends => %(e)s)",
                                     {"a": mechanic, "s": [time(8)], "e": [time(0)]}).fetchone().values())) == 1
        assert next(iter(app.execute("select app.set_weekly_blocks(p_actor => %(a)s, p_weekday => 3, "
                                     "p_starts => %(s)s, p_ends => %(e)s)",
                                     {"a": mechanic, "s": [], "e": []}).fetchone().values())) == 0
    assert blocks_of(world, mechanic) == [(2, "08:00", "24:00")]
