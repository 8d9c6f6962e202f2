"""The read side of the JSON API: plans, mechanics, slots and one-slot availability, with 4xx JSON for bad
input and never a 500."""

import pytest

import demo
from availability_world import local
from conftest import log_in, make_customer



@pytest.fixture
def customer_client(client, database):
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    return client


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    return body["error"]


def test_plans_are_public(client):
    plans = client.get("/api/plans").get_json()["plans"]
    assert [(p["code"], p["price_cents"], p["duration_minutes"], p["currency"]) for p in plans] == [
        ("standard", 2900, 30, "CAD"), ("extended", 4900, 45, "CAD"), ("premium", 9900, 60, "CAD")]


def test_the_rest_needs_a_log_in(client, world):
    mechanic = world.mechanic()
    for path in ("/api/mechanics", f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24",
                 f"/api/mechanics/{mechanic}/availability?start=2026-11-24T15:00:00Z&end=2026-11-24T15:30:00Z"):
        assert error_of(client.get(path), 401)["code"] == "unauthenticated"


def test_mechanics_are_filtered_by_service_brand_and_words(customer_client, database):
    demo.seed(database.url)
    everyone = customer_client.get("/api/mechanics").get_json()["mechanics"]
    assert len(everyone) == 20 and everyone[0]["online"]
    assert {"virtual_only", "independent_workshop", "workshop_affiliated"} == {m["type"] for m in everyone}
    in_person = customer_client.get("/api/mechanics?service_type=in_person").get_json()["mechanics"]
    assert in_person and all(m["workshop_id"] for m in in_person)
    subaru = customer_client.get("/api/mechanics?request_type=brand_specialist&make=subaru").get_json()["mechanics"]
    assert subaru and all("Subaru" in m["brands"] for m in subaru)
    diesel = customer_client.get("/api/mechanics?q=diesel").get_json()["mechanics"]
    assert {m["name"] for m in diesel} == {"Hannah Kowalski", "Patrick O'Neill"}


@pytest.mark.parametrize("query, field", [
    ("service_type=teleport", "service_type"), ("request_type=urgent", "request_type"),
    ("request_type=brand_specialist", "make")])
def test_bad_mechanic_filters_are_400(customer_client, query, field):
    assert error_of(customer_client.get(f"/api/mechanics?{query}"), 400)["field"] == field


def test_slots_in_the_viewers_zone(customer_client, world):
    mechanic = world.mechanic(blocks={2: [("09:00", "11:00")]})
    world.claim(mechanic, world.customer(), local("America/Toronto", "2026-11-24 10:00"))
    body = customer_client.get(f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24").get_json()
    assert body["mechanic_id"] == mechanic and body["timezone"] == "America/Toronto"  # the customer's zone
    assert body["slots"] == [
        {"start": "2026-11-24T14:00:00Z", "end": "2026-11-24T14:30:00Z", "available": True, "reason": None},
        {"start": "2026-11-24T14:30:00Z", "end": "2026-11-24T15:00:00Z", "available": False, "reason": "booked"},
        {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T15:30:00Z", "available": False, "reason": "booked"},
        {"start": "2026-11-24T15:30:00Z", "end": "2026-11-24T16:00:00Z", "available": False, "reason": "booked"}]
    in_tokyo = customer_client.get(f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24&tz=Asia/Tokyo")
    # the 24th in Tokyo ends at 15:00 UTC: the later slots are the 25th there
    assert [s["start"] for s in in_tokyo.get_json()["slots"]] == ["2026-11-24T14:00:00Z", "2026-11-24T14:30:00Z"]
    premium = customer_client.get(f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24&plan=premium")
    assert [s["start"] for s in premium.get_json()["slots"] if s["available"]] == []


def test_a_customers_own_bookings_show_as_busy(customer_client, world, database):
    mechanic, other = world.mechanic(blocks={2: [("09:00", "11:00")]}), world.mechanic(blocks={2: [("09:00", "11:00")]})
    kim = database.scalar("select id from app.users where email = 'kim@example.com'")
    world.claim(other, kim, local("America/Toronto", "2026-11-24 09:00"))
    slots = customer_client.get(f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24").get_json()["slots"]
    assert slots[0]["reason"] == "customer_busy" and slots[2]["available"]


def test_one_slot_availability(customer_client, world):
    mechanic = world.mechanic(blocks={2: [("09:00", "11:00")]})
    free = customer_client.get(f"/api/mechanics/{mechanic}/availability?start=2026-11-24T09:00:00-05:00"
                               f"&end=2026-11-24T09:30:00-05:00").get_json()
    assert free == {"available": True, "reason": None, "message": None}
    closed = customer_client.get(f"/api/mechanics/{mechanic}/availability?start=2026-11-24T17:00:00Z"
                                 f"&end=2026-11-24T17:30:00Z&service_type=in_person").get_json()
    assert closed["available"] is False and closed["reason"] == "workshop_closed" and closed["message"]


@pytest.mark.parametrize("query, field", [
    ("from=2026-11-25&to=2026-11-24", "to"),
    ("from=2026-11-01&to=2027-01-05", "to"),
    ("from=2026-11-24&to=2026-11-24&tz=Mars/Olympus", "tz"),
    ("from=2026-11-24&to=2026-11-24&plan=gold", "plan"),
    ("from=2026-11-24&to=2026-11-24&service_type=fax", "service_type"),
    ("from=yesterday&to=2026-11-24", "from"),
    ("from=2026-02-30&to=2026-03-01", "from"),
    ("to=2026-11-24", "from"),
    ("from=2026-11-24", "to"),
])
def test_bad_slot_queries_are_400(customer_client, world, query, field):
    mechanic = world.mechanic()
    assert error_of(customer_client.get(f"/api/mechanics/{mechanic}/slots?{query}"), 400)["field"] == field


@pytest.mark.parametrize("query, field", [
    ("start=2026-11-24T09:00:00&end=2026-11-24T09:30:00Z", "start"),
    ("start=2026-11-24T09:00:00Z&end=soon", "end"),
    ("start=2026-11-24T09:30:00Z&end=2026-11-24T09:00:00Z", "end"),
    ("start=2026-11-24T09:00:00Z&end=2026-11-24T09:30:00Z&service_type=fax", "service_type"),
])
def test_bad_availability_queries_are_400(customer_client, world, query, field):
    mechanic = world.mechanic()
    assert error_of(customer_client.get(f"/api/mechanics/{mechanic}/availability?{query}"), 400)["field"] == field


def test_unknown_mechanics_and_routes_are_404_json(customer_client):
    assert error_of(customer_client.get("/api/mechanics/987654/slots?from=2026-11-24&to=2026-11-24"), 404)["code"] == "not_found"
    assert error_of(customer_client.get("/api/mechanics/987654/availability?start=2026-11-24T09:00:00Z"
                                        "&end=2026-11-24T09:30:00Z"), 404)["code"] == "not_found"
    assert error_of(customer_client.get("/api/nothing-here"), 404)["code"] == "not_found"
    assert error_of(customer_client.post("/api/plans"), 405)["code"] == "method_not_allowed"


def test_openapi_document_describes_the_calls(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/plans", "/api/mechanics", "/api/mechanics/{id}/slots", "/api/mechanics/{id}/availability"} <= set(document["paths"])
