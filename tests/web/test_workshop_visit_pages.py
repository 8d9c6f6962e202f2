"""The workshop's in-person visits as pages (SPEC §9, §11, §12): the queue in the workshop's zone, confirm, decline
with a reason, propose another time, assign a mechanic, cancel, check-in on the tablet (typed or drawn signature)
and completion that charges the balance at once. Bad input is shown next to its field and changes nothing;
another workshop's admin gets a 404, mechanics and customers a 403, and every form needs its CSRF token."""
import base64
import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest

import payments
from availability_world import World, local
from conftest import NOW, acting_in, csrf_token, log_in, make_customer, make_staff, submit
from support import refusal_codes

ZONE = "America/Toronto"
OPEN_ALL_DAY = {d: ("00:00", "24:00") for d in range(1, 8)}
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
VISA = "4242 4242 4242 4242"
ADMIN = "priya@example.com"
TODAY = local(ZONE, "2026-11-23 09:30")  # the clock (NOW) is Monday 09:00 in Toronto
REQUESTED = local(ZONE, "2026-11-25 10:00")
LATER = local(ZONE, "2026-11-26 14:00")
CONCERN = "Grinding from the front left wheel when braking."
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5"
                    "e1e5a40000000049454e44ae426082")

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


@dataclass
class Desk:
    """Queen West Auto: its admin, two employees (the first takes bookings only as requests), Casey the customer,
    and another workshop with its own admin and mechanic."""
    workshop: int
    admin: int
    mechanics: list
    casey: int
    other_workshop: int
    other_mechanic: int


@pytest.fixture
def desk(database):
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        workshop, other = world.workshop(hours=OPEN_ALL_DAY), world.workshop(hours=OPEN_ALL_DAY)
        conn.execute("update app.workshops set name = 'Queen West Auto' where id = %s", [workshop])
        mechanics = [world.mechanic(blocks=ALL_DAY, workshop=workshop, partnership="employee", min_notice_minutes=0)
                     for _ in range(2)]
        for mechanic, name in zip(mechanics, ("Omar Farouk", "Miguel Santos")):
            conn.execute("update app.users set name = %s where id = %s", [name, mechanic])
        conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [mechanics[0]])
        other_mechanic = world.mechanic(blocks=ALL_DAY, workshop=other, partnership="employee")
    admin = make_staff(database, "workshop_admin", ADMIN, name="Priya Admin", workshop_id=workshop)
    make_staff(database, "workshop_admin", "graham@example.com", name="Graham Other", workshop_id=other)
    casey = make_customer(database)
    database.scalar("update app.users set phone = '+1 416 555 0100' where id = %s returning 1", [casey])
    return Desk(workshop, admin, mechanics, casey, other, other_mechanic)


@pytest.fixture
def admin(client, desk):
    log_in(client, ADMIN)
    return client


def book_visit(app, database, customer, mechanic, start, vehicle=None, card=VISA):
    """A paid in-person booking made as the app makes it, through the app's own gateway (so refunds reach it)."""
    with database.owner() as conn:
        hold = conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, 'standard', 'in_person')",
                            [customer, mechanic, start]).fetchone()["hold_id"]
    with acting_in(app, database, customer):
        payment = payments.checkout(customer, kind="scheduled", plan="standard", card=card, hold_id=hold,
                                    vehicle_id=vehicle, advice_only=vehicle is None, concern_category="repair",
                                    concern=CONCERN)
    assert payment["status"] == "succeeded"
    return payment["session_id"]


def visit_row(database, visit):
    with database.owner() as conn:
        return conn.execute("select * from app.sessions where id = %s", [visit]).fetchone()


def snapshot(database, visit):
    """Everything an action on a visit could change."""
    with database.owner() as conn:
        counts = conn.execute(
            "select (select count(*) from app.visit_counter_offers) as offers, "
            "       (select count(*) from app.waiver_signatures) as signatures, "
            "       (select count(*) from app.payments) as payments, (select count(*) from app.refunds) as refunds, "
            "       (select count(*) from app.session_events where session_id = %s) as events", [visit]).fetchone()
    return visit_row(database, visit), counts


def html_of(response):
    return unescape(response.get_data(as_text=True))


def field_error(response, field_id):
    """The error shown next to a field (templates/_forms.html), or None."""
    match = re.search(rf'<p id="{field_id}-error" class="error"[^>]*>([^<]*)</p>', response.get_data(as_text=True))
    return match and unescape(match.group(1))


