"""The state-changing JSON calls: holds (201, 409 with alternatives, release) and offer answers, with CSRF in
the X-CSRFToken header and 4xx JSON for bad input."""
from datetime import datetime, timezone

import pytest

from conftest import log_in, make_customer, make_staff

HOLD = {"start": "2026-11-24T15:00:00Z", "plan": "standard", "service_type": "online"}


@pytest.fixture
def mechanic(world):
    return world.mechanic(blocks={2: [("09:00", "12:00")]})


def signed_in(client, database, email, role="customer"):
    if role == "customer":
        make_customer(database, email=email)
    else:
        make_staff(database, role, email)
    log_in(client, email)
    token = client.get("/api/me").get_json()["csrf_token"]
    return {"X-CSRFToken": token}


def test_a_hold_is_created_and_released(client, database, mechanic):
    headers = signed_in(client, database, "kim@example.com")
    response = client.post("/api/holds", json={**HOLD, "mechanic_id": mechanic}, headers=headers)
    assert response.status_code == 201
    body = response.get_json()
    assert body["start"] == "2026-11-24T15:00:00Z" and body["end"] == "2026-11-24T15:30:00Z"
    assert body["expires_at"] == "2026-11-23T14:15:00Z" and body["mechanic_id"] == mechanic
    assert client.delete(f"/api/holds/{body['hold_id']}", headers=headers).status_code == 204
    assert database.scalar("select status from app.slot_reservations where id = %s", [body["hold_id"]]) == "cancelled"
    assert client.delete(f"/api/holds/{body['hold_id']}", headers=headers).status_code == 404


def test_one_customer_cannot_hoard_a_mechanics_week(app, client, database, world, mechanic):
    world.conn.execute("update app.mechanic_settings set buffer_minutes = 0 where mechanic_id = %s", [mechanic])
    headers = signed_in(client, database, "hoarder@example.com")
    starts = [f"2026-11-24T{h}:{m}:00Z" for h in (14, 15, 16) for m in ("00", "30")]  # six free half hours

    def hold(start, who=client, with_headers=headers):
        return who.post("/api/holds", json={**HOLD, "start": start, "mechanic_id": mechanic}, headers=with_headers)

    held = [hold(start) for start in starts[:3]]
    assert [h.status_code for h in held] == [201, 201, 201]
    fourth = hold(starts[3])
    assert fourth.status_code == 429 and fourth.get_json()["error"]["reason"] == "UL002"
    # another customer still finds the rest free
    other = app.test_client()
    assert hold(starts[3], other, signed_in(other, database, "fair@example.com")).status_code == 201
    # letting one go makes room; holding and letting go over and over is limited too
    for attempt in range(17):
        hold_id = held[0].get_json()["hold_id"]
        assert client.delete(f"/api/holds/{hold_id}", headers=headers).status_code == 204
        held[0] = hold(starts[4])
        assert held[0].status_code == 201, attempt
    assert client.delete(f"/api/holds/{held[0].get_json()['hold_id']}", headers=headers).status_code == 204
    too_many = hold(starts[4])
    assert too_many.status_code == 429 and too_many.get_json()["error"]["reason"] == "UL003"
    assert database.scalar("select count(*) from app.slot_reservations r join app.users u on u.id = r.customer_id "
                           "where u.email = 'hoarder@example.com' and r.status = 'reserved'") == 2


def test_a_taken_time_is_409_with_the_nearest_free_times(client, database, world, mechanic):
    world.claim(mechanic, world.customer(), datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc))
    headers = signed_in(client, database, "kim@example.com")
    response = client.post("/api/holds", json={**HOLD, "mechanic_id": mechanic}, headers=headers)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "conflict" and body["error"]["reason"] == "UC001"
    assert body["alternatives"] == ["2026-11-24T14:00:00Z", "2026-11-24T16:00:00Z", "2026-11-24T16:30:00Z"]
    assert database.scalar("select count(*) from app.slot_reservations") == 1


def test_an_unavailable_time_is_422(client, database, mechanic):
    headers = signed_in(client, database, "kim@example.com")
    response = client.post("/api/holds", json={**HOLD, "mechanic_id": mechanic, "start": "2026-11-24T20:00:00Z"},
                           headers=headers)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "refused"


