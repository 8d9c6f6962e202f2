"""My appointments as pages and API (SPEC §3.3, §19): the quote before cancelling at each tier, rescheduling,
the waiver, joining, the invite, favorites and profiles; someone else's appointment is a 404 everywhere."""
from datetime import timedelta, timezone

import pytest
import vobject

from availability_world import World, local
from conftest import NOW, csrf_token, log_in, make_customer, submit
from support import refusal_codes

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5"
                    "e1e5a40000000049454e44ae426082")


@pytest.fixture
def booked(database, client):
    """Casey (logged in) has a paid standard session with a mechanic at START; the clock is at NOW."""
    database.set_clock(NOW)
    customer = make_customer(database)
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
        conn.execute("update app.users set name = 'Maria Mechanic' where id = %s", [mechanic])
        session = world.book(customer, mechanic, START)
    log_in(client, "casey@example.com")
    return customer, mechanic, session


def page_of(client, session):
    return client.get(f"/customer/appointments/{session}")


@pytest.mark.parametrize("hours_before, tier, shown, refund, credit", [
    (30, "early", "$24.00 CAD", 2400, 0),
    (5, "mid", "$21.75 CAD", 2175, 0),
    (1, "late", "$14.50 CAD", 0, 1450),
])
def test_cancel_shows_the_policy_quote_first_and_then_applies_it(client, database, booked, hours_before, tier, shown, refund, credit):
    _, _, session = booked
    database.set_clock(START - timedelta(hours=hours_before))
    page = page_of(client, session).get_data(as_text=True)
    # the appointment's button asks first: it leads to the quote, it cancels nothing by itself
    assert f'href="/customer/appointments/{session}/cancel"' in page
    assert f'action="/customer/appointments/{session}/cancel"' not in page
    confirm = client.get(f"/customer/appointments/{session}/cancel")
    assert confirm.status_code == 200
    confirm = confirm.get_data(as_text=True)
    assert shown in confirm and f'name="tier" type="hidden" value="{tier}"' in confirm
    assert f'action="/customer/appointments/{session}/cancel"' in confirm and "Yes, cancel" in confirm
    assert f'href="/customer/appointments/{session}"' in confirm  # and a way back that keeps it
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"
    response = submit(client, f"/customer/appointments/{session}/cancel", {"tier": tier, "reason": "Plans changed"})
    assert response.status_code == 302
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert database.scalar("select coalesce(sum(amount_cents), 0) from app.refunds where session_id = %s", [session]) == refund
    assert database.scalar("select coalesce(sum(amount_cents), 0) from app.credit_entries where session_id = %s "
                           "and amount_cents > 0", [session]) == credit
    assert "Appointment cancelled" in client.get(response.location).get_data(as_text=True)
    listed = client.get("/customer/appointments").get_data(as_text=True)
    past = listed[listed.index("Past"):]
    assert f"/customer/appointments/{session}" in past
    assert (f"${refund / 100:,.2f} CAD refund" in past) == bool(refund)
    assert (f"${credit / 100:,.2f} CAD credit" in past) == bool(credit)
    assert database.scalar("select count(*) from app.money_audit()") == 0