def act(client, visit, action, data=None):
    return submit(client, f"/workshop/visits/{visit}", data or {}, action=f"/workshop/visits/{visit}/{action}")


def refunded(database, visit):
    return database.scalar("select coalesce(sum(amount_cents), 0) from app.refunds where session_id = %s "
                           "and status = 'succeeded'", [visit])


# --- the queue and the visit page ------------------------------------------------------------------------

def test_the_queue_groups_requests_today_and_upcoming_in_the_workshops_zone(app, admin, database, desk):
    request = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    today = book_visit(app, database, make_customer(database, "noor@example.com", "Noor Aziz"), desk.mechanics[1], TODAY)
    upcoming = book_visit(app, database, make_customer(database, "liam@example.com", "Liam OBrien"), desk.mechanics[1], LATER)

    response = admin.get(f"/workshop/{desk.workshop}/visits")
    assert response.status_code == 200
    html = html_of(response)
    assert 'aria-current="page">Visits</a>' in html and "Times in the workshop's zone, America/Toronto" in html
    sections = [html.index(title) for title in ("Waiting for your answer", "Today", "Upcoming", "Completed, balance due")]
    assert sections == sorted(sections)
    assert sections[0] < html.index(f"/workshop/visits/{request}") < sections[1]
    assert sections[1] < html.index(f"/workshop/visits/{today}") < sections[2]
    assert sections[2] < html.index(f"/workshop/visits/{upcoming}") < sections[3]
    assert "Wed 25 Nov, 10:00 AM EST–10:30 AM" in html and "Casey Customer · +1 416 555 0100" in html
    assert f"/workshop/visits/{today}/check-in" in html  # from an hour before the start
    assert f"/workshop/{desk.workshop}/visits" in html_of(admin.get("/workshop/"))

    page = html_of(admin.get(f"/workshop/visits/{request}"))
    assert "Awaiting your answer" in page and CONCERN in page and "Omar Farouk" in page
    assert "$15.00 CAD" in page and "$14.00 CAD" in page  # the deposit paid, the balance after the visit
    assert "Confirm this time" in page and "Decline" in page and "Propose another time" in page
    assert 'value="2026-11-25"' in page and 'value="10:00"' in page  # the form starts from the time asked for


