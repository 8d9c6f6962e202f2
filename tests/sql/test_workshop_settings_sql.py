"""The workshop admin's settings in SQL (SPEC §4, §5): hours per weekday with a break, closed days, the zone,
capacity and contact details, the workshop's mechanics; what customers can book changes at once, bookings
already made stay, and an admin reaches only the workshops they run."""
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from psycopg.types.json import Jsonb

from availability_world import local
from support import refusal, sqlstate

TO = "America/Toronto"
TUESDAY = date(2026, 11, 24)  # the day after conftest.NOW (Monday 09:00 in Toronto)
SHOP_HOURS = {d: ("08:00", "17:00", "12:00", "13:00") for d in range(1, 7)} | {7: None}


def week(**changes):
    """Seven weekdays open 09:00-17:00 with a 12:00-13:00 break; changes: {'dayN': {field: value}}."""
    days = [{"weekday": d, "closed": False, "opens": "09:00", "closes": "17:00",
             "break_start": "12:00", "break_end": "13:00"} for d in range(1, 8)]
    for key, fields in changes.items():
        days[int(key[3:]) - 1].update(fields)
    return days


@pytest.fixture
def shop(world):
    """A workshop (Toronto hours) run by an admin, with an employee mechanic; the clock is at NOW."""
    workshop = world.workshop(hours=SHOP_HOURS)
    admin = staff(world, "workshop_admin", workshop)
    mechanic = world.mechanic(workshop=workshop, partnership="employee")
    return workshop, admin, mechanic


def staff(world, role, workshop=None):
    return world.value("select app.create_staff_account(p_role => %s, p_email => %s, p_password => repeat('x', 40), "
                       "p_name => 'Staff', p_timezone => %s, p_workshop_id => %s)",
                       [role, f"{role}{world.value('select count(*) from app.users')}@example.com", TO, workshop])


def app_call(database, query, params):
    """As the app calls it, for the actor the call names (its first argument, or "actor")."""
    with database.acting(params["actor"] if isinstance(params, dict) else params[0]) as conn:
        return conn.execute(query, params).fetchall()


def snapshot(world, workshop):
    return (world.conn.execute("select * from app.workshops where id = %s", [workshop]).fetchall(),
            world.conn.execute("select * from app.workshop_availability where workshop_id = %s order by weekday", [workshop]).fetchall(),
            world.conn.execute("select * from app.workshop_closures where workshop_id = %s order by closed_on", [workshop]).fetchall())


def set_hours(database, admin, workshop, days):
    app_call(database, "select app.set_workshop_hours(%s, %s, %s)", [admin, workshop, Jsonb(days)])
    return outside_hours(database, admin, workshop)


def outside_hours(database, admin, workshop):
    """How many upcoming bookings the admin is told fall outside the hours or on a closed day."""
    return app_call(database, "select bookings_outside_hours from app.my_workshops(%s, %s)",
                    [admin, workshop])[0]["bookings_outside_hours"]


def free_in_person(world, mechanic, day=TUESDAY):
    """The local starts ("HH:MM") of a day's free in-person standard slots, as a customer sees them."""
    return [s["slot_start"].astimezone(ZoneInfo(TO)).strftime("%H:%M")
            for s in world.slots(mechanic, day, day, service="in_person") if s["available"]]


# --- hours ---------------------------------------------------------------------------------------------------

def test_hours_are_saved_per_weekday_with_a_break_and_closed_days(world, database, shop):
    workshop, admin, _ = shop
    days = week(day2={"opens": "07:30", "closes": "18:00", "break_start": "11:45", "break_end": "12:15"},
                day3={"break_start": "", "break_end": ""}, day6={"closed": True}, day7={"closed": True, "opens": "junk"},
                day5={"closes": "00:00"})
    assert set_hours(database, admin, workshop, days) == 0
    rows = {r["weekday"]: r for r in world.conn.execute(
        "select weekday, is_closed, to_char(opens_at, 'HH24:MI') as opens, to_char(closes_at, 'HH24:MI') as closes, "
        "to_char(break_start, 'HH24:MI') as break_start, to_char(break_end, 'HH24:MI') as break_end, capacity "
        "from app.workshop_availability where workshop_id = %s", [workshop]).fetchall()}
    assert rows[1] == {"weekday": 1, "is_closed": False, "opens": "09:00", "closes": "17:00",
                       "break_start": "12:00", "break_end": "13:00", "capacity": 5}
    assert (rows[2]["opens"], rows[2]["closes"], rows[2]["break_start"], rows[2]["break_end"]) == ("07:30", "18:00", "11:45", "12:15")
    assert rows[3]["break_start"] is None and rows[3]["break_end"] is None and not rows[3]["is_closed"]
    assert rows[5]["closes"] == "24:00"  # 00:00 closes at midnight
    assert rows[6]["is_closed"] and rows[6]["opens"] is None
    assert rows[7]["is_closed"] and rows[7]["opens"] is None  # a closed day's fields are not read


