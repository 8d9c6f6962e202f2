"""The workshop admin's pages (SPEC §4): the dashboard, the seven weekdays' hours on one page, closed days,
zone, capacity and contact, the mechanics; errors next to the weekday or field with nothing saved, what
customers can book changes at once, another workshop is a 404, other roles get a 403, and CSRF is required."""
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from availability_world import World, local
from conftest import NOW, log_in, make_customer, make_staff, submit

TO = "America/Toronto"
TUESDAY = date(2026, 11, 24)
SHOP_HOURS = {d: ("08:00", "17:00", "12:00", "13:00") for d in range(1, 7)} | {7: None}
ADMIN = "priya@example.com"


@pytest.fixture
def shop(database):
    """Queen West Auto (Toronto hours, closed Sundays) with an employee mechanic; its admin is logged in; clock at NOW."""
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        workshop = world.workshop(hours=SHOP_HOURS)
        conn.execute("update app.workshops set name = 'Queen West Auto' where id = %s", [workshop])
        mechanic = world.mechanic(workshop=workshop, partnership="employee")
        conn.execute("update app.users set name = 'Marcus Mechanic' where id = %s", [mechanic])
    make_staff(database, "workshop_admin", ADMIN, name="Priya Admin", workshop_id=workshop)
    return workshop, mechanic


@pytest.fixture
def admin(client, shop):
    log_in(client, ADMIN)
    return client


def hours_form(**changes):
    """The hours form as a browser posts it: every day 09:00-17:00 with a 12:00-13:00 break; an unticked
    checkbox is not sent."""
    data = {}
    for n in range(1, 8):
        data.update({f"day{n}_opens": "09:00", f"day{n}_closes": "17:00",
                     f"day{n}_break_start": "12:00", f"day{n}_break_end": "13:00"})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def rows(database, workshop):
    with database.owner() as conn:
        return (conn.execute("select * from app.workshops where id = %s", [workshop]).fetchall(),
                conn.execute("select * from app.workshop_availability where workshop_id = %s order by weekday", [workshop]).fetchall(),
                conn.execute("select * from app.workshop_closures where workshop_id = %s order by closed_on", [workshop]).fetchall())


def free_in_person(database, mechanic, day=TUESDAY):
    with database.owner() as conn:
        slots = World(conn).slots(mechanic, day, day, service="in_person")
    return [s["slot_start"].astimezone(ZoneInfo(TO)).strftime("%H:%M") for s in slots if s["available"]]


def page(response):
    return response.get_data(as_text=True)


# --- the dashboard ----------------------------------------------------------------------------------------

def test_the_dashboard_shows_each_workshop_the_admin_runs(admin, database, shop):
    workshop, _ = shop
    second = database.scalar("insert into app.workshops (name, street, city, province, postal_code, timezone) "
                             "values ('Danforth Garage', '9 Danforth Ave', 'Toronto', 'ON', 'M4K 1N2', 'America/Vancouver') returning id")
    database.scalar("insert into app.workshop_admins (workshop_id, user_id) select %s, id from app.users where email = %s "
                    "returning 1", [second, ADMIN])
    database.scalar("insert into app.workshop_closures (workshop_id, closed_on, reason) values (%s, '2026-12-25', 'Christmas') "
                    "returning 1", [workshop])
    html = page(admin.get("/workshop/"))
    assert "Queen West Auto" in html and "Danforth Garage" in html
    assert "08:00 – 17:00 (break 12:00 – 13:00)" in html and "Friday 25 December 2026" in html and "Christmas" in html
    assert "5 at the same time" in html and "America/Vancouver" in html and "Marcus Mechanic" in html
    for target in (workshop, second):
        for endpoint in ("hours", "settings", "mechanics"):
            assert f'href="/workshop/{target}/{endpoint}"' in html


# --- opening hours ----------------------------------------------------------------------------------------

