"""The JSON API keeps the promises of its document (static/openapi.json): the CSRF header and the request bodies
are declared, a body field of the wrong JSON type (null included) is a 400 naming the field, a logged-out call is
a 401 before any CSRF check, and a 405 says which methods the URL takes (RFC 9110: the Allow header)."""
import pytest

from test_appointments import ALL_DAY, START
from availability_world import World
from conftest import NOW, csrf_token, log_in, make_customer

STATE_CHANGING = [("post", "/api/holds"), ("delete", "/api/holds/1"), ("post", "/api/offers/1/accept"),
                  ("post", "/api/offers/1/decline"), ("post", "/api/appointments/1/cancel"),
                  ("post", "/api/appointments/1/reschedule")]


@pytest.fixture
def booked(database, client):
    """Casey (logged in) has a paid standard session at START; the clock is at NOW. Yields the session and the
    X-CSRFToken header."""
    database.set_clock(NOW)
    customer = make_customer(database)
    with database.owner() as conn:
        world = World(conn)
        session = world.book(customer, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), START)
    log_in(client, "casey@example.com")
    return session, {"X-CSRFToken": csrf_token(client, "/customer/")}


def session_state(database, session):
    return database.scalar("select row(status, scheduled_for, calendar_sequence)::text from app.sessions "
                           "where id = %s", [session])


@pytest.mark.parametrize("method, path", STATE_CHANGING)
def test_a_logged_out_call_is_401_json_whatever_its_csrf_token(client, method, path):
    for headers in ({}, {"X-CSRFToken": "forged"}):
        response = getattr(client, method)(path, json={}, headers=headers)
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("suffix, body, field", [
    ("cancel", {"tier": None}, "tier"),
    ("cancel", {"confirm": True, "tier": None}, "tier"),
    ("cancel", {"confirm": None}, "confirm"),
    ("cancel", {"confirm": "yes"}, "confirm"),
    ("cancel", {"confirm": 1}, "confirm"),
    ("cancel", {"confirm": True, "reason": None}, "reason"),
    ("cancel", {"reason": ["plans changed"]}, "reason"),
    ("cancel", {"tier": 3}, "tier"),
    ("reschedule", {"start": None}, "start"),
    ("reschedule", {"start": 1764255600}, "start"),
])
def test_a_body_field_of_the_wrong_type_is_a_400_naming_it(client, database, booked, suffix, body, field):
    session, headers = booked
    before = session_state(database, session)
    response = client.post(f"/api/appointments/{session}/{suffix}", json=body, headers=headers)
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] == field and field in error["message"]
    assert session_state(database, session) == before
    assert database.scalar("select count(*) from app.refunds") == 0


@pytest.mark.parametrize("body, field", [
    ({"plan": None}, "plan"), ({"service_type": None}, "service_type"), ({"mechanic_id": None}, "mechanic_id"),
    ({"start": None}, "start"), ({"mechanic_id": True}, "mechanic_id"), ({"mechanic_id": 1.5}, "mechanic_id"),
])
def test_a_hold_with_a_null_or_mistyped_field_is_a_400_naming_it(client, database, booked, body, field):
    _, headers = booked
    response = client.post("/api/holds", json={"mechanic_id": 1, "start": "2026-11-24T15:00:00Z", **body},
                           headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field
    assert database.scalar("select count(*) from app.slot_reservations where status = 'reserved'") == 0


def test_a_405_names_the_methods_the_url_takes(client):
    api = client.post("/api/plans")
    assert api.status_code == 405 and api.get_json()["error"]["code"] == "method_not_allowed"
    assert set(api.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    page = client.put("/login")
    assert page.status_code == 405 and set(page.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_the_document_declares_the_csrf_header_bodies_answers_and_schemas(client):
    document = client.get("/api/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    csrf = [name for name, scheme in schemes.items() if scheme == {**scheme, "type": "apiKey", "in": "header",
                                                                    "name": "X-CSRFToken"}]
    assert len(csrf) == 1
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("post", "delete"):
                assert any(csrf[0] in requirement for requirement in operation["security"]), (method, path)
    for path in ("/api/appointments/{id}/cancel", "/api/appointments/{id}/reschedule"):
        body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["type"] == "object" and body["properties"]
    for path, method in (("/api/appointments/{id}/calendar.ics", "get"), ("/api/appointments/{id}/reschedule", "post"),
                         ("/api/appointments/{id}/cancel", "post")):
        assert {"401", "403"} <= set(document["paths"][path][method]["responses"]), path
    for path, method in (("/api/appointments/{id}/cancel", "post"), ("/api/appointments", "get"),
                         ("/api/appointments/{id}/reschedule", "post")):
        ok = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok.get("$ref") or ok["properties"], path