def test_a_workshop_without_hours_gets_all_seven_rows_with_its_capacity(world, database):
    workshop = world.workshop()
    admin = staff(world, "workshop_admin", workshop)
    shown = app_call(database, "select * from app.my_workshops(%s, %s)", [admin, workshop])[0]
    assert shown["capacity"] == 5 and [d["closed"] for d in shown["hours"]] == [True] * 7
    set_hours(database, admin, workshop, week(day7={"closed": True}))
    assert world.value("select count(*) from app.workshop_availability where workshop_id = %s and capacity = 5", [workshop]) == 7


@pytest.mark.parametrize("changes, code, column", [
    ({"day2": {"opens": "17:00", "closes": "09:00"}}, "UV051", "day2_closes"),
    ({"day3": {"opens": "10:00", "closes": "10:00"}}, "UV051", "day3_closes"),
    ({"day4": {"opens": ""}}, "UV051", "day4_opens"),
    ({"day5": {"closes": None}}, "UV051", "day5_closes"),
    ({"day2": {"break_start": "08:00", "break_end": "09:30"}}, "UV052", "day2_break_start"),
    ({"day2": {"break_start": "09:00", "break_end": "10:00"}}, "UV052", "day2_break_start"),  # starts at opening
    ({"day6": {"break_start": "16:30", "break_end": "17:30"}}, "UV052", "day6_break_end"),
    ({"day6": {"break_start": "13:00", "break_end": "12:00"}}, "UV052", "day6_break_end"),
    ({"day1": {"break_end": ""}}, "UV052", "day1_break_end"),
    ({"day1": {"break_start": ""}}, "UV052", "day1_break_start"),
    ({"day7": {"opens": "9am"}}, "UV050", "day7_opens"),
    ({"day7": {"closes": "25:00"}}, "UV050", "day7_closes"),
    ({"day7": {"break_start": "12:00:30"}}, "UV050", "day7_break_start"),
    ({"day1": {"opens": "09:60"}}, "UV050", "day1_opens"),
])
def test_bad_hours_are_refused_next_to_the_weekday_and_nothing_changes(world, database, shop, changes, code, column):
    workshop, admin, _ = shop
    before = snapshot(world, workshop)
    refused = refusal(app_call, database, "select app.set_workshop_hours(%s, %s, %s)", [admin, workshop, Jsonb(week(**changes))])
    assert (refused.sqlstate, refused.diag.column_name) == (code, column)
    assert snapshot(world, workshop) == before


@pytest.mark.parametrize("days", [
    week()[:6],
    week() + [week()[0]],
    week()[:6] + [week()[0]],
    [dict(d, weekday=d["weekday"] + 1) for d in week()],
    {"weekday": 1},
    "monday",
    None,
    [1, 2, 3, 4, 5, 6, 7],
])
def test_anything_but_the_seven_weekdays_is_refused(world, database, shop, days):
    workshop, admin, _ = shop
    before = snapshot(world, workshop)
    assert sqlstate(app_call, database, "select app.set_workshop_hours(%s, %s, %s)", [admin, workshop, Jsonb(days)]) == "UV053"
    assert snapshot(world, workshop) == before


def test_a_changed_hour_changes_the_in_person_slots_customers_see_at_once(world, database, shop):
    workshop, admin, mechanic = shop
    before = free_in_person(world, mechanic)
    assert before[0] == "08:00" and "12:00" not in before and before[-1] == "16:30"
    set_hours(database, admin, workshop, week(day2={"opens": "10:00", "closes": "15:00", "break_start": "12:30",
                                                    "break_end": "13:30"}))
    after = free_in_person(world, mechanic)
    assert after == ["10:00", "10:30", "11:00", "11:30", "12:00", "13:30", "14:00", "14:30"]
    assert world.reason(mechanic, local(TO, "2026-11-24 09:00"), service="in_person") == "outside_hours"
    assert world.reason(mechanic, local(TO, "2026-11-24 12:30"), service="in_person") == "break"


