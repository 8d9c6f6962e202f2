"""What a customer reads about their bookings (issue 17 polish): the dashboard points to a time a workshop
proposes; statuses are words, never codes; a finished Book Now session is not "live"; "an extended session";
calendar links only for a booking that still happens; in-person mechanics nearest first."""
import re

import pytest

import formats
import test_workshop_visit_pages as workshop_pages
from availability_world import local
from conftest import log_in, make_customer, make_staff
from test_scheduling import BASE, choose, mechanic, page, pay, to_review, to_time_step
from test_visit_counter_offer import propose
from test_workshop_visit_pages import REQUESTED, book_visit, html_of

desk, admin = workshop_pages.desk, workshop_pages.admin
pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")  # as on the workshop's pages
STATUSES = ("scheduled", "requested", "pending", "live", "completed", "cancelled", "no_show", "expired")


@pytest.fixture
def casey(client, database, world):
    customer = make_customer(database)
    log_in(client, "casey@example.com")
    return customer


def test_the_dashboard_points_to_a_time_the_workshop_proposes(app, admin, database, desk):
    customer = app.test_client()
    log_in(customer, "casey@example.com")
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    assert "proposes" not in html_of(customer.get("/customer/"))
    propose(admin, visit)
    dashboard = html_of(customer.get("/customer/"))
    assert "A workshop proposes another time" in dashboard
    assert "Queen West Auto proposes <strong>Thu 26 Nov 2026, 2:00 PM EST</strong> for your visit." in dashboard
    assert f'href="/customer/appointments/{visit}#counter-offer">Accept or decline' in dashboard


def test_every_status_is_shown_in_words():
    labels = {status: formats.status_label(status) for status in STATUSES}
    assert all(label != status and label[0].isupper() and "_" not in label for status, label in labels.items())
    assert labels["scheduled"] == "Confirmed" and formats.status_label("some_new_state") == "Some new state"


def test_the_confirmation_and_the_entry_page_name_the_status(client, world, casey):
    to_review(client, mechanic(world, "Marcus Chen"))
    session_id = int(pay(client).location.rsplit("/", 1)[1])
    confirmation = page(client, f"{BASE}/confirmation/{session_id}")
    assert '<span class="badge status-scheduled">Confirmed</span>' in confirmation and ">scheduled<" not in confirmation
    entry = page(client, f"{BASE}/")
    assert "Modify existing" in entry and '<span class="badge status-scheduled">Confirmed</span>' in entry


def test_the_time_step_says_an_extended_session(client, world, casey):
    to_time_step(client, mechanic(world, "Marcus Chen"), plan="extended")
    time_step = page(client, f"{BASE}/time")
    assert "for an extended session online" in time_step and "a extended" not in time_step


def test_a_finished_book_now_session_is_not_called_live(client, world, database, casey):
    helper = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    world.conn.execute("select app.set_on_shift(%s, true)", [helper])
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                          "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [casey])
    world.conn.execute("select app.answer_offer(%s, %s, true)", [helper, session])
    world.conn.execute("select app.start_session(%s, %s)", [helper, session])
    world.conn.execute("select app.complete_session(%s, %s)", [helper, session])
    listing = page(client, "/customer/appointments")
    assert "Book Now session" in listing and "Live now" not in listing
    assert '<span class="badge status-completed">Completed</span>' in listing


def calendar_links(html):
    return re.findall(r"Download \.ics|Add to Google Calendar|Add to Outlook|Remove it from your calendar|"
                      r"Add it to your calendar", html)


def test_calendar_links_only_while_the_booking_still_happens(client, world, database, casey):
    marcus = mechanic(world, "Marcus Chen")
    to_review(client, marcus)
    session_id = int(pay(client).location.rsplit("/", 1)[1])
    assert calendar_links(page(client, f"/customer/appointments/{session_id}")) == [
        "Download .ics", "Add to Google Calendar", "Add to Outlook"]
    assert "Add it to your calendar" in calendar_links(page(client, f"{BASE}/confirmation/{session_id}"))
    world.conn.execute("select * from app.cancel_session(%s, %s, 'Plans changed')", [casey, session_id])
    assert calendar_links(page(client, f"/customer/appointments/{session_id}")) == ["Remove it from your calendar"]
    assert calendar_links(page(client, f"{BASE}/confirmation/{session_id}")) == []
    done = world.book(casey, marcus, local("America/Toronto", "2026-11-24 12:00"))
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [done])
    world.conn.execute("select app.start_session(%s, %s)", [marcus, done])
    world.conn.execute("select app.complete_session(%s, %s)", [marcus, done])
    assert calendar_links(page(client, f"/customer/appointments/{done}")) == []
    assert calendar_links(page(client, f"{BASE}/confirmation/{done}")) == []


def test_in_person_mechanics_are_listed_nearest_first(client, world, casey):
    ALL_HOURS = {d: ("00:00", "24:00") for d in range(1, 8)}
    for name, city, postal_code, zone, rating in (("Harbourside Motors", "Halifax", "B3K 3B4", "America/Halifax", 5.0),
                                                 ("Queen West Auto", "Toronto", "M6J 1G3", "America/Toronto", 4.1)):
        shop = world.workshop(zone=zone, hours=ALL_HOURS)
        world.conn.execute("update app.workshops set name = %s, city = %s, postal_code = %s where id = %s",
                           [name, city, postal_code, shop])
        mechanic(world, f"Mechanic at {name}", zone=zone, workshop=shop, partnership="employee", rating=rating,
                 currently_on_shift=name.startswith("Harbourside"))
    assert choose(client, "service", "in_person").status_code == 302
    assert choose(client, "vehicle", "advice").status_code == 302
    assert choose(client, "plan", "standard").status_code == 302
    listing = page(client, f"{BASE}/mechanic")
    names = re.findall(r"<strong>Mechanic at ([^<]+)</strong>", listing)
    assert names == ["Queen West Auto", "Harbourside Motors"]
    assert "near you" in listing and re.search(r"about 1,[0-9]{3} km away", listing)