def test_the_seven_weekdays_are_on_one_page_with_the_saved_hours(admin, shop):
    workshop, _ = shop
    html = page(admin.get(f"/workshop/{workshop}/hours"))
    for n, day in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], start=1):
        assert f"<legend>{day}</legend>" in html and f'name="day{n}_opens"' in html
    assert 'id="day1_opens" name="day1_opens" type="time" value="08:00"' in html
    assert 'id="day7_closed" name="day7_closed" type="checkbox" value="y"' in html and 'checked id="day7_closed"' in html
    assert "existing bookings are kept; new bookings follow the new hours" in html.lower()


def test_hours_are_saved_per_weekday_with_a_break(admin, database, shop):
    workshop, _ = shop
    response = submit(admin, f"/workshop/{workshop}/hours", hours_form(
        day2_opens="07:30", day2_closes="18:00", day2_break_start="11:45", day2_break_end="12:15",
        day3_break_start="", day3_break_end="", day5_closes="00:00", day6_closed="y", day7_closed="y", day7_opens=""))
    assert response.status_code == 302
    saved = {r[0]: r for r in database_rows(database, workshop)}
    assert saved[2] == (2, False, "07:30", "18:00", "11:45", "12:15")
    assert saved[3] == (3, False, "09:00", "17:00", None, None)
    assert saved[5][3] == "24:00" and saved[6][1] and saved[7][1]
    follow = page(admin.get(response.location))
    assert "Opening hours saved" in follow and 'id="day5_closes" name="day5_closes" type="time" value="00:00"' in follow


def database_rows(database, workshop):
    with database.owner() as conn:
        return [tuple(r.values()) for r in conn.execute(
            "select weekday, is_closed, to_char(opens_at, 'HH24:MI') as opens, to_char(closes_at, 'HH24:MI') as closes, "
            "to_char(break_start, 'HH24:MI') as break_start, to_char(break_end, 'HH24:MI') as break_end "
            "from app.workshop_availability "
            "where workshop_id = %s order by weekday", [workshop]).fetchall()]


@pytest.mark.parametrize("changes, error_at", [
    ({"day2_opens": "17:00", "day2_closes": "09:00"}, "day2_closes"),
    ({"day4_opens": ""}, "day4_opens"),
    ({"day3_break_start": "07:00", "day3_break_end": "08:00"}, "day3_break_start"),
    ({"day6_break_start": "16:30", "day6_break_end": "17:30"}, "day6_break_end"),
    ({"day1_break_end": ""}, "day1_break_end"),
    ({"day5_opens": "9am"}, "day5_opens"),
    ({"day7_closes": "17:00:30"}, "day7_closes"),
    ({"day7_closes": "a very long time"}, "day7_closes"),
])
def test_bad_hours_are_shown_next_to_the_weekday_and_nothing_is_saved(admin, database, shop, changes, error_at):
    workshop, mechanic = shop
    before, slots = rows(database, workshop), free_in_person(database, mechanic)
    response = submit(admin, f"/workshop/{workshop}/hours", hours_form(**changes))
    assert response.status_code == 400
    html = page(response)
    assert f'id="{error_at}-error"' in html and html.count('class="error"') == 1
    assert rows(database, workshop) == before and free_in_person(database, mechanic) == slots


def test_a_changed_hour_changes_the_in_person_slots_customers_see_at_once(admin, database, shop):
    workshop, mechanic = shop
    assert free_in_person(database, mechanic)[0] == "08:00"
    response = submit(admin, f"/workshop/{workshop}/hours", hours_form(day2_opens="10:00", day2_closes="12:00",
                                                                       day2_break_start="", day2_break_end=""))
    assert response.status_code == 302
    assert free_in_person(database, mechanic) == ["10:00", "10:30", "11:00", "11:30"]


def test_changing_hours_keeps_bookings_and_says_how_many_fall_outside(admin, database, shop):
    workshop, mechanic = shop
    with database.owner() as conn:
        world = World(conn)
        session = world.book(world.customer(), mechanic, local(TO, "2026-11-24 08:00"), service="in_person")
    response = submit(admin, f"/workshop/{workshop}/hours", hours_form())
    html = page(admin.get(response.location))
    assert "Existing bookings are kept" in html
    assert "1 upcoming booking falls outside the\n      opening hours" in html and "Bookings already made are kept" in html
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"