def test_a_quote_that_changed_tier_before_confirming_is_shown_again_and_nothing_happens(client, database, booked):
    _, _, session = booked
    database.set_clock(START - timedelta(hours=25))
    token = csrf_token(client, f"/customer/appointments/{session}/cancel")
    database.set_clock(START - timedelta(hours=23))
    response = client.post(f"/customer/appointments/{session}/cancel", data={"csrf_token": token, "tier": "early"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert refusal_codes(html) == {"UC005"} and "$21.75 CAD" in html
    assert 'name="tier" type="hidden" value="mid"' in html and "Yes, cancel" in html  # asked again, on the new quote
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"


def test_an_appointment_that_can_no_longer_be_cancelled_offers_no_confirmation(client, database, booked):
    _, _, session = booked
    database.set_clock(START - timedelta(hours=30))
    assert submit(client, f"/customer/appointments/{session}/cancel", {"tier": "early"}).status_code == 302
    assert f'href="/customer/appointments/{session}/cancel"' not in page_of(client, session).get_data(as_text=True)
    again = client.get(f"/customer/appointments/{session}/cancel")  # the back button, or a stale link
    assert again.status_code == 422 and "Yes, cancel" not in again.get_data(as_text=True)
    assert database.scalar("select count(*) from app.refunds where session_id = %s", [session]) == 1


def test_reschedule_moves_to_a_free_time_and_refuses_a_taken_one(client, database, booked):
    customer, mechanic, session = booked
    taken = START + timedelta(hours=2)
    with database.owner() as conn:
        World(conn).book(make_customer(database, email="other@example.com"), mechanic, taken)
    page = client.get(f"/customer/appointments/{session}?day=2026-11-27").get_data(as_text=True)
    assert f'value="{(START + timedelta(hours=1)).astimezone(timezone.utc).isoformat()}"' in page
    assert f'value="{taken.astimezone(timezone.utc).isoformat()}"' not in page  # a taken time is not offered

    response = submit(client, f"/customer/appointments/{session}", {"start": taken.isoformat()},
                      action=f"/customer/appointments/{session}/reschedule")
    assert response.status_code == 409
    assert refusal_codes(response) == {"UC001"}
    assert database.scalar("select scheduled_for from app.sessions where id = %s", [session]) == START

    moved_to = START + timedelta(days=1)
    response = submit(client, f"/customer/appointments/{session}", {"start": moved_to.isoformat()},
                      action=f"/customer/appointments/{session}/reschedule")
    assert response.status_code == 302
    assert database.scalar("select scheduled_for from app.sessions where id = %s", [session]) == moved_to
    assert database.scalar("select calendar_sequence from app.sessions where id = %s", [session]) == 1

    response = submit(client, f"/customer/appointments/{session}", {"start": "tomorrow at ten"},
                      action=f"/customer/appointments/{session}/reschedule")
    assert response.status_code == 400 and "Pick one of the free times" in response.get_data(as_text=True)


def test_the_invite_carries_the_utc_time_and_a_stable_uid(client, database, booked):
    _, _, session = booked
    response = client.get(f"/customer/appointments/{session}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    event = vobject.readOne(response.get_data(as_text=True)).vevent
    assert event.dtstart.value == START and event.dtstart.value.utcoffset() == timedelta(0)
    assert event.dtend.value - event.dtstart.value == timedelta(minutes=30)
    assert event.uid.value == f"session-{session}@autodoctor.app" and event.sequence.value == "0"
    assert "Maria Mechanic" in event.summary.value


def test_the_waiver_then_join_leads_into_the_session_room(client, database, booked):
    customer, _, session = booked
    database.set_clock(START - timedelta(minutes=10))
    page = page_of(client, session).get_data(as_text=True)
    assert "Sign the waiver" in page and "Join the session" not in page
    response = submit(client, f"/customer/appointments/{session}/waiver", {"agree": "y", "typed_name": ""})
    assert response.status_code == 400 and refusal_codes(response) == {"UV013"}
    response = submit(client, f"/customer/appointments/{session}/waiver", {"agree": "y", "typed_name": "Casey Customer"},
                      environ_base={"REMOTE_ADDR": "198.51.100.7"}, headers={"User-Agent": "TestBrowser/1.0"})
    assert response.status_code == 302
    signature = database.scalar("select row(typed_name, host(ip), user_agent, mode)::text from app.waiver_signatures "
                                "where customer_id = %s", [customer])
    assert signature == '("Casey Customer",198.51.100.7,TestBrowser/1.0,online)'
    response = submit(client, f"/customer/appointments/{session}", {}, action=f"/customer/appointments/{session}/join")
    assert response.status_code == 302 and response.location.endswith(f"/customer/appointments/{session}/room")
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "pending"
    assert "will be with you shortly" in client.get(response.location).get_data(as_text=True)


def test_a_drawn_signature_is_stored_as_png(client, database, booked):
    customer, _, session = booked
    database.set_clock(START - timedelta(minutes=30))
    import base64
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    response = submit(client, f"/customer/appointments/{session}/waiver", {"agree": "y", "signature": data_url})
    assert response.status_code == 302
    assert bytes(database.scalar("select signature_png from app.waiver_signatures where customer_id = %s", [customer])) == PNG


@pytest.mark.parametrize("method, suffix", [
    ("get", ""), ("get", "/waiver"), ("get", "/calendar.ics"), ("get", "/room"), ("get", "/cancel"),
    ("post", "/cancel"), ("post", "/reschedule"), ("post", "/join"), ("post", "/resend"), ("post", "/waiver"),
])
def test_someone_elses_appointment_is_a_404_and_stays_as_it_was(client, database, booked, method, suffix):
    _, _, session = booked
    make_customer(database, email="mallory@example.com")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/customer/")})
    log_in(client, "mallory@example.com")
    url = f"/customer/appointments/{session}{suffix}"
    data = {"csrf_token": csrf_token(client, "/customer/"), "tier": "early", "start": START.isoformat(),
            "agree": "y", "typed_name": "Mallory"} if method == "post" else None
    response = getattr(client, method)(url, data=data)
    assert response.status_code == 404
    assert database.scalar("select row(status, scheduled_for, calendar_sequence)::text from app.sessions where id = %s",
                           [session]) == database.scalar("select row('scheduled', %s::timestamptz, 0)::text", [START])
    assert database.scalar("select count(*) from app.waiver_signatures") == 0
    assert database.scalar("select count(*) from app.outbox where payload ? 'resent'") == 0


def test_the_api_lists_moves_and_exports_my_appointments(client, database, booked):
    _, mechanic, session = booked
    token = csrf_token(client, "/customer/")
    listed = client.get("/api/appointments").get_json()["appointments"]
    assert [(a["id"], a["start"], a["paid_cents"], a["actions"]["reschedule"]) for a in listed] == [
        (session, "2026-11-27T15:00:00Z", 2900, True)]
    response = client.post(f"/api/appointments/{session}/reschedule", json={"start": "2026-11-28T15:00:00Z"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["start"] == "2026-11-28T15:00:00Z"
    response = client.post(f"/api/appointments/{session}/reschedule", json={"start": "soon"}, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "start"
    database.set_clock(local("America/Toronto", "2026-11-28 09:00"))
    response = client.post(f"/api/appointments/{session}/reschedule", json={"start": "2026-11-29T15:00:00Z"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 422
    ics = client.get(f"/api/appointments/{session}/calendar.ics")
    assert vobject.readOne(ics.get_data(as_text=True)).vevent.sequence.value == "1"
    assert client.get(f"/api/appointments/{session + 1000}/calendar.ics").status_code == 404
    too_big = client.post("/api/appointments/99999999999999999999/cancel", json={}, headers={"X-CSRFToken": token})
    assert too_big.status_code == 404 and too_big.get_json()["error"]["code"] == "not_found"
    # JSON nested deeper than any parser follows is bad input like any other, and changes nothing
    before = database.scalar("select row(status, scheduled_for)::text from app.sessions where id = %s", [session])
    deep = '{"start": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for path in (f"/api/appointments/{session}/cancel", f"/api/appointments/{session}/reschedule", "/api/holds"):
        refused = client.post(path, data=deep, content_type="application/json", headers={"X-CSRFToken": token})
        assert refused.status_code == 400 and refused.get_json()["error"]["message"], path
    assert database.scalar("select row(status, scheduled_for)::text from app.sessions where id = %s", [session]) == before


def test_the_dashboard_shows_credit_waitlist_and_upcoming_and_opening_it_changes_nothing(client, database, booked):
    customer, _, session = booked
    database.scalar("select count(*) from app.join_waitlist(%s, 'standard')", [customer])
    database.scalar("insert into app.credit_entries (customer_id, amount_cents, reason, created_at) "
                    "values (%s, 1450, 'refund_as_credit', app.app_now()) returning id", [customer])
    database.scalar("select app.draft_choose_plan(%s, 'book', 'premium')", [customer])
    page = client.get("/customer/").get_data(as_text=True)
    assert "$14.50 CAD" in page and "number 1 in line" in page and f"/customer/appointments/{session}" in page
    # a GET changes nothing: the wizard's draft stays until its Leave button (a POST) or a day without use
    assert database.scalar("select count(*) from app.booking_drafts") == 1
    token = csrf_token(client, "/customer/vehicles")
    assert client.post("/customer/book/leave", data={"csrf_token": token}).status_code == 302
    assert database.scalar("select count(*) from app.booking_drafts") == 0


def test_favorites_are_starred_from_a_profile_and_redirects_stay_on_the_site(client, database, booked):
    _, mechanic, _ = booked
    profile = client.get(f"/mechanics/{mechanic}")
    assert profile.status_code == 200 and "Add to favorites" in profile.get_data(as_text=True)
    response = submit(client, f"/mechanics/{mechanic}", {"favorite": "1", "next": "https://evil.example/"},
                      action=f"/customer/favorites/{mechanic}")
    assert response.status_code == 302 and response.location.endswith("/customer/favorites")
    assert "Maria Mechanic" in client.get("/customer/favorites").get_data(as_text=True)
    response = submit(client, f"/mechanics/{mechanic}", {"favorite": "0", "next": f"/mechanics/{mechanic}"},
                      action=f"/customer/favorites/{mechanic}")
    assert response.location.endswith(f"/mechanics/{mechanic}")
    assert database.scalar("select count(*) from app.favorites") == 0
    assert client.get("/mechanics/999999").status_code == 404


def test_an_upload_is_served_only_to_those_allowed(client, database, booked):
    customer, _, _ = booked
    attachment = database.scalar("select attachment_id from app.add_attachment(%s, 'book', 'car.png', %s)", [customer, PNG])
    response = client.get(f"/attachments/{attachment}")
    assert response.status_code == 200 and response.mimetype == "image/png" and response.data == PNG
    make_customer(database, email="mallory@example.com")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/customer/")})
    log_in(client, "mallory@example.com")
    assert client.get(f"/attachments/{attachment}").status_code == 404


def test_the_api_cancels_only_at_the_tier_it_was_quoted(client, database, booked):
    _, _, session = booked
    token = csrf_token(client, "/customer/")
    database.set_clock(START - timedelta(hours=23))
    quote = client.post(f"/api/appointments/{session}/cancel", json={}, headers={"X-CSRFToken": token}).get_json()
    assert quote["tier"] != "early"
    stale = client.post(f"/api/appointments/{session}/cancel", json={"confirm": True, "tier": "early"},
                        headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and stale.get_json()["error"]["reason"] == "UC005"
    assert database.scalar("select status from app.sessions where id = %s", [session]) == "scheduled"
    done = client.post(f"/api/appointments/{session}/cancel", json={"confirm": True, "tier": quote["tier"]},
                       headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.get_json()["refund_cents"] == quote["refund_cents"]