def test_the_admin_confirms_a_request(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    response = act(admin, visit, "confirm")
    assert response.status_code == 302 and response.location.endswith(f"/workshop/visits/{visit}")
    assert visit_row(database, visit)["status"] == "scheduled"
    assert "Confirmed. Casey Customer has been told." in html_of(admin.get(response.location))
    assert database.scalar("select count(*) from app.outbox where template = 'session_accepted' and user_id = %s",
                           [desk.casey]) >= 1

    again = act(admin, visit, "confirm")  # no longer a request: refused, nothing changes
    assert again.status_code == 422 and visit_row(database, visit)["status"] == "scheduled"


def test_declining_needs_a_reason_and_gives_the_whole_deposit_back(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    before = snapshot(database, visit)
    for reason in ("", "   "):
        response = act(admin, visit, "decline", {"reason": reason})
        assert response.status_code == 400 and field_error(response, "reason")
        assert snapshot(database, visit) == before

    response = act(admin, visit, "decline", {"reason": "The lift is broken that week."})
    assert response.status_code == 302
    row = visit_row(database, visit)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "The lift is broken that week.")
    assert refunded(database, visit) == 1500
    assert "gets the whole deposit back" in html_of(admin.get(response.location))


@pytest.mark.parametrize("day, time, field, status", [
    ("2026-02-30", "14:00", "day", 400),     # no such date
    ("2026-11-26", "2pm", "start", 400),     # not a time
    ("", "14:00", "day", 400),
    ("2026-11-23", "10:30", "start", 422),   # less than 2 hours ahead
    ("2026-11-25", "10:00", "start", 400),   # the time already asked for
    ("2026-11-27", "14:00", "start", 422),   # the workshop is closed that day, and the refusal says so
])
def test_a_proposed_time_that_cannot_be_kept_is_refused_next_to_its_field(app, admin, database, desk, day, time, field, status):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    database.scalar("insert into app.workshop_closures (workshop_id, closed_on) values (%s, '2026-11-27') returning 1",
                    [desk.workshop])
    before = snapshot(database, visit)
    response = act(admin, visit, "counter-offer", {"day": day, "start": time, "note": "Works better for us"})
    assert response.status_code == status and field_error(response, field)
    assert snapshot(database, visit) == before


def test_a_proposed_time_is_read_in_the_workshops_zone_and_the_customer_is_told(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED)
    response = act(admin, visit, "counter-offer", {"day": "2026-11-26", "start": "14:00", "note": "Thursday suits us better"})
    assert response.status_code == 302
    offer = database.scalar("select row_to_json(o) from app.visit_counter_offers o where session_id = %s", [visit])
    assert (offer["status"], offer["note"], offer["proposed_start"]) == ("pending", "Thursday suits us better",
                                                                         "2026-11-26T19:00:00+00:00")  # 14:00 EST
    assert visit_row(database, visit)["scheduled_for"] == REQUESTED  # nothing moves before the customer says so
    page = html_of(admin.get(response.location))
    assert "You proposed Thu 26 Nov 2026, 2:00 PM EST" in page and "Thursday suits us better" in page
    assert database.scalar("select count(*) from app.outbox where template = 'visit_counter_offer' and user_id = %s",
                           [desk.casey]) >= 1


def test_the_admin_assigns_another_of_the_workshops_mechanics(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], LATER)
    page = html_of(admin.get(f"/workshop/visits/{visit}"))
    assert f'<option value="{desk.mechanics[0]}">Omar Farouk</option>' in page
    assert f'<option selected value="{desk.mechanics[1]}">Miguel Santos</option>' in page

    busy = book_visit(app, database, make_customer(database, "noor@example.com", "Noor Aziz"), desk.mechanics[0], LATER)
    before = snapshot(database, visit)
    for mechanic, status in ((desk.other_mechanic, 404), ("someone", 400), ("99999999999999999999", 400), ("0", 400),
                             ("-5", 400), (desk.mechanics[0], 409)):
        response = act(admin, visit, "assign", {"mechanic": mechanic})
        assert response.status_code == status
        assert snapshot(database, visit) == before

    act(admin, busy, "decline", {"reason": "Double booked"})
    response = act(admin, visit, "assign", {"mechanic": desk.mechanics[0]})
    assert response.status_code == 302
    row = visit_row(database, visit)
    assert (row["mechanic_id"], row["scheduled_for"]) == (desk.mechanics[0], LATER)


def test_the_workshop_cancels_a_confirmed_visit_with_a_reason_and_refunds_it_all(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], LATER)
    before = snapshot(database, visit)
    response = act(admin, visit, "cancel", {"reason": ""})
    assert response.status_code == 400 and field_error(response, "reason")
    assert snapshot(database, visit) == before

    response = act(admin, visit, "cancel", {"reason": "Our hoist is out of order."})
    assert response.status_code == 302
    assert visit_row(database, visit)["status"] == "cancelled" and refunded(database, visit) == 1500


# --- check-in and the balance ----------------------------------------------------------------------------

def test_check_in_with_a_typed_name_then_completion_charges_the_balance_and_shares_the_money(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], TODAY)
    page = html_of(admin.get(f"/workshop/visits/{visit}/check-in"))
    waiver = database.scalar("select body from app.waiver_versions where version = app.current_waiver_version('in_person')")
    assert "Welcome, Casey Customer" in page and waiver in page and "signature.js" in page
    assert 'name="typed_name"' in page and 'name="agree"' in page

    before = snapshot(database, visit)
    response = submit(admin, f"/workshop/visits/{visit}/check-in", {"typed_name": "Casey Customer"})
    assert response.status_code == 400 and field_error(response, "agree")
    assert snapshot(database, visit) == before

    response = submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "typed_name": "Casey Customer"})
    assert response.status_code == 302 and response.location.endswith(f"/workshop/visits/{visit}/check-in")
    assert visit_row(database, visit)["status"] == "pending"
    signature = database.scalar("select row_to_json(s) from app.waiver_signatures s where session_id = %s", [visit])
    assert (signature["mode"], signature["typed_name"], signature["signed_by"], signature["customer_id"]) == (
        "in_person", "Casey Customer", desk.admin, desk.casey)
    assert signature["ip"] and signature["user_agent"] is not None
    assert "Casey Customer: you are checked in" in html_of(admin.get(response.location))

    database.set_clock(NOW + timedelta(minutes=65))
    response = act(admin, visit, "complete")
    assert response.status_code == 302
    assert visit_row(database, visit)["status"] == "completed"
    with database.owner() as conn:
        balance = conn.execute("select * from app.payments where session_id = %s and kind = 'balance'", [visit]).fetchall()
        payouts = {r["payee"]: r["amount_cents"] for r in conn.execute(
            "select payee, amount_cents from app.payouts where session_id = %s", [visit])}
    assert [(b["status"], b["amount_cents"] + b["credit_cents"]) for b in balance] == [("succeeded", 2900 - 1500)]
    assert payouts == {"workshop": 2030, "platform": 870}
    page = html_of(admin.get(response.location))
    assert "The balance of $14.00 CAD is paid" in page and "$14.00 CAD: paid" in page
    assert "Charge the balance" not in page


