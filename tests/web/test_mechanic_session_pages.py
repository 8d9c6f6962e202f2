"""The mechanic's dashboard and session pages (SPEC §1, §4, §7, §9, §13): going online and offline, the offers
inbox (accept, decline without penalty), upcoming sessions with Start and Complete, a no-show from 10 minutes
after the start, cancelling (re-match first, else a full refund) and earnings from the payout ledger; another
mechanic's session is a 404 everywhere and changes nothing; other roles get 403; every form needs its CSRF token."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from availability_world import World, local
from conftest import NOW, csrf_token, log_in, make_customer, make_staff, make_workshop, submit
from support import refusal_codes

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")  # Wednesday; NOW is Monday 09:00 in Toronto
ACTIONS = ("start", "complete", "no-show", "cancel")


def bookable(database, mechanic):
    """Open all week, bookable at no notice."""
    with database.owner() as conn:
        for weekday, spans in ALL_DAY.items():
            for start, end in spans:
                conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                             "values (%s, %s, %s, %s)", [mechanic, weekday, start, end])
    return requests_only(database, mechanic, False, min_notice_minutes=0)


def requests_only(database, mechanic, on=True, **settings):
    """Instant booking off (on=True): each booking becomes a request the mechanic answers."""
    with database.owner() as conn:
        for column, value in {"instant_booking": not on, **settings}.items():
            conn.execute(f"update app.mechanic_settings set {column} = %s where mechanic_id = %s", [value, mechanic])
    return mechanic


@pytest.fixture
def shop(database, client):
    """Maria (a mechanic, logged in), Omar (another mechanic) and Casey (a customer); the clock at NOW."""
    database.set_clock(NOW)
    maria = bookable(database, make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic"))
    omar = bookable(database, make_staff(database, "mechanic", "omar@example.com", name="Omar Other"))
    casey = make_customer(database, name="Casey Customer")
    log_in(client, "maria@example.com")
    return SimpleNamespace(maria=maria, omar=omar, casey=casey)


def book(database, customer, mechanic, start=START):
    with database.owner() as conn:
        return World(conn).book(customer, mechanic, start)


def immediate(database, customer):
    return database.scalar("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                           "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [customer])


def row(database, session):
    return database.scalar("select to_jsonb(s) from app.sessions s where id = %s", [session])


def post(client, path, data=None):
    return submit(client, "/mechanic/", data or {}, action=path)


def another_customer(database):
    return make_customer(database, email=f"c{database.scalar('select count(*) from app.users')}@example.com")


def set_pending(database, session):
    with database.owner() as conn:
        conn.execute("update app.sessions set status = 'pending' where id = %s", [session])


# --- the dashboard ---------------------------------------------------------------------------------------------

def test_going_online_and_offline(client, database, shop):
    page = client.get("/mechanic/").get_data(as_text=True)
    assert "You are offline" in page and "Go online" in page
    assert 'href="/mechanic/calendar"' in page and 'href="/mechanic/availability"' in page
    assert "Weekly availability" in page and "Booking settings" in page and "Specialties" in page
    response = post(client, "/mechanic/shift", {"online": "1"})
    assert response.status_code == 302
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [shop.maria]) is True
    assert "You are online" in client.get("/mechanic/").get_data(as_text=True)
    post(client, "/mechanic/shift", {"online": "0"})
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [shop.maria]) is False

    response = post(client, "/mechanic/shift", {"online": "maybe"})
    assert response.status_code == 400 and "Choose online or offline" in response.get_data(as_text=True)
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [shop.maria]) is False


def test_upcoming_sessions_are_grouped_today_tomorrow_later_in_the_mechanics_zone(client, database, shop):
    today = book(database, shop.casey, shop.maria, local("America/Toronto", "2026-11-23 16:00"))
    tomorrow = book(database, shop.casey, shop.maria, local("America/Toronto", "2026-11-24 09:30"))
    later = book(database, shop.casey, shop.maria, START)
    book(database, another_customer(database), shop.omar, START)
    page = client.get("/mechanic/").get_data(as_text=True)
    upcoming = page[page.index("Upcoming sessions"):page.index('id="earnings"')]
    positions = [upcoming.index(label) for label in ("<h3>Today</h3>", "<h3>Tomorrow</h3>", "<h3>Later</h3>")]
    links = [upcoming.index(f"/mechanic/sessions/{s}\"") for s in (today, tomorrow, later)]
    assert positions[0] < links[0] < positions[1] < links[1] < positions[2] < links[2]
    assert "Mon 23 Nov, 4:00 PM EST" in upcoming and "Casey" in upcoming
    assert upcoming.count("/mechanic/sessions/") == 3  # Omar's session is not Maria's


def test_the_offers_inbox_takes_a_live_request_and_a_booking_request(client, database, shop):
    post(client, "/mechanic/shift", {"online": "1"})
    live = immediate(database, shop.casey)
    requests_only(database, shop.maria)
    request = book(database, another_customer(database), shop.maria)
    page = client.get("/mechanic/").get_data(as_text=True)
    offers = page[page.index('id="offers"'):page.index('id="upcoming"')]
    assert f"/mechanic/offers/{live}/accept" in offers and f"/mechanic/offers/{request}/decline" in offers
    assert "Declining is free" in offers and "The engine light is on" in offers

    response = post(client, f"/mechanic/offers/{live}/accept")
    assert response.status_code == 302 and response.location.endswith(f"/mechanic/sessions/{live}")
    assert database.scalar("select mechanic_id from app.sessions where id = %s", [live]) == shop.maria
    response = post(client, f"/mechanic/offers/{request}/accept")
    assert response.status_code == 302
    assert database.scalar("select status from app.sessions where id = %s", [request]) == "scheduled"
    assert "No offers right now" in client.get("/mechanic/").get_data(as_text=True)

    taken = row(database, live)
    response = post(client, f"/mechanic/offers/{live}/accept")  # a second click: already hers, nothing changes
    assert response.status_code == 302 and response.location.endswith(f"/mechanic/sessions/{live}")
    assert row(database, live) == taken


def test_an_offer_another_mechanic_took_first_is_a_clear_conflict(client, database, shop):
    post(client, "/mechanic/shift", {"online": "1"})
    with database.owner() as conn:
        conn.execute("select app.set_on_shift(%s, true)", [shop.omar])
        live = immediate(database, shop.casey)
        conn.execute("select app.accept_offer(%s, %s)", [shop.omar, live])
    response = post(client, f"/mechanic/offers/{live}/accept")
    assert response.status_code == 409 and refusal_codes(response) == {"UC003"}
    assert database.scalar("select mechanic_id from app.sessions where id = %s", [live]) == shop.omar


def test_declining_changes_nothing_about_the_mechanic(client, database, shop):
    post(client, "/mechanic/shift", {"online": "1"})
    requests_only(database, shop.maria)
    me = database.scalar("select to_jsonb(m) from app.mechanics m where id = %s", [shop.maria])
    settings = database.scalar("select to_jsonb(s) from app.mechanic_settings s where mechanic_id = %s", [shop.maria])
    live = immediate(database, shop.casey)
    request = book(database, another_customer(database), shop.maria)

    response = post(client, f"/mechanic/offers/{live}/decline")
    assert response.status_code == 302 and "Nothing is counted against you" in client.get(response.location).get_data(as_text=True)
    response = post(client, f"/mechanic/offers/{request}/decline")
    assert response.status_code == 302
    assert database.scalar("select status from app.sessions where id = %s", [request]) == "cancelled"
    assert database.scalar("select sum(amount_cents) from app.refunds where session_id = %s", [request]) == 2900
    assert database.scalar("select status from app.session_offers where session_id = %s and mechanic_id = %s",
                           [live, shop.maria]) == "declined"
    assert database.scalar("select to_jsonb(m) from app.mechanics m where id = %s", [shop.maria]) == me
    assert database.scalar("select to_jsonb(s) from app.mechanic_settings s where mechanic_id = %s", [shop.maria]) == settings


# --- session actions -------------------------------------------------------------------------------------------

def test_the_session_page_shows_the_details_in_the_mechanics_zone(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    with database.owner() as conn:
        attachment = conn.execute(
            "insert into app.attachments (customer_id, session_id, filename, content_type, size_bytes, data, created_at) "
            "values (%s, %s, 'noise.png', 'image/png', 3, '\\x010203', app.app_now()) returning id",
            [shop.casey, session]).fetchone()["id"]
    page = client.get(f"/mechanic/sessions/{session}").get_data(as_text=True)
    assert "Casey" in page and "Customer" in page and "Casey Customer" not in page  # the first name only
    assert "A noise from the brakes." in page and "Just Advice" in page
    assert "Wed 25 Nov, 10:00 AM EST" in page
    assert f'href="/attachments/{attachment}"' in page and client.get(f"/attachments/{attachment}").status_code == 200
    assert "you can mark one from Wed 25 Nov, 10:10 AM EST" in page
    assert "we first look for another mechanic" in page and "$29.00 CAD" in page


def test_start_complete_and_earnings_for_the_sessions_own_mechanic(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    database.set_clock(START - timedelta(minutes=5))
    set_pending(database, session)
    assert f"/mechanic/sessions/{session}/start" in client.get("/mechanic/").get_data(as_text=True)
    response = post(client, f"/mechanic/sessions/{session}/start")
    assert response.status_code == 302
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "live"
    assert 'name="summary"' in client.get(f"/mechanic/sessions/{session}").get_data(as_text=True)
    database.set_clock(START + timedelta(minutes=30))
    response = post(client, f"/mechanic/sessions/{session}/complete", {"summary": "Replace the front pads soon."})
    assert response.status_code == 302
    assert database.scalar("select status || ': ' || summary from app.sessions where id = %s", [session]) == (
        "completed: Replace the front pads soon.")
    assert "Earned" in client.get(response.location).get_data(as_text=True)

    earnings = client.get("/mechanic/earnings").get_data(as_text=True)
    assert earnings.count("$20.30 CAD") == 4  # the row, and this week, this month and all time
    assert "Session completed" in earnings and "Casey" in earnings
    assert database.scalar("select count(*) from app.money_audit()") == 0


def test_wrong_state_gets_a_clear_message_and_changes_nothing(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    before = row(database, session)
    for action in ("start", "complete"):
        response = post(client, f"/mechanic/sessions/{session}/{action}")
        assert response.status_code == 422
        assert refusal_codes(response) == {"UR001"}
        assert "once Casey is in the waiting room" in response.get_data(as_text=True)  # what start waits for
    database.set_clock(START + timedelta(minutes=9))
    response = post(client, f"/mechanic/sessions/{session}/no-show")
    assert response.status_code == 422 and refusal_codes(response) == {"UR007"}
    assert row(database, session) == before


def test_a_no_show_from_ten_minutes_after_the_start(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    database.set_clock(START + timedelta(minutes=10))
    response = post(client, f"/mechanic/sessions/{session}/no-show")
    assert response.status_code == 302
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "no_show"
    earnings = client.get("/mechanic/earnings").get_data(as_text=True)
    assert "The customer did not show up" in earnings and "$14.50 CAD" in earnings


def test_cancelling_hands_the_session_to_another_mechanic_first(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    response = post(client, f"/mechanic/sessions/{session}/cancel", {"reason": "Family emergency"})
    assert response.status_code == 302
    assert "looking for another mechanic" in client.get(response.location).get_data(as_text=True)
    assert database.scalar("select count(*) from app.refunds where session_id = %s", [session]) == 0
    assert "Handing over" in client.get(f"/mechanic/sessions/{session}").get_data(as_text=True)

    database.scalar("select app.rematch_sessions()")
    assert database.scalar("select mechanic_id from app.sessions where id = %s", [session]) == shop.omar
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"
    assert client.get(f"/mechanic/sessions/{session}").status_code == 404  # no longer hers


def test_cancelling_with_nobody_else_free_refunds_the_customer_in_full(client, database, shop):
    with database.owner() as conn:
        conn.execute("delete from app.mechanic_availability where mechanic_id = %s", [shop.omar])
    session = book(database, shop.casey, shop.maria)
    post(client, f"/mechanic/sessions/{session}/cancel", {"reason": ""})
    database.scalar("select app.rematch_sessions()")
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert database.scalar("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900


def test_cancelling_while_the_customer_waits_refunds_at_once(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    database.set_clock(START - timedelta(minutes=5))
    set_pending(database, session)
    page = client.get(f"/mechanic/sessions/{session}").get_data(as_text=True)
    assert "Casey gets everything back: $29.00 CAD" in page
    response = post(client, f"/mechanic/sessions/{session}/cancel", {"reason": "Car trouble of my own"})
    assert response.status_code == 302 and "$29.00 CAD back" in client.get(response.location).get_data(as_text=True)
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert database.scalar("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900

    response = post(client, f"/mechanic/sessions/{session}/cancel", {"reason": "x" * 501})
    assert response.status_code == 400


# --- not hers, not found, not a mechanic, no token --------------------------------------------------------------

@pytest.mark.parametrize("action", ACTIONS)
def test_another_mechanics_session_is_a_404_and_stays(client, database, shop, action):
    theirs = book(database, shop.casey, shop.omar)
    database.set_clock(START + timedelta(minutes=10))
    set_pending(database, theirs)
    before = row(database, theirs)
    assert client.get(f"/mechanic/sessions/{theirs}").status_code == 404
    assert post(client, f"/mechanic/sessions/{theirs}/{action}", {"reason": "mine now"}).status_code == 404
    assert row(database, theirs) == before


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_offers_not_made_to_me_are_a_404_and_stay(client, database, shop, answer):
    requests_only(database, shop.omar)
    their_request = book(database, shop.casey, shop.omar)
    before = row(database, their_request)
    for session in (their_request, 987654):
        response = post(client, f"/mechanic/offers/{session}/{answer}")
        assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)
    assert row(database, their_request) == before


@pytest.mark.parametrize("path", ["/mechanic/sessions/987654", "/mechanic/sessions/0",
                                  "/mechanic/sessions/99999999999999999999", "/mechanic/sessions/abc"])
def test_bad_or_unknown_ids_are_a_404_never_a_500(client, shop, path):
    assert client.get(path).status_code == 404
    for action in ACTIONS:
        assert post(client, f"{path}/{action}").status_code == 404
    assert post(client, "/mechanic/offers/99999999999999999999/accept").status_code == 404


PAGES = ["/mechanic/", "/mechanic/earnings", "/mechanic/sessions/{s}"]
FORMS = ["/mechanic/shift", "/mechanic/offers/{s}/accept", "/mechanic/offers/{s}/decline"] + [
    f"/mechanic/sessions/{{s}}/{a}" for a in ACTIONS]


@pytest.mark.parametrize("who", ["customer", "workshop_admin"])
def test_customers_and_workshop_admins_get_403(client, database, shop, who):
    session = book(database, shop.casey, shop.maria)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mechanic/")})
    if who == "workshop_admin":
        make_staff(database, "workshop_admin", "wanda@example.com", workshop_id=make_workshop(database))
    log_in(client, "casey@example.com" if who == "customer" else "wanda@example.com")
    before = row(database, session)
    for page in PAGES:
        assert client.get(page.format(s=session)).status_code == 403
    for form in FORMS:
        assert submit(client, "/", {"online": "1"}, action=form.format(s=session)).status_code == 403
    assert row(database, session) == before


def test_every_form_needs_its_csrf_token(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    database.set_clock(START + timedelta(minutes=10))
    set_pending(database, session)
    before = row(database, session)
    for form in FORMS:
        response = client.post(form.format(s=session), data={"online": "1", "reason": "no token"})
        assert response.status_code == 400 and "security token" in response.get_data(as_text=True)
    assert row(database, session) == before
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [shop.maria]) is False


def test_a_workshop_mechanic_sees_their_share_paid_to_the_workshop(client, database, shop):
    garage = make_workshop(database, name="Queen West Auto")
    with database.owner() as conn:
        conn.execute("insert into app.workshop_availability (workshop_id, weekday, opens_at, closes_at, capacity) "
                     "values (%s, 3, '08:00', '18:00', 5)", [garage])
    miguel = make_staff(database, "mechanic", "miguel@example.com", workshop_id=garage, partnership="employee")
    bookable(database, miguel)
    session = book(database, shop.casey, miguel)
    database.set_clock(START)
    set_pending(database, session)
    with database.owner() as conn:
        conn.execute("select app.start_session(%s, %s)", [miguel, session])
        conn.execute("select app.complete_session(%s, %s)", [miguel, session])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/mechanic/")})
    log_in(client, "miguel@example.com")
    earnings = client.get("/mechanic/earnings").get_data(as_text=True)
    assert "your share is paid to the workshop" in earnings and "Queen West Auto (your workshop)" in earnings
    assert "$20.30 CAD" in earnings
    assert "Your share is paid to Queen West Auto" in client.get("/mechanic/").get_data(as_text=True)


def test_a_summary_too_long_is_refused_and_the_session_stays_live(client, database, shop):
    session = book(database, shop.casey, shop.maria)
    database.set_clock(START - timedelta(minutes=5))
    set_pending(database, session)
    post(client, f"/mechanic/sessions/{session}/start")
    response = post(client, f"/mechanic/sessions/{session}/complete", {"summary": "x" * 4001})
    assert response.status_code == 400 and refusal_codes(response, "summary-error") == {"sessions_summary_length"}
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "live"