@pytest.mark.parametrize("service", ["in_person", "online"])  # a workshop mechanic's online time follows the hours too
@pytest.mark.parametrize("tuesday", [
    {"opens": "10:30"},
    {"closes": "10:15", "break_start": "", "break_end": ""},
    {"break_start": "10:15", "break_end": "11:00"},
    {"closed": True},
])
def test_changing_hours_keeps_bookings_and_counts_those_now_outside(world, database, shop, service, tuesday):
    workshop, admin, mechanic = shop
    session = world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"), service=service)
    assert set_hours(database, admin, workshop, week()) == 0
    assert set_hours(database, admin, workshop, week(day2=tuesday)) == 1
    assert world.value("select status from app.sessions where id = %s", [session]) == "scheduled"
    assert set_hours(database, admin, workshop, week()) == 0


# --- closed days ---------------------------------------------------------------------------------------------

def test_a_closed_day_removes_its_in_person_slots_at_once_and_opening_it_brings_them_back(world, database, shop):
    workshop, admin, mechanic = shop
    assert len(free_in_person(world, mechanic)) == 16
    app_call(database, "select app.add_workshop_closure(%s, %s, %s, 'Staff training')", [admin, workshop, TUESDAY])
    assert free_in_person(world, mechanic) == []
    assert world.reason(mechanic, local(TO, "2026-11-24 10:00"), service="in_person") == "workshop_closed"
    assert len(free_in_person(world, mechanic, date(2026, 11, 25))) == 16  # only that day
    app_call(database, "select app.remove_workshop_closure(%s, %s, %s)", [admin, workshop, TUESDAY])
    assert len(free_in_person(world, mechanic)) == 16


def test_closing_a_booked_day_keeps_the_booking_and_counts_it(world, database, shop):
    workshop, admin, mechanic = shop
    session = world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"), service="in_person")
    assert outside_hours(database, admin, workshop) == 0
    app_call(database, "select app.add_workshop_closure(%s, %s, %s)", [admin, workshop, TUESDAY])
    assert world.value("select status from app.sessions where id = %s", [session]) == "scheduled"
    shown = app_call(database, "select * from app.my_workshops(%s)", [admin])[0]
    assert shown["bookings_outside_hours"] == 1 and shown["upcoming_in_person"] == 1


def test_closing_a_day_twice_updates_its_reason(world, database, shop):
    workshop, admin, _ = shop
    for reason in ("Holiday", "Boxing Day"):
        app_call(database, "select app.add_workshop_closure(%s, %s, %s, %s)", [admin, workshop, date(2026, 12, 26), reason])
    assert world.conn.execute("select closed_on, reason from app.workshop_closures").fetchall() == [
        {"closed_on": date(2026, 12, 26), "reason": "Boxing Day"}]
    closures = app_call(database, "select closures from app.my_workshops(%s, %s)", [admin, workshop])[0]["closures"]
    assert closures == [{"date": "2026-12-26", "label": "Saturday 26 December 2026", "reason": "Boxing Day"}]


def test_past_closed_days_cannot_be_added_or_removed(world, database, shop):
    workshop, admin, _ = shop
    world.conn.execute("insert into app.workshop_closures (workshop_id, closed_on) values (%s, '2026-11-20')", [workshop])
    before = snapshot(world, workshop)
    yesterday = date(2026, 11, 22)
    refused = refusal(app_call, database, "select app.add_workshop_closure(%s, %s, %s)", [admin, workshop, yesterday])
    assert (refused.sqlstate, refused.diag.column_name) == ("UV055", "closed_on")
    assert sqlstate(app_call, database, "select app.remove_workshop_closure(%s, %s, %s)", [admin, workshop, date(2026, 11, 20)]) == "UV055"
    assert sqlstate(app_call, database, "select app.remove_workshop_closure(%s, %s, %s)", [admin, workshop, TUESDAY]) == "UN001"
    refused = refusal(app_call, database, "select app.add_workshop_closure(%s, %s, %s, %s)", [admin, workshop, TUESDAY, "x" * 201])
    assert (refused.sqlstate, refused.diag.column_name) == ("UV056", "reason")
    assert snapshot(world, workshop) == before
    # today counts in the workshop's zone: 09:00 Monday in Toronto is already Tuesday in Auckland
    app_call(database, "select app.add_workshop_closure(%s, %s, %s)", [admin, workshop, date(2026, 11, 23)])
    world.conn.execute("update app.workshops set timezone = 'Pacific/Auckland' where id = %s", [workshop])
    assert sqlstate(app_call, database, "select app.remove_workshop_closure(%s, %s, %s)", [admin, workshop, date(2026, 11, 23)]) == "UV055"


