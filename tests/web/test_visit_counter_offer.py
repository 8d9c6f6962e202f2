"""The workshop's counter-offer through the pages, both sides (SPEC §11): the admin proposes another time, the
customer sees it on their appointment page and accepts (the visit moves and is confirmed) or declines (a request
is cancelled and the deposit refunded in full); a time taken since keeps the offer and says so. And the customer's
"Book an in-person visit" after a completed online session, which opens Schedule pre-filled (SPEC §3.3)."""
from datetime import timedelta

import pytest

import test_workshop_visit_pages as workshop_pages
from availability_world import World, local
from conftest import csrf_token, log_in, make_customer, submit
from support import refusal_codes
from test_workshop_visit_pages import LATER, REQUESTED, ZONE, book_visit, field_error, html_of, refunded, visit_row

# the fixtures of the workshop's pages: its desk and the admin's browser; and the money adding up after each test
desk, admin = workshop_pages.desk, workshop_pages.admin
pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")

CASEY = "casey@example.com"


@pytest.fixture
def customer(app, desk):
    """Casey, logged in on a browser of their own."""
    browser = app.test_client()
    log_in(browser, CASEY)
    return browser


def propose(admin, visit, day="2026-11-26", time="14:00", note="Thursday suits us better"):
    response = submit(admin, f"/workshop/visits/{visit}", {"day": day, "start": time, "note": note},
                      action=f"/workshop/visits/{visit}/counter-offer")
    assert response.status_code == 302, field_error(response, "start")


def pending_offer(database, visit):
    return database.scalar("select id from app.visit_counter_offers where session_id = %s and status = 'pending'", [visit])


def answer(customer, visit, offer, choice):
    return submit(customer, f"/customer/appointments/{visit}", {},
                  action=f"/customer/appointments/{visit}/counter-offers/{offer}/{choice}")


def test_the_customer_accepts_the_proposed_time_and_the_visit_moves_there_confirmed(app, admin, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    propose(admin, visit)
    offer = pending_offer(database, visit)

    page = html_of(customer.get(f"/customer/appointments/{visit}"))
    assert "Queen West Auto proposes another time" in page
    assert "Thu 26 Nov 2026, 2:00 PM EST" in page and "2:30 PM EST" in page and "Thursday suits us better" in page
    assert "Accept this time" in page and "your deposit comes back in full" in page

    response = answer(customer, visit, offer, "accept")
    assert response.status_code == 302 and response.location.endswith(f"/customer/appointments/{visit}")
    row = visit_row(database, visit)
    assert (row["status"], row["scheduled_for"], row["calendar_sequence"]) == ("scheduled", LATER, 2)  # confirmed, then moved: each its own sequence
    assert database.scalar("select status from app.visit_counter_offers where id = %s", [offer]) == "accepted"
    page = html_of(customer.get(response.location))
    assert "your visit moved to the time the workshop proposed and is confirmed" in page
    assert "proposes another time" not in page and "Thu 26 Nov 2026, 2:00 PM EST" in page
    assert refunded(database, visit) == 0
    assert database.scalar("select count(*) from app.outbox where template = 'visit_counter_answered' and user_id = %s",
                           [desk.admin]) >= 1

    queue = html_of(admin.get(f"/workshop/{desk.workshop}/visits"))
    upcoming = queue[queue.index('id="upcoming-title"'):queue.index('id="balance-title"')]
    assert f"/workshop/visits/{visit}" in upcoming and "Thu 26 Nov, 2:00 PM EST" in upcoming and "Confirmed" in upcoming


def test_the_customer_declines_the_proposed_time_and_the_request_is_cancelled_with_the_deposit_back(
        app, admin, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    propose(admin, visit)
    offer = pending_offer(database, visit)

    response = answer(customer, visit, offer, "decline")
    assert response.status_code == 302
    row = visit_row(database, visit)
    assert (row["status"], row["scheduled_for"]) == ("cancelled", REQUESTED)
    assert database.scalar("select status from app.visit_counter_offers where id = %s", [offer]) == "declined"
    assert refunded(database, visit) == 1500
    assert "The request is cancelled and your deposit goes back to you in full" in html_of(customer.get(response.location))


def test_declining_another_time_for_a_confirmed_visit_keeps_its_time(app, admin, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], REQUESTED)
    propose(admin, visit)
    response = answer(customer, visit, pending_offer(database, visit), "decline")
    assert response.status_code == 302
    row = visit_row(database, visit)
    assert (row["status"], row["scheduled_for"]) == ("scheduled", REQUESTED) and refunded(database, visit) == 0
    assert "Your visit keeps its time" in html_of(customer.get(response.location))


def test_a_proposed_time_taken_since_is_told_and_the_offer_stays_open(app, admin, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    propose(admin, visit)
    offer = pending_offer(database, visit)
    book_visit(app, database, make_customer(database, "noor@example.com", "Noor Aziz"), desk.mechanics[0], LATER)
    before = visit_row(database, visit)

    response = answer(customer, visit, offer, "accept")
    assert response.status_code == 409
    page = html_of(response)
    assert refusal_codes(page) == {"UC062"} and "Accept this time" in page
    assert visit_row(database, visit) == before and pending_offer(database, visit) == offer


def test_a_passed_proposal_cannot_be_accepted(app, admin, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], LATER + timedelta(days=1))
    propose(admin, visit)
    offer = pending_offer(database, visit)
    database.set_clock(LATER + timedelta(minutes=5))
    response = answer(customer, visit, offer, "accept")
    assert response.status_code == 422 and refusal_codes(response) == {"UR061"}
    assert pending_offer(database, visit) == offer


def test_only_the_visits_customer_answers_and_only_with_the_csrf_token(app, admin, client, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    propose(admin, visit)
    offer = pending_offer(database, visit)
    before = visit_row(database, visit)

    # the admin's own browser: customer pages are not for a workshop admin
    assert admin.post(f"/customer/appointments/{visit}/counter-offers/{offer}/accept",
                      data={"csrf_token": csrf_token(admin, "/workshop/")}).status_code == 403
    stranger = app.test_client()
    make_customer(database, "noor@example.com", "Noor Aziz")
    log_in(stranger, "noor@example.com")
    assert stranger.get(f"/customer/appointments/{visit}").status_code == 404
    assert stranger.post(f"/customer/appointments/{visit}/counter-offers/{offer}/accept",
                         data={"csrf_token": csrf_token(stranger, "/customer/")}).status_code == 404
    casey = app.test_client()
    log_in(casey, "casey@example.com")
    assert casey.post(f"/customer/appointments/{visit}/counter-offers/{offer}/accept").status_code == 400
    assert visit_row(database, visit) == before and pending_offer(database, visit) == offer


# --- an in-person visit after a completed online session ------------------------------------------------

def completed_online_session(database, customer, vehicle):
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks={d: [("00:00", "24:00")] for d in range(1, 8)}, min_notice_minutes=0)
        hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                           [customer, mechanic, local(ZONE, "2026-11-23 09:30")])
        payment = conn.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
            "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, p_advice_only => %s, "
            "p_concern_category => 'repair', p_concern => 'The brakes grind at low speed; the mechanic suspects worn pads.')",
            [customer, hold, vehicle, vehicle is None]).fetchone()
        session = world.charge(payment)["session_id"]
        conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
        conn.execute("select app.start_session(%s, %s)", [mechanic, session])
        conn.execute("select app.complete_session(%s, %s)", [mechanic, session])
    return session


