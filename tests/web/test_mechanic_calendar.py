"""The mechanic's week calendar page (SPEC §4): blocks, sessions (linking to their page), holds and time off on
their day and hour in the mechanic's zone, week by week; always the logged-in mechanic's own week; bad weeks
are a clear 400; other roles get 403."""
import re

import pytest

import errors
from availability_world import local
from conftest import log_in, make_customer, make_staff

ZONE = "America/Toronto"
WEEKDAYS = {d: [("09:00", "12:00"), ("13:00", "17:00")] for d in range(1, 6)}


def with_blocks(world, mechanic, blocks):
    for weekday, spans in blocks.items():
        for start, end in spans:
            world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                               "values (%s, %s, %s, %s)", [mechanic, weekday, start, end])
    world.conn.execute("update app.mechanic_settings set min_notice_minutes = 0 where mechanic_id = %s", [mechanic])
    return mechanic


@pytest.fixture
def maria(world, database, client):
    """Maria (logged in, Toronto) with weekday blocks, a booked session, a hold and a day off in NOW's week."""
    mechanic = with_blocks(world, make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic"), WEEKDAYS)
    casey = make_customer(database)
    session = world.book(casey, mechanic, local(ZONE, "2026-11-24 10:00"))
    world.conn.execute("select app.reserve_slot(%s, %s, %s, 'extended')",
                       [make_customer(database, email="robin@example.com", name="Robin Roe"), mechanic,
                        local(ZONE, "2026-11-25 14:00")])
    world.conn.execute("insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason) "
                       "values (%s, '2026-11-26', '2026-11-26', 'Dentist')", [mechanic])
    log_in(client, "maria@example.com")
    return mechanic, session


def columns(page):
    """The grid's cells by hour label: {'10:00': [Mon, Tue, ...]} as text."""
    rows = {}
    for hour, cells in re.findall(r'<th scope="row">(\d\d:00|All day)</th>(.*?)</tr>', page, re.S):
        rows[hour] = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return rows


def test_the_week_shows_blocks_sessions_holds_and_time_off_on_their_day_and_hour(client, maria):
    _, session = maria
    response = client.get("/mechanic/calendar")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    grid = columns(page)
    assert list(grid) == ["All day"] + [f"{h:02d}:00" for h in range(9, 17)]
    monday, tuesday, thursday = (grid["09:00"][n] for n in (0, 1, 3))
    assert "09:00–12:00 open" in monday and "09:00–12:00 open" in tuesday and thursday == ""
    assert "10:00–10:30 Casey · Standard Online" in grid["10:00"][1]
    assert [c for n, c in enumerate(grid["10:00"]) if n != 1] == [""] * 6
    assert "14:00–14:45 On hold Extended, online" in grid["14:00"][2]
    assert "Time off Dentist" in grid["All day"][3]
    assert f'href="/mechanic/sessions/{session}"' in page
    assert "America/Toronto" in page
    # today (NOW is Monday) is marked, in the grid and in the phone list
    assert page.count('aria-current="date"') == 2 and "Today" in re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    assert 'id="day-2026-11-23"' in page and 'id="day-2026-11-29"' in page


def test_weeks_go_back_and_forth_from_any_day(client, maria):
    page = client.get("/mechanic/calendar?week=2026-12-03").get_data(as_text=True)
    assert "Monday 30 November 2026" in page
    assert 'href="/mechanic/calendar?week=2026-11-23"' in page and 'href="/mechanic/calendar?week=2026-12-07"' in page
    assert 'href="/mechanic/calendar">This week' in page and 'aria-current="date"' not in page
    assert "Casey" not in page
    this_week = client.get("/mechanic/calendar").get_data(as_text=True)
    assert 'href="/mechanic/calendar">This week' not in this_week
    assert "Monday 23 November 2026" in this_week


def test_a_dst_week_keeps_wall_clock_hours_and_says_the_clocks_change(client, world, database):
    database.set_clock(local(ZONE, "2026-10-20 08:00"))
    mechanic = with_blocks(world, make_staff(database, "mechanic", "maria@example.com"), {6: [("09:00", "12:00")],
                                                                                          7: [("09:00", "12:00")]})
    customer = make_customer(database)
    world.book(customer, mechanic, local(ZONE, "2026-10-31 10:00"))
    world.book(customer, mechanic, local(ZONE, "2026-11-01 10:00"))
    log_in(client, "maria@example.com")
    page = client.get("/mechanic/calendar?week=2026-11-01").get_data(as_text=True)
    grid = columns(page)
    assert grid["10:00"][5].startswith("10:00–10:30 Casey") and grid["10:00"][6].startswith("10:00–10:30 Casey")
    assert page.count("25-hour day") == 2  # Sunday's heading, in the grid and in the list
    assert "-hour day" not in client.get("/mechanic/calendar?week=2026-11-08").get_data(as_text=True)


def test_the_grid_reaches_a_book_now_session_before_the_working_day(client, world, database):
    mechanic = with_blocks(world, make_staff(database, "mechanic", "maria@example.com"), WEEKDAYS)
    database.set_clock(local(ZONE, "2026-11-23 08:16"))
    world.conn.execute("select app.set_on_shift(%s, true)", [mechanic])
    live = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                       "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')",
                       [make_customer(database, email="avery@example.com", name="Avery Adams")])
    world.conn.execute("select app.answer_offer(%s, %s, true)", [mechanic, live])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, live])
    database.set_clock(local(ZONE, "2026-11-23 08:30"))
    log_in(client, "maria@example.com")
    page = client.get("/mechanic/calendar").get_data(as_text=True)
    grid = columns(page)
    assert list(grid) == [f"{h:02d}:00" for h in range(8, 17)]
    assert grid["08:00"][0].startswith("08:16–08:46 Avery · Standard Online Live")
    assert f'href="/mechanic/sessions/{live}"' in page