def test_a_declined_balance_is_told_and_can_be_charged_again(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], TODAY)
    submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "typed_name": "Casey Customer"})
    # the card that paid the deposit is refused now
    database.scalar("update app.payments set payment_method = 'pm_card_chargeDeclined' where session_id = %s returning 1", [visit])
    database.set_clock(TODAY)
    response = act(admin, visit, "complete")
    assert response.status_code == 302
    page = html_of(admin.get(response.location))
    assert "The balance of $14.00 CAD was not charged: Your card was declined" in page
    assert "Charge the balance again" in page and "the card was declined (Your card was declined.)" in page
    assert visit_row(database, visit)["status"] == "completed"
    assert database.scalar("select count(*) from app.payouts where session_id = %s", [visit]) == 0

    database.scalar("update app.payments set payment_method = 'pm_card_visa' where session_id = %s and kind = 'deposit' "
                    "returning 1", [visit])
    response = act(admin, visit, "balance")
    assert response.status_code == 302
    assert "The balance of $14.00 CAD is paid" in html_of(admin.get(response.location))
    assert database.scalar("select array_agg(status order by id) from app.payments where session_id = %s and kind = 'balance'",
                           [visit]) == ["failed", "succeeded"]
    assert database.scalar("select sum(amount_cents) from app.payouts where session_id = %s", [visit]) == 2900


def test_check_in_opens_an_hour_before_and_completion_waits_for_it(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], local(ZONE, "2026-11-23 13:00"))
    page = html_of(admin.get(f"/workshop/visits/{visit}/check-in"))
    assert "Check-in opens Mon 23 Nov, 12:00 PM EST" in page and 'name="typed_name"' not in page
    before = snapshot(database, visit)
    # the kiosk offers no form yet (nor a Log out one): the token comes from the visit's page
    response = submit(admin, f"/workshop/visits/{visit}", {"agree": "y", "typed_name": "Casey Customer"},
                      action=f"/workshop/visits/{visit}/check-in")
    assert response.status_code == 422 and refusal_codes(response) == {"UR008"}
    response = act(admin, visit, "complete")
    assert response.status_code == 422 and refusal_codes(response) == {"UR062"}
    assert snapshot(database, visit) == before

    database.set_clock(local(ZONE, "2026-11-23 12:00"))  # a drawn signature works as well as a typed name
    response = submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "signature": "data:image/png;base64,@@"})
    assert response.status_code == 400 and field_error(response, "typed_name")
    assert snapshot(database, visit) == before
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    response = submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "signature": drawn})
    assert response.status_code == 302
    assert database.scalar("select signature_png from app.waiver_signatures where session_id = %s", [visit]) == PNG
    assert visit_row(database, visit)["status"] == "pending"


def test_the_check_in_tablet_is_a_kiosk_with_the_in_person_waiver_and_a_way_back_for_staff(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], TODAY)
    page = html_of(admin.get(f"/workshop/visits/{visit}/check-in"))
    assert "In-person visit waiver" in page and "cannot see or touch your vehicle" not in page
    assert 'name="typed_name"' in page and ">Sign</button>" in page
    # the customer holding the tablet gets no way into the workshop's pages or the admin's account
    assert 'aria-label="Main"' not in page and "Log out" not in page and "Priya Admin" not in page
    assert f'href="/workshop/visits/{visit}"' not in page and 'href="/workshop/"' not in page
    assert re.search(rf'<p class="kiosk-staff"><a href="/workshop/{desk.workshop}/visits">Staff: back to visits</a></p>', page)

    response = submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "typed_name": "Casey Customer"})
    page = html_of(admin.get(response.location))  # after signing the tablet still shows the kiosk
    assert "you are checked in" in page and "Log out" not in page and "Staff: back to visits" in page


