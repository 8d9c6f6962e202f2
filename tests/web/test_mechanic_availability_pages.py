"""The mechanic's availability editor as pages (SPEC §4): several blocks per weekday, refusals shown next to
the day with nothing changed, time off, booking settings; what customers see follows at once; only the
mechanic's own rows, only for mechanics, CSRF on every form."""
import re

import pytest

from availability_world import local
from conftest import csrf_token, log_in, make_customer, make_staff, make_workshop, submit

PAGE = "/mechanic/availability"
TUESDAY = "2026-11-24"


@pytest.fixture
def mo(client, world, database):
    """Mo, a virtual-only mechanic working Tuesdays 09:00-17:00 in Toronto, logged in."""
    mechanic = make_staff(database, "mechanic", "mo@example.com", name="Mo Mechanic")
    world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                       "values (%s, 2, '09:00', '17:00')", [mechanic])
    log_in(client, "mo@example.com")
    return mechanic


@pytest.fixture
def customer(app, database):
    """A second browser: a customer asking the JSON API for Mo's slots."""
    make_customer(database, email="kim@example.com")
    browser = app.test_client()
    log_in(browser, "kim@example.com")
    return browser


def free_starts(customer, mechanic, day=TUESDAY):
    body = customer.get(f"/api/mechanics/{mechanic}/slots?from={day}&to={day}").get_json()
    return [s["start"] for s in body["slots"] if s["available"]]


def blocks_of(database, mechanic):
    with database.owner() as conn:
        return [tuple(r.values()) for r in conn.execute(
            "select weekday, to_char(start_time, 'HH24:MI') as start, to_char(end_time, 'HH24:MI') as end "
            "from app.mechanic_availability where mechanic_id = %s order by 1, 2", [mechanic])]


def save_day(client, weekday, rows):
    data = {}
    for i, (start, end) in enumerate(rows):
        data[f"blocks-{i}-start"], data[f"blocks-{i}-end"] = start, end
    return submit(client, PAGE, data, action=f"{PAGE}/{weekday}")


def day_form(page, weekday):
    """The HTML of one weekday's form."""
    return re.search(rf'<form[^>]*id="day{weekday}".*?</form>', page, re.S).group(0)


def test_the_editor_lists_each_day_with_room_for_more_blocks(client, mo):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    tuesday, wednesday = day_form(page, 2), day_form(page, 3)
    assert 'value="09:00"' in tuesday and 'value="17:00"' in tuesday
    assert tuesday.count('type="time"') == 6 and wednesday.count('type="time"') == 4  # the blocks and 2 empty rows
    assert 'id="day2-blocks-0-start"' in tuesday and 'for="day2-blocks-0-start"' in tuesday
    assert "America/Toronto" in page and 'action="/mechanic/settings"' in page and 'action="/mechanic/time-off"' in page


def test_saving_several_blocks_changes_what_customers_see_at_once(client, database, mo, customer):
    assert len(free_starts(customer, mo)) == 16
    response = save_day(client, 2, [("09:00", "10:00"), ("", ""), ("13:00", "14:00"), ("", "")])
    assert response.status_code == 302 and response.location.endswith(f"{PAGE}#day2")
    assert "Tuesday saved with 2 blocks." in client.get(response.location).get_data(as_text=True)
    assert blocks_of(database, mo) == [(2, "09:00", "10:00"), (2, "13:00", "14:00")]
    assert free_starts(customer, mo) == ["2026-11-24T14:00:00Z", "2026-11-24T14:30:00Z",
                                         "2026-11-24T18:00:00Z", "2026-11-24T18:30:00Z"]
    # a new day, ending at midnight
    assert save_day(client, 3, [("20:00", "00:00")]).status_code == 302
    assert free_starts(customer, mo, "2026-11-25")[-1] == "2026-11-26T04:30:00Z"  # 23:30 in Toronto
    # emptying every row clears the day
    assert save_day(client, 2, [("", ""), ("", "")]).status_code == 302
    assert free_starts(customer, mo) == []
    assert blocks_of(database, mo) == [(3, "20:00", "24:00")]


@pytest.mark.parametrize("rows, status", [
    ([("09:00", "12:00"), ("11:00", "13:00")], 400),  # overlapping
    ([("12:00", "09:00")], 400),  # reversed
    ([("09:00", "")], 400),  # half a block
    ([("25:00", "26:00")], 400),  # not a time
    ([("nine", "ten")], 400),
])
def test_bad_blocks_are_shown_next_to_that_day_and_change_nothing(client, database, mo, customer, rows, status):
    before = free_starts(customer, mo)
    response = save_day(client, 2, rows)
    assert response.status_code == status
    page = response.get_data(as_text=True)
    tuesday = day_form(page, 2)
    assert 'class="error"' in tuesday or 'class="form-errors"' in tuesday
    assert "error" not in day_form(page, 3)
    assert f'value="{rows[0][0]}"' in tuesday  # what was typed stays in the form
    assert blocks_of(database, mo) == [(2, "09:00", "17:00")]
    assert free_starts(customer, mo) == before