def test_the_grid_always_spans_the_working_hours(client, world, database):
    mechanic = with_blocks(world, make_staff(database, "mechanic", "maria@example.com"), {2: [("14:00", "15:00")]})
    world.book(make_customer(database), mechanic, local(ZONE, "2026-11-24 14:00"))
    log_in(client, "maria@example.com")
    grid = columns(client.get("/mechanic/calendar").get_data(as_text=True))
    assert list(grid) == [f"{h:02d}:00" for h in range(9, 17)]
    assert grid["14:00"][1].startswith("14:00–15:00 open") and "14:00–14:30 Casey" in grid["14:00"][1]
    empty = columns(client.get("/mechanic/calendar?week=2027-01-04").get_data(as_text=True))
    assert list(empty) == [f"{h:02d}:00" for h in range(9, 17)]


def test_late_blocks_stretch_the_grid_to_their_end(client, world, database):
    with_blocks(world, make_staff(database, "mechanic", "maria@example.com"), {3: [("18:00", "22:30")]})
    log_in(client, "maria@example.com")
    grid = columns(client.get("/mechanic/calendar").get_data(as_text=True))
    assert list(grid) == [f"{h:02d}:00" for h in range(9, 23)]
    assert grid["18:00"][2] == "18:00–22:30 open"


def test_a_request_is_marked_as_waiting_for_an_answer(client, world, database):
    mechanic = with_blocks(world, make_staff(database, "mechanic", "maria@example.com"), WEEKDAYS)
    world.conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [mechanic])
    request = world.book(make_customer(database), mechanic, local(ZONE, "2026-11-24 10:00"), service="online")
    log_in(client, "maria@example.com")
    cell = columns(client.get("/mechanic/calendar").get_data(as_text=True))["10:00"][1]
    assert cell.startswith("10:00–10:30 Casey · Standard Online Request")
    assert database.scalar("select status from app.sessions where id = %s", [request]) == "requested"


def test_another_mechanics_calendar_cannot_be_asked_for(client, maria, world, database):
    theirs = with_blocks(world, make_staff(database, "mechanic", "other@example.com"), {d: [("06:00", "08:00")] for d in range(1, 8)})
    jordan = make_customer(database, email="jordan@example.com", name="Jordan Jones")
    theirs_session = world.book(jordan, theirs, local(ZONE, "2026-11-28 06:00"))
    for url in ("/mechanic/calendar", f"/mechanic/calendar?mechanic={theirs}", f"/mechanic/calendar?actor={theirs}&week=2026-11-23"):
        page = client.get(url).get_data(as_text=True)
        assert "Jordan" not in page and f"/mechanic/sessions/{theirs_session}" not in page
        assert "06:00" not in page and "Casey" in page


NOT_A_DATE = "Give the week as a date such as 2026-11-23."


@pytest.mark.parametrize("week, message", [("2026-13-01", NOT_A_DATE), ("next", NOT_A_DATE), ("", NOT_A_DATE),
                                           ("2026-11-23T10:00", NOT_A_DATE), ("1999-01-04", errors.CODES["UV041"]),
                                           ("9999-12-31", errors.CODES["UV041"])])
def test_a_bad_week_is_a_clear_400(client, maria, week, message):
    response = client.get(f"/mechanic/calendar?week={week}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["customer", "workshop_admin", "admin"])
def test_other_roles_get_403(client, database, role):
    if role == "customer":
        make_customer(database, email="someone@example.com")
    else:
        workshop = database.scalar("insert into app.workshops (name, street, city, province, postal_code, timezone) values "
                                   "('G', '1 Main St', 'Toronto', 'ON', 'M5V 2T6', 'America/Toronto') returning id")
        make_staff(database, role, "someone@example.com", workshop_id=workshop if role == "workshop_admin" else None)
    log_in(client, "someone@example.com")
    assert client.get("/mechanic/calendar").status_code == 403


def test_logged_out_visitors_are_sent_to_log_in(client):
    response = client.get("/mechanic/calendar?week=2026-11-23")
    assert response.status_code == 302 and "/login" in response.location


def test_the_week_starts_from_the_mechanics_zone(client, database):
    database.set_clock(local(ZONE, "2026-11-29 18:00"))  # Sunday evening in Toronto, Monday in Auckland
    make_staff(database, "mechanic", "kiri@example.com", timezone="Pacific/Auckland")
    log_in(client, "kiri@example.com")
    page = client.get("/mechanic/calendar").get_data(as_text=True)
    assert "Monday 30 November 2026" in page and "Pacific/Auckland" in page