def test_a_visit_is_not_completed_or_charged_before_its_start(app, admin, database, desk):
    visit = book_visit(app, database, desk.casey, desk.mechanics[1], TODAY)  # 9:30; the clock says 9:00
    submit(admin, f"/workshop/visits/{visit}/check-in", {"agree": "y", "typed_name": "Casey Customer"})
    database.set_clock(TODAY - timedelta(minutes=4))
    page = html_of(admin.get(f"/workshop/visits/{visit}"))
    assert f"/workshop/visits/{visit}/complete" not in page and "from Mon 23 Nov 2026, 9:30 AM EST, the visit's start" in page
    assert f"/workshop/visits/{visit}/complete" not in html_of(admin.get(f"/workshop/{desk.workshop}/visits"))
    before = snapshot(database, visit)
    response = act(admin, visit, "complete")
    assert response.status_code == 422 and refusal_codes(response) == {"UR063"}
    assert snapshot(database, visit) == before

    database.set_clock(TODAY)
    assert f"/workshop/visits/{visit}/complete" in html_of(admin.get(f"/workshop/visits/{visit}"))
    assert act(admin, visit, "complete").status_code == 302
    assert visit_row(database, visit)["status"] == "completed"


# --- who may do what -------------------------------------------------------------------------------------

ACTIONS = [("confirm", {}), ("decline", {"reason": "Full"}), ("counter-offer", {"day": "2026-11-26", "start": "14:00"}),
           ("assign", {"mechanic": None}), ("cancel", {"reason": "Closed"}), ("complete", {}), ("balance", {}),
           ("check-in", {"agree": "y", "typed_name": "Casey Customer"})]


def visits_to_try(app, database, desk):
    return [book_visit(app, database, desk.casey, desk.mechanics[0], REQUESTED),
            book_visit(app, database, desk.casey, desk.mechanics[1], TODAY)]


def try_everything(client, desk, visit, token, expected):
    for path in (f"/workshop/{desk.workshop}/visits", f"/workshop/visits/{visit}", f"/workshop/visits/{visit}/check-in"):
        assert client.get(path).status_code == expected, path
    for action, data in ACTIONS:
        data = {**data, "mechanic": desk.mechanics[0]} if action == "assign" else data
        response = client.post(f"/workshop/visits/{visit}/{action}", data={**data, "csrf_token": token})
        assert response.status_code == expected, action


def test_another_workshops_admin_gets_a_404_and_changes_nothing(app, client, database, desk):
    visits = visits_to_try(app, database, desk)
    before = [snapshot(database, v) for v in visits]
    log_in(client, "graham@example.com")
    token = csrf_token(client, "/workshop/")
    for visit in visits:
        try_everything(client, desk, visit, token, 404)
    assert [snapshot(database, v) for v in visits] == before
    assert client.get("/workshop/visits/99999999").status_code == 404


@pytest.mark.parametrize("email", ["mechanic@example.com", "casey@example.com"])
def test_mechanics_and_customers_get_a_403_and_change_nothing(app, client, database, desk, email):
    visits = visits_to_try(app, database, desk)
    make_staff(database, "mechanic", "mechanic@example.com", workshop_id=desk.workshop, partnership="employee")
    before = [snapshot(database, v) for v in visits]
    log_in(client, email)
    token = csrf_token(client, "/")
    for visit in visits:
        try_everything(client, desk, visit, token, 403)
    assert [snapshot(database, v) for v in visits] == before


def test_every_action_needs_its_csrf_token(app, admin, database, desk):
    visits = visits_to_try(app, database, desk)
    before = [snapshot(database, v) for v in visits]
    for visit in visits:
        for action, data in ACTIONS:
            data = {**data, "mechanic": desk.mechanics[0]} if action == "assign" else data
            response = admin.post(f"/workshop/visits/{visit}/{action}", data=data)
            assert response.status_code == 400 and "This form has expired" in html_of(response), action
    assert [snapshot(database, v) for v in visits] == before
