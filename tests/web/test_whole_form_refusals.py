"""Forms through the pages (issue 17): every error of a form is shown at once next to its field (the form's own
checks and the database's together), phone numbers and postal codes are checked where they are typed, a refused
text keeps what was typed and states its limit, and a refused day or time says why."""
import re
from datetime import timedelta
from html import unescape
from types import SimpleNamespace

import pytest

import test_appointments as appointments
import test_mechanic_session_pages as sessions
import test_scheduling as scheduling
import test_workshop_settings as settings
import test_workshop_visit_pages as visits
from conftest import NOW, csrf_token, log_in, make_customer, make_staff, submit
from support import refusal_codes

# fixtures of the pages these tests visit
booked = appointments.booked
shop, admin = settings.shop, settings.admin
desk = visits.desk
casey = scheduling.casey

PAST = "That time is in the past."
FAR = "That is beyond the 30 days ahead you can book with this mechanic."


def errors_of(response):
    """{field id: message} of the errors shown next to fields."""
    return {field: unescape(message) for field, message in
            re.findall(r'<p id="([\w-]+)-error" class="error"[^>]*>([^<]*)</p>', response.get_data(as_text=True))}


# --- every error at once ---------------------------------------------------------------------------------------

def test_sign_up_shows_the_password_email_phone_and_postal_code_errors_together(client, database):
    form = {"name": "Robin Driver", "email": "robin-at-example.com", "password": "password12", "confirm": "password12",
            "timezone": "America/Vancouver", "phone": "abc", "postal_code": "ZZZZZZZZZZ", "country": "CA"}
    response = submit(client, "/signup", form)
    assert response.status_code == 400
    shown = errors_of(response)
    assert {"password", "email", "phone", "postal_code"} <= set(shown)
    assert [refusal_codes(response, f"{field}-error") for field in ("email", "phone", "postal_code")] == [
        {"users_email_format"}, {"users_phone_format"}, {"customers_postal_code_format"}]
    assert database.scalar("select count(*) from app.users") == 0


def test_a_vehicle_shows_the_vin_error_with_the_year_and_odometer_errors(client, database):
    make_customer(database)
    log_in(client, "casey@example.com")
    response = submit(client, "/customer/vehicles", {"year": "1800", "make": "Honda", "model": "Civic",
                                                     "vin": "1HGCM82633A00435X", "odometer_km": "-5", "plate": ""})
    assert response.status_code == 400
    assert {"year", "odometer_km", "vin"} <= set(errors_of(response))
    assert refusal_codes(response, "vin-error") == {"vehicles_vin_valid"}
    assert database.scalar("select count(*) from app.vehicles") == 0


def test_workshop_hours_show_every_bad_day_at_once(admin, database, shop):
    workshop, _ = shop
    response = submit(admin, f"/workshop/{workshop}/hours",
                      settings.hours_form(day2_opens="17:00", day2_closes="09:00", day5_opens="9am", day6_break_end="18:00"))
    assert response.status_code == 400
    assert {"day2_closes", "day5_opens", "day6_break_end"} <= set(errors_of(response))


def test_workshop_settings_show_the_databases_errors_with_the_forms_own(admin, database, shop):
    workshop, _ = shop
    response = submit(admin, f"/workshop/{workshop}/settings", {
        "name": "Queen West Auto", "street": "1 Main St", "city": "Toronto", "province": "ON",
        "postal_code": "ZZZZZZZZZZ", "phone": "abc", "timezone": "America/Toronto", "capacity": "0"})
    assert response.status_code == 400
    assert {"postal_code", "phone", "capacity"} <= set(errors_of(response))
    assert database.scalar("select phone from app.workshops where id = %s", [workshop]) is None


def test_a_new_workshop_shows_every_error_at_once(client, database):
    make_staff(database, "admin", "root@example.com")
    log_in(client, "root@example.com")
    response = submit(client, "/admin/accounts/workshops/new", {
        "name": "", "street": "1 Main St", "city": "Toronto", "province": "ON", "postal_code": "ZZZZZZZZZZ",
        "country": "CA", "phone": "((((((((", "timezone": "America/Toronto", "stripe_account_id": "sk_live_1"})
    assert response.status_code == 400
    assert {"name", "postal_code", "phone", "stripe_account_id"} <= set(errors_of(response))
    assert database.scalar("select count(*) from app.workshops") == 0


def test_weekly_blocks_show_every_bad_block_next_to_its_time(client, database, maria):
    response = submit(client, "/mechanic/availability", {
        "blocks-0-start": "10:00", "blocks-0-end": "09:00", "blocks-1-start": "", "blocks-1-end": "",
        "blocks-2-start": "15:00", "blocks-2-end": "14:00"}, action="/mechanic/availability/2")
    assert response.status_code == 400
    shown = errors_of(response)
    assert {"day2-blocks-0-end", "day2-blocks-2-end"} <= set(shown)
    assert refusal_codes(response, "day2-blocks-2-end-error") == {"UV021"}
    assert database.scalar("select count(*) from app.mechanic_availability where mechanic_id = %s and weekday = 2",
                           [maria.maria]) == 1  # Tuesday kept the block it had