def test_a_weekday_outside_1_to_7_is_not_found(client, database, mo):
    assert save_day(client, 8, [("09:00", "10:00")]).status_code == 404
    assert blocks_of(database, mo) == [(2, "09:00", "17:00")]


def test_a_workshop_affiliated_mechanic_sees_why_and_cannot_set_blocks(client, database, world):
    shop = make_workshop(database, name="Queen West Auto")
    world.conn.execute("insert into app.workshop_availability (workshop_id, weekday, opens_at, closes_at) "
                       "values (%s, 2, '08:00', '18:00')", [shop])
    employee = make_staff(database, "mechanic", "eve@example.com", workshop_id=shop, partnership="employee")
    log_in(client, "eve@example.com")
    page = client.get(PAGE).get_data(as_text=True)
    assert "your workshop sets your hours" in page and "Queen West Auto" in page and "08:00–18:00" in page
    assert f'action="{PAGE}/2"' not in page and 'action="/mechanic/time-off"' in page
    response = save_day(client, 2, [("09:00", "10:00")])
    assert response.status_code == 422
    assert blocks_of(database, employee) == []


def test_a_workshop_owner_edits_blocks_and_sees_the_workshops_hours_beside_them(client, database, world):
    shop = make_workshop(database, name="Olu Garage")
    world.conn.execute("insert into app.workshop_availability (workshop_id, weekday, opens_at, closes_at, break_start, "
                       "break_end) values (%s, 2, '08:00', '18:00', '12:00', '13:00')", [shop])
    owner = make_staff(database, "mechanic", "olu@example.com", workshop_id=shop, partnership="owner")
    log_in(client, "olu@example.com")
    page = client.get(PAGE).get_data(as_text=True)
    assert "where your blocks and Olu Garage's opening hours overlap" in page and "12:00–13:00" in page
    assert save_day(client, 2, [("07:00", "09:00")]).status_code == 302
    assert blocks_of(database, owner) == [(2, "07:00", "09:00")]


def test_time_off_removes_slots_warns_about_booked_sessions_and_can_be_removed(client, database, world, mo, customer):
    booked = world.book(world.customer(), mo, local("America/Toronto", "2026-11-24 10:00"))
    response = submit(client, PAGE, {"start_date": TUESDAY, "end_date": TUESDAY, "reason": "Dentist"},
                      action="/mechanic/time-off")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "1 session(s) already booked in that period stay booked" in page
    assert "Tue 24 Nov 2026" in page and "Dentist" in page and "Tue 24 Nov 2026, 10:00 AM EST" in page
    assert free_starts(customer, mo) == []
    assert database.scalar("select status from app.sessions where id = %s", [booked]) == "scheduled"
    time_off = database.scalar("select id from app.mechanic_time_off where mechanic_id = %s", [mo])
    assert submit(client, PAGE, {}, action=f"/mechanic/time-off/{time_off}/cancel").status_code == 302
    assert len(free_starts(customer, mo)) == 13  # 10:00 to 11:00 and its buffers stay booked


@pytest.mark.parametrize("data, field", [
    ({"start_date": TUESDAY, "end_date": "2026-11-23"}, "end_date"),  # ends before it starts (SQL)
    ({"start_date": "2026-11-20", "end_date": TUESDAY}, "start_date"),  # in the past (SQL)
    ({"start_date": "", "end_date": TUESDAY}, "start_date"),
    ({"start_date": "24/11/2026", "end_date": TUESDAY}, "start_date"),
    ({"start_date": TUESDAY, "end_date": TUESDAY, "reason": "x" * 201}, "reason"),
    ({"start_date": TUESDAY, "end_date": "2099-11-24"}, "end_date"),  # longer than 90 days (SQL)
    ({"start_date": "2027-11-24", "end_date": "2027-11-24"}, "start_date"),  # more than a year ahead (SQL)
])
def test_bad_time_off_is_shown_next_to_the_field_and_adds_nothing(client, database, mo, data, field):
    response = submit(client, PAGE, data, action="/mechanic/time-off")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert database.scalar("select count(*) from app.mechanic_time_off") == 0


def test_time_off_that_overlaps_another_joins_it_and_says_so(client, database, mo):
    for first, last in ((TUESDAY, "2026-11-26"), ("2026-11-26", "2026-11-30")):
        response = submit(client, PAGE, {"start_date": first, "end_date": last}, action="/mechanic/time-off")
        assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Time off joined with the time off it overlaps or continues: now Tue 24 Nov 2026 to Mon 30 Nov 2026." in page
    assert database.scalar("select array_agg(start_date || '/' || end_date || ' ' || status) from app.mechanic_time_off "
                           "where mechanic_id = %s", [mo]) == ["2026-11-24/2026-11-30 approved"]