# --- closed days ------------------------------------------------------------------------------------------

def test_a_closed_day_removes_its_in_person_slots_and_opening_it_brings_them_back(admin, database, shop):
    workshop, mechanic = shop
    assert len(free_in_person(database, mechanic)) == 16
    response = submit(admin, f"/workshop/{workshop}/hours", {"closed_on": "2026-11-24", "reason": "Staff training"},
                      action=f"/workshop/{workshop}/closures")
    assert response.status_code == 302
    assert free_in_person(database, mechanic) == []
    html = page(admin.get(response.location))
    assert "Closed on Tuesday 24 November 2026" in html and "Staff training" in html
    response = submit(admin, f"/workshop/{workshop}/hours", {"action": "remove", "closed_on": "2026-11-24"},
                      action=f"/workshop/{workshop}/closures")
    assert response.status_code == 302
    assert len(free_in_person(database, mechanic)) == 16
    assert "Open again on Tuesday 24 November 2026" in page(admin.get(response.location))


@pytest.mark.parametrize("data, error_at", [
    ({"closed_on": "2026-11-22"}, "closed_on"),
    ({"closed_on": ""}, "closed_on"),
    ({"closed_on": "next tuesday"}, "closed_on"),
    ({"closed_on": "2026-12-01", "reason": "x" * 201}, "reason"),
    ({"action": "remove", "closed_on": "2026-11-20"}, "closed_on"),
])
def test_past_or_bad_closed_days_are_refused_and_nothing_changes(admin, database, shop, data, error_at):
    workshop, _ = shop
    database.scalar("insert into app.workshop_closures (workshop_id, closed_on) values (%s, '2026-11-20') returning 1", [workshop])
    before = rows(database, workshop)
    response = submit(admin, f"/workshop/{workshop}/hours", data, action=f"/workshop/{workshop}/closures")
    assert response.status_code == 400
    assert f'id="{error_at}-error"' in page(response)
    assert rows(database, workshop) == before


# --- zone, capacity and contact ---------------------------------------------------------------------------

SETTINGS = {"name": "Queen West Auto Care", "street": "12 Queen St W", "city": "Toronto", "province": "ON",
            "postal_code": "m5h2n2", "phone": "416 555 0100", "timezone": "America/Vancouver", "capacity": "3"}


def test_settings_are_saved_and_the_zone_change_is_explained(admin, database, shop):
    workshop, _ = shop
    html = page(admin.get(f"/workshop/{workshop}/settings"))
    assert 'value="5"' in html and '<option selected value="America/Toronto">' in html
    assert "09:00 stays 09:00" in html
    response = submit(admin, f"/workshop/{workshop}/settings", SETTINGS)
    assert response.status_code == 302
    with database.owner() as conn:
        saved = conn.execute("select name, postal_code, phone, timezone from app.workshops where id = %s", [workshop]).fetchone()
        capacities = conn.execute("select array_agg(capacity) as c from app.workshop_availability where workshop_id = %s",
                                  [workshop]).fetchone()["c"]
    assert saved == {"name": "Queen West Auto Care", "postal_code": "M5H 2N2", "phone": "416 555 0100",
                     "timezone": "America/Vancouver"}
    assert capacities == [3] * 7
    assert "Opening hours are local times in America/Vancouver" in page(admin.get(response.location))


@pytest.mark.parametrize("changes, error_at", [
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "1000"}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"name": ""}, "name"),
    ({"postal_code": "90210"}, "postal_code"),
    ({"phone": "call the shop"}, "phone"),
])
def test_bad_settings_are_refused_next_to_the_field_and_nothing_changes(admin, database, shop, changes, error_at):
    workshop, _ = shop
    before = rows(database, workshop)
    response = submit(admin, f"/workshop/{workshop}/settings", {**SETTINGS, **changes})
    assert response.status_code == 400
    assert f'id="{error_at}-error"' in page(response)
    assert rows(database, workshop) == before