# --- a refused text keeps what was typed ---------------------------------------------------------------------

@pytest.fixture
def maria(database, client):
    """Maria (a mechanic bookable all week, logged in) and Casey (a customer); the clock at NOW."""
    database.set_clock(NOW)
    maria = sessions.bookable(database, make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic"))
    casey = make_customer(database, name="Casey Customer")
    log_in(client, "maria@example.com")
    return SimpleNamespace(maria=maria, casey=casey)


def live_session(database, client, shop):
    session = sessions.book(database, shop.casey, shop.maria)
    database.set_clock(sessions.START - timedelta(minutes=5))
    sessions.set_pending(database, session)
    sessions.post(client, f"/mechanic/sessions/{session}/start")
    return session


def test_a_summary_over_the_limit_keeps_the_text_and_says_the_limit_next_to_it(client, database, maria):
    session = live_session(database, client, maria)
    typed = "The front pads are worn; replace them soon. " * 100
    response = sessions.post(client, f"/mechanic/sessions/{session}/complete", {"summary": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert typed.strip() in unescape(html)  # what was typed is in the box again
    assert errors_of(response)["summary"] == "Keep the summary to 4000 characters."
    assert 'data-counts="summary"' in html and "Up to 4,000 characters." in html and 'maxlength="4000"' in html
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "live"


def test_a_summary_the_box_allowed_is_taken_though_the_browser_sends_line_breaks_as_two_characters(client, database, maria):
    session = live_session(database, client, maria)
    lines = ["x" * 99] * 40  # 3,999 characters as the box counts them, 4,038 as sent
    response = sessions.post(client, f"/mechanic/sessions/{session}/complete", {"summary": "\r\n".join(lines)})
    assert response.status_code == 302
    assert database.scalar("select length(summary) from app.sessions where id = %s", [session]) == 3999


def test_every_page_loads_the_counter_script(client, database):
    html = client.get("/signup").get_data(as_text=True)
    assert "/static/counter.js" in html
    assert client.get("/static/counter.js").status_code == 200


# --- refusals say why -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, sentence", [
    ("2020-01-06", "That day is in the past."),
    ("2099-01-05", "That day is beyond the 30 days ahead you can book with this mechanic."),
])
def test_rescheduling_to_a_day_out_of_reach_says_why(client, database, booked, day, sentence):
    _, _, session = booked
    page = client.get(f"/customer/appointments/{session}?day={day}").get_data(as_text=True)
    assert sentence in page and "No free time with" not in page


@pytest.mark.parametrize("start, sentence", [
    ("2020-01-06T15:00:00+00:00", PAST),
    ("2099-01-05T15:00:00+00:00", FAR),
])
def test_rescheduling_to_a_time_out_of_reach_says_why_on_the_page_and_in_the_api(client, database, booked, start, sentence):
    _, _, session = booked
    response = submit(client, f"/customer/appointments/{session}", {"start": start},
                      action=f"/customer/appointments/{session}/reschedule")
    assert response.status_code == 422 and sentence in response.get_data(as_text=True)
    response = client.post(f"/api/appointments/{session}/reschedule", json={"start": start},
                           headers={"X-CSRFToken": csrf_token(client, "/customer/")})
    assert response.status_code == 422 and response.get_json()["error"]["message"] == sentence
    assert database.scalar("select scheduled_for from app.sessions where id = %s", [session]) == appointments.START


def test_a_counter_offer_beyond_the_workshops_reach_says_why(app, client, database, desk):
    log_in(client, visits.ADMIN)
    visit = visits.book_visit(app, database, desk.casey, desk.mechanics[0], visits.REQUESTED)
    before = visits.snapshot(database, visit)
    response = visits.act(client, visit, "counter-offer", {"day": "2099-01-05", "start": "14:00"})
    assert response.status_code == 422 and visits.field_error(response, "start") == FAR
    assert visits.snapshot(database, visit) == before


@pytest.mark.parametrize("day, sentence", [
    ("2020-01-06", "That day is in the past."),
    ("2099-01-05", "That day is beyond the 30 days ahead you can book with this mechanic."),
])
def test_the_scheduling_calendar_says_why_a_day_cannot_be_booked(client, world, casey, day, sentence):
    to_time = scheduling.mechanic(world, "Marcus Chen")
    scheduling.to_time_step(client, to_time)
    response = client.get(f"{scheduling.BASE}/time?day={day}")
    assert response.status_code == 400 and sentence in response.get_data(as_text=True)