# --- zone, capacity and contact ------------------------------------------------------------------------------

SETTINGS = {"name": "Queen West Auto", "street": "12 Queen St W", "city": "Toronto", "province": "ON",
            "postal_code": "m5h 2n2", "phone": "+1 416 555 0100", "timezone": TO, "capacity": 3}
UPDATE = ("select app.update_workshop(p_actor => %(actor)s, p_workshop_id => %(workshop)s, p_name => %(name)s, "
          "p_street => %(street)s, p_city => %(city)s, p_province => %(province)s, p_postal_code => %(postal_code)s, "
          "p_phone => %(phone)s, p_timezone => %(timezone)s, p_capacity => %(capacity)s)")


def test_settings_are_saved_and_capacity_applies_to_every_day(world, database, shop):
    workshop, admin, _ = shop
    app_call(database, UPDATE, {**SETTINGS, "actor": admin, "workshop": workshop})
    saved = world.conn.execute("select name, street, postal_code, phone, timezone from app.workshops where id = %s",
                               [workshop]).fetchone()
    assert saved == {"name": "Queen West Auto", "street": "12 Queen St W", "postal_code": "M5H 2N2",
                     "phone": "+1 416 555 0100", "timezone": TO}
    assert world.conn.execute("select array_agg(capacity order by weekday) as c from app.workshop_availability "
                              "where workshop_id = %s", [workshop]).fetchone()["c"] == [3] * 7
    assert app_call(database, "select capacity from app.my_workshops(%s, %s)", [admin, workshop])[0]["capacity"] == 3


def test_capacity_decides_how_many_in_person_visits_fit_at_once(world, database, shop):
    workshop, admin, mechanic = shop
    other = world.mechanic(workshop=workshop, partnership="employee")
    app_call(database, UPDATE, {**SETTINGS, "capacity": 1, "actor": admin, "workshop": workshop})
    world.book(world.customer(), other, local(TO, "2026-11-24 10:00"), service="in_person")
    assert world.reason(mechanic, local(TO, "2026-11-24 10:00"), service="in_person") == "workshop_full"
    app_call(database, UPDATE, {**SETTINGS, "capacity": 2, "actor": admin, "workshop": workshop})
    assert world.reason(mechanic, local(TO, "2026-11-24 10:00"), service="in_person") is None


@pytest.mark.parametrize("changes, code, column", [
    ({"capacity": 0}, "UV054", "capacity"),
    ({"capacity": 1000}, "UV054", "capacity"),
    ({"capacity": None}, "UV054", "capacity"),
    ({"timezone": "Mars/Olympus_Mons"}, "UV006", "timezone"),
    ({"timezone": "EST"}, "UV006", "timezone"),
    ({"name": "  "}, "UV057", "name"),
    ({"city": "x" * 121}, "UV057", "city"),
    ({"street": None}, "UV057", "street"),
    ({"postal_code": "12345"}, "UV059", "postal_code"),
    ({"postal_code": ""}, "UV059", "postal_code"),
    ({"phone": "call me"}, "UV058", "phone"),
])
def test_bad_settings_are_refused_and_nothing_changes(world, database, shop, changes, code, column):
    workshop, admin, _ = shop
    before = snapshot(world, workshop)
    refused = refusal(app_call, database, UPDATE, {**SETTINGS, **changes, "actor": admin, "workshop": workshop})
    assert (refused.sqlstate, refused.diag.column_name) == (code, column)
    assert snapshot(world, workshop) == before


def test_a_new_zone_keeps_the_local_hours_so_the_slots_move_in_real_time(world, database, shop):
    workshop, admin, mechanic = shop
    world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"), service="in_person")
    first = world.slots(mechanic, TUESDAY, TUESDAY, service="in_person", viewer="America/Vancouver")
    app_call(database, UPDATE, {**SETTINGS, "timezone": "America/Vancouver", "actor": admin, "workshop": workshop})
    later = world.slots(mechanic, TUESDAY, TUESDAY, service="in_person", viewer="America/Vancouver")
    assert min(s["slot_start"] for s in first if s["available"]) == local(TO, "2026-11-24 08:00")
    assert min(s["slot_start"] for s in later if s["available"]) == local("America/Vancouver", "2026-11-24 08:00")
    assert outside_hours(database, admin, workshop) == 1  # 10:00 in Toronto is 07:00 in Vancouver: kept, counted