# --- mechanics --------------------------------------------------------------------------------------------

def test_the_mechanics_page_shows_type_status_and_upcoming_bookings(admin, database, shop):
    workshop, mechanic = shop
    with database.owner() as conn:
        world = World(conn)
        world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"), service="in_person")
        world.book(world.customer(), mechanic, local(TO, "2026-11-25 10:00"))
        owner = world.mechanic(workshop=workshop, partnership="owner")
        conn.execute("update app.users set name = 'Olive Owner' where id = %s", [owner])
        conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [owner])
    html = page(admin.get(f"/workshop/{workshop}/mechanics"))
    marcus = html[html.index("Marcus Mechanic"):html.index("</tr>", html.index("Marcus Mechanic"))]
    olive = html[html.index("Olive Owner"):html.index("</tr>", html.index("Olive Owner"))]
    assert "Workshop mechanic" in marcus and "(employee)" in marcus and "Offline" in marcus
    assert re.findall(r"<td>(\d+)</td>\s*<td>(\d+)</td>", marcus) == [("1", "1")]  # in person, online
    assert "Owner" in olive and "(owner)" in olive and "Online" in olive
    assert re.findall(r"<td>(\d+)</td>\s*<td>(\d+)</td>", olive) == [("0", "0")]


# --- who may ----------------------------------------------------------------------------------------------

PAGES = ["hours", "settings", "mechanics"]
POSTS = [("hours", hours_form(day2_closed="y")), ("closures", {"closed_on": "2026-12-01"}),
         ("closures", {"action": "remove", "closed_on": "2026-12-25"}), ("settings", SETTINGS)]


def test_another_workshops_pages_are_not_found_and_nothing_changes(admin, database, shop):
    workshop, _ = shop
    with database.owner() as conn:
        theirs = World(conn).workshop(hours=SHOP_HOURS, closures=[date(2026, 12, 25)])
    make_staff(database, "workshop_admin", "other@example.com", workshop_id=theirs)
    before = rows(database, theirs)
    for target in (theirs, 987654):
        for name in PAGES:
            assert admin.get(f"/workshop/{target}/{name}").status_code == 404
        for name, data in POSTS:
            response = submit(admin, "/workshop/", data, action=f"/workshop/{target}/{name}")
            assert response.status_code == 404, name
    assert rows(database, theirs) == before
    assert f"/workshop/{theirs}/" not in page(admin.get("/workshop/"))


@pytest.mark.parametrize("role", ["mechanic", "customer"])
def test_mechanics_and_customers_get_a_403(client, database, shop, role):
    workshop, _ = shop
    if role == "mechanic":
        make_staff(database, "mechanic", "someone@example.com", workshop_id=workshop, partnership="employee")
    else:
        make_customer(database, email="someone@example.com")
    log_in(client, "someone@example.com")
    before = rows(database, workshop)
    assert client.get("/workshop/").status_code == 403
    for name in PAGES:
        assert client.get(f"/workshop/{workshop}/{name}").status_code == 403
    for name, data in POSTS:
        assert submit(client, "/login", data, action=f"/workshop/{workshop}/{name}").status_code == 403
    assert rows(database, workshop) == before


def test_logged_out_visitors_are_sent_to_log_in(client, shop):
    workshop, _ = shop
    response = client.get(f"/workshop/{workshop}/hours")
    assert response.status_code == 302 and "/login" in response.location


def test_every_form_needs_its_csrf_token(admin, database, shop):
    workshop, _ = shop
    before = rows(database, workshop)
    for name, data in POSTS:
        response = admin.post(f"/workshop/{workshop}/{name}", data=data)
        assert response.status_code == 400 and "This form has expired" in page(response)
        response = admin.post(f"/workshop/{workshop}/{name}", data={**data, "csrf_token": "forged"})
        assert response.status_code == 400
    assert rows(database, workshop) == before