def test_another_mechanics_time_off_is_not_found_and_stays(client, database, world, mo):
    other = world.mechanic()
    world.time_off(other, TUESDAY, TUESDAY)
    theirs = database.scalar("select id from app.mechanic_time_off where mechanic_id = %s", [other])
    assert submit(client, PAGE, {}, action=f"/mechanic/time-off/{theirs}/cancel").status_code == 404
    assert submit(client, PAGE, {}, action="/mechanic/time-off/99999999999999999999/cancel").status_code == 404
    assert database.scalar("select status from app.mechanic_time_off where id = %s", [theirs]) == "approved"
    assert "Tue 24 Nov 2026" not in client.get(PAGE).get_data(as_text=True)  # nor is it shown


def test_settings_are_saved_and_instant_booking_off_makes_requests(client, database, world, mo, customer):
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="buffer_minutes" required type="number" value="15"' in page and 'checked id="instant_booking"' in page
    response = submit(client, PAGE, {"buffer_minutes": "0", "min_notice_minutes": "0", "max_advance_days": "60"},
                      action="/mechanic/settings")
    assert response.status_code == 302 and response.location.endswith(f"{PAGE}#settings")
    assert database.scalar("select row(buffer_minutes, min_notice_minutes, max_advance_days, instant_booking)::text "
                           "from app.mechanic_settings where mechanic_id = %s", [mo]) == "(0,0,60,f)"
    session = world.book(world.customer(), mo, local("America/Toronto", "2026-11-24 09:00"))
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "requested"
    # no notice any more: a customer may book this Monday too
    world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                       "values (%s, 1, '09:00', '17:00')", [mo])
    assert free_starts(customer, mo, "2026-11-23")[0] == "2026-11-23T14:00:00Z"


@pytest.mark.parametrize("data, field", [
    ({"buffer_minutes": "241", "min_notice_minutes": "120", "max_advance_days": "30"}, "buffer_minutes"),
    ({"buffer_minutes": "15", "min_notice_minutes": "-1", "max_advance_days": "30"}, "min_notice_minutes"),
    ({"buffer_minutes": "15", "min_notice_minutes": "120", "max_advance_days": "0"}, "max_advance_days"),
    ({"buffer_minutes": "15", "min_notice_minutes": "120", "max_advance_days": "99999999999999999999"}, "max_advance_days"),
    ({"buffer_minutes": "fifteen", "min_notice_minutes": "120", "max_advance_days": "30"}, "buffer_minutes"),
    ({"min_notice_minutes": "120", "max_advance_days": "30", "instant_booking": "y"}, "buffer_minutes"),
])
def test_settings_out_of_range_are_shown_next_to_the_field_and_change_nothing(client, database, mo, data, field):
    response = submit(client, PAGE, data, action="/mechanic/settings")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert database.scalar("select row(buffer_minutes, min_notice_minutes, max_advance_days, instant_booking)::text "
                           "from app.mechanic_settings where mechanic_id = %s", [mo]) == "(15,120,30,t)"


def test_the_settings_address_leads_to_the_editor(client, mo):
    response = client.get("/mechanic/settings")
    assert response.status_code == 302 and response.location.endswith(f"{PAGE}#settings")


@pytest.mark.parametrize("method, path", [
    ("get", PAGE), ("post", f"{PAGE}/2"), ("post", "/mechanic/time-off"), ("post", "/mechanic/time-off/1/cancel"),
    ("get", "/mechanic/settings"), ("post", "/mechanic/settings"),
])
def test_other_roles_are_refused_and_visitors_sent_to_log_in(client, database, method, path):
    response = getattr(client, method)(path, data={"csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and "/login" in response.location
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    token = csrf_token(client, "/customer/vehicles")
    assert getattr(client, method)(path, data={"csrf_token": token}).status_code == 403


def test_every_form_needs_its_csrf_token(client, database, world, mo):
    world.time_off(mo, TUESDAY, TUESDAY)
    time_off = database.scalar("select id from app.mechanic_time_off")
    for path, data in [(f"{PAGE}/2", {"blocks-0-start": "10:00", "blocks-0-end": "11:00"}),
                       ("/mechanic/time-off", {"start_date": "2026-11-25", "end_date": "2026-11-25"}),
                       (f"/mechanic/time-off/{time_off}/cancel", {}),
                       ("/mechanic/settings", {"buffer_minutes": "0", "min_notice_minutes": "0", "max_advance_days": "9"})]:
        assert client.post(path, data=data).status_code == 400, path
    assert blocks_of(database, mo) == [(2, "09:00", "17:00")]
    assert database.scalar("select string_agg(status, ',') from app.mechanic_time_off") == "approved"
    assert database.scalar("select buffer_minutes from app.mechanic_settings where mechanic_id = %s", [mo]) == 15