# --- the workshop's mechanics --------------------------------------------------------------------------------

def test_the_mechanics_list_shows_type_status_and_upcoming_bookings(world, database, shop):
    workshop, admin, mechanic = shop
    owner = world.mechanic(workshop=workshop, partnership="owner", blocks={d: [("00:00", "24:00")] for d in range(1, 8)})
    world.mechanic(workshop=world.workshop(hours=SHOP_HOURS), partnership="contractor")  # another workshop's
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [owner])
    world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"), service="in_person")
    world.book(world.customer(), mechanic, local(TO, "2026-11-25 10:00"), service="in_person")
    world.book(world.customer(), mechanic, local(TO, "2026-11-26 10:00"))
    past = world.book(world.customer(), owner, local(TO, "2026-11-24 10:00"), service="in_person")
    world.conn.execute("update app.sessions set status = 'cancelled', cancelled_at = now() where id = %s", [past])
    rows = {r["id"]: r for r in app_call(database, "select * from app.workshop_mechanics(%s, %s)", [admin, workshop])}
    assert set(rows) == {mechanic, owner}
    assert (rows[mechanic]["mechanic_type"], rows[mechanic]["partnership"], rows[mechanic]["online"]) == ("workshop_affiliated", "employee", False)
    assert (rows[owner]["mechanic_type"], rows[owner]["partnership"], rows[owner]["online"]) == ("independent_workshop", "owner", True)
    assert (rows[mechanic]["upcoming_in_person"], rows[mechanic]["upcoming_online"]) == (2, 1)
    assert (rows[owner]["upcoming_in_person"], rows[owner]["upcoming_online"]) == (0, 0)


# --- who may -------------------------------------------------------------------------------------------------

CALLS = [
    ("select * from app.my_workshops(%s, %s)", []),
    ("select * from app.workshop_mechanics(%s, %s)", []),
    ("select app.set_workshop_hours(%s, %s, %s)", [Jsonb(week(day2={"closed": True}))]),
    ("select app.add_workshop_closure(%s, %s, %s)", [TUESDAY]),
    ("select app.remove_workshop_closure(%s, %s, %s)", [date(2026, 12, 25)]),
    ("select app.update_workshop(%s, %s, 'Mine now', 'St', 'City', 'ON', 'M5V 2T6', null, 'UTC', 9)", []),
]


@pytest.mark.parametrize("query, extra", CALLS)
def test_another_workshops_id_is_not_found_and_nothing_changes(world, database, shop, query, extra):
    workshop, admin, _ = shop
    theirs = world.workshop(hours=SHOP_HOURS, closures=[date(2026, 12, 25)])
    staff(world, "workshop_admin", theirs)
    before = snapshot(world, theirs)
    for target in (theirs, 99999999):
        assert sqlstate(app_call, database, query, [admin, target, *extra]) == "UN001"
    assert snapshot(world, theirs) == before


@pytest.mark.parametrize("query, extra", CALLS)
def test_mechanics_and_customers_are_not_workshop_admins(world, database, shop, query, extra):
    workshop, _, mechanic = shop
    world.conn.execute("insert into app.workshop_closures (workshop_id, closed_on) values (%s, '2026-12-25')", [workshop])
    before = snapshot(world, workshop)
    for person in (mechanic, world.customer(), staff(world, "admin")):
        assert sqlstate(app_call, database, query, [person, workshop, *extra]) == "UP001"
    assert snapshot(world, workshop) == before


def test_an_admin_of_two_workshops_sees_and_changes_both(world, database, shop):
    workshop, admin, _ = shop
    second = world.workshop()
    world.conn.execute("insert into app.workshop_admins (workshop_id, user_id) values (%s, %s)", [second, admin])
    assert [w["id"] for w in app_call(database, "select * from app.my_workshops(%s)", [admin])] == sorted([workshop, second])
    set_hours(database, admin, second, week())
    assert world.value("select count(*) from app.workshop_availability where workshop_id = %s and not is_closed", [second]) == 7