def test_holds_need_the_csrf_header(client, database, mechanic):
    signed_in(client, database, "kim@example.com")
    response = client.post("/api/holds", json={**HOLD, "mechanic_id": mechanic})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid"
    assert database.scalar("select count(*) from app.slot_reservations") == 0


@pytest.mark.parametrize("body, field", [
    ({"start": "2026-11-24T15:00:00Z"}, "mechanic_id"),
    ({"mechanic_id": "7", "start": "2026-11-24T15:00:00Z"}, "mechanic_id"),
    ({"mechanic_id": 1, "start": "2026-11-24T15:00:00"}, "start"),
    ({"mechanic_id": 1, "start": 12}, "start"),
    ({"mechanic_id": 1, "start": "2026-11-24T15:00:00Z", "plan": "gold"}, "plan"),
    ({"mechanic_id": 1, "start": "2026-11-24T15:00:00Z", "service_type": "fax"}, "service_type"),
    ({"mechanic_id": 10**30, "start": "2026-11-24T15:00:00Z"}, "mechanic_id"),
    ({"mechanic_id": 1, "start": "2026-11-24T15:00:00Z", "plan": 5}, "plan"),
    ({"mechanic_id": 1, "start": "2026-11-24T15:00:00Z", "service_type": {"x": 1}}, "service_type"),
])
def test_bad_hold_requests_are_400(client, database, mechanic, body, field):
    headers = signed_in(client, database, "kim@example.com")
    body = {**body, "mechanic_id": mechanic} if body.get("mechanic_id") == 1 else body
    response = client.post("/api/holds", json=body, headers=headers)
    assert response.status_code == 400 and response.get_json()["error"].get("field") == field
    assert client.post("/api/holds", data="not json", headers=headers).status_code == 400
    assert database.scalar("select count(*) from app.slot_reservations") == 0


def test_someone_elses_hold_is_404_and_stays(client, database, world, mechanic):
    other = world.customer()
    theirs = world.claim(mechanic, other, datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc), status="reserved")
    headers = signed_in(client, database, "kim@example.com")
    response = client.delete(f"/api/holds/{theirs}", headers=headers)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert database.scalar("select status from app.slot_reservations where id = %s", [theirs]) == "reserved"


def test_mechanics_cannot_hold_and_customers_cannot_accept(client, database, mechanic):
    headers = signed_in(client, database, "mo@example.com", role="mechanic")
    assert client.post("/api/holds", json={**HOLD, "mechanic_id": mechanic}, headers=headers).status_code == 403
    client.post("/logout", headers=headers)
    customer_headers = signed_in(client, database, "kim@example.com")
    assert client.post("/api/offers/1/accept", headers=customer_headers).status_code == 403


def test_a_mechanic_accepts_or_declines_an_offer(client, database, world):
    online = world.mechanic()
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [online])
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                          "p_advice_only => true, p_concern => 'The battery keeps dying overnight.')", [world.customer()])
    headers = signed_in(client, database, "mo@example.com", role="mechanic")
    mo = database.scalar("select id from app.users where email = 'mo@example.com'")
    database.scalar("update app.mechanics set currently_on_shift = true where id = %s returning id", [mo])
    assert client.post(f"/api/offers/{session}/decline", headers=headers).get_json() == {"session_id": session, "declined": True}
    assert client.post(f"/api/offers/{session}/accept", headers=headers).status_code == 422
    assert database.scalar("select mechanic_id from app.sessions where id = %s", [session]) is None
    assert client.post(f"/api/offers/{session + 100}/accept", headers=headers).status_code == 404


def test_a_booking_request_is_answered_through_the_offers_api(client, database, world):
    headers = signed_in(client, database, "mo@example.com", role="mechanic")
    mo = world.value("select id from app.users where email = 'mo@example.com'")
    for weekday in range(1, 8):
        world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                           "values (%s, %s, '09:00', '17:00')", [mo, weekday])
    world.conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [mo])
    request = world.book(world.customer(), mo, datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))
    assert world.value("select status from app.sessions where id = %s", [request]) == "requested"

    assert client.post(f"/api/offers/{request}/decline", headers=headers).get_json() == {"session_id": request, "declined": True}
    assert world.value("select status from app.sessions where id = %s", [request]) == "cancelled"
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [request]) == 2900
    assert client.post(f"/api/offers/{request}/accept", headers=headers).status_code == 404  # answered