def choose(client, step, choice):
    return submit(client, "/customer/vehicles", {"choice": choice}, action=f"/customer/schedule/{step}")


def test_book_an_in_person_visit_opens_schedule_with_the_vehicle_and_concern_filled_in(app, customer, database, desk):
    vehicle = database.scalar("select app.add_vehicle(p_actor => %s, p_year => 2018, p_make => 'Toyota', p_model => 'RAV4')",
                              [desk.casey])
    session = completed_online_session(database, desk.casey, vehicle)
    page = html_of(customer.get(f"/customer/appointments/{session}"))
    assert "Book an in-person visit" in page

    response = submit(customer, f"/customer/appointments/{session}", {},
                      action=f"/customer/appointments/{session}/in-person-visit")
    assert response.status_code == 302 and response.location.endswith("/customer/schedule/")
    landed = customer.get(response.location)
    assert landed.status_code == 302 and landed.location.endswith("/customer/schedule/plan")  # service and vehicle answered
    page = html_of(customer.get(landed.location))
    assert "We filled in the vehicle and the concern from your online session" in page
    assert 'value="in_person" class="sched-choice selected"' in html_of(customer.get("/customer/schedule/service"))
    assert f'value="{vehicle}" class="sched-choice selected"' in html_of(customer.get("/customer/schedule/vehicle"))

    assert choose(customer, "plan", "standard").location.endswith("/customer/schedule/mechanic")
    assert choose(customer, "mechanic", str(desk.mechanics[1])).location.endswith("/customer/schedule/time")
    # the concern is answered already: straight on to the review
    assert choose(customer, "time", LATER.isoformat()).location.endswith("/customer/schedule/review")
    review = html_of(customer.get("/customer/schedule/review"))
    assert "2018 Toyota RAV4" in review and "The brakes grind at low speed" in review
    intake = html_of(customer.get("/customer/schedule/intake"))
    assert "The brakes grind at low speed; the mechanic suspects worn pads." in intake
    assert '<option selected value="repair">Repair</option>' in intake


def test_book_an_in_person_visit_only_from_ones_own_completed_online_session(app, customer, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], REQUESTED)
    assert "Book an in-person visit" not in html_of(customer.get(f"/customer/appointments/{visit}"))
    response = submit(customer, f"/customer/appointments/{visit}", {},
                      action=f"/customer/appointments/{visit}/in-person-visit")
    assert response.status_code == 422
    noor = make_customer(database, "noor@example.com", "Noor Aziz")
    theirs = completed_online_session(database, noor, None)
    response = submit(customer, "/customer/vehicles", {}, action=f"/customer/appointments/{theirs}/in-person-visit")
    assert response.status_code == 404
    assert database.scalar("select count(*) from app.booking_drafts") == 0
