"""The pages themselves: the home page, each role's workspace with the demo world, vehicles, and no 500s."""
import re

import pytest

import demo
from conftest import log_in, submit
from support import refusal_codes

DEMO_LOGINS = {"customer": "alex@example.com", "mechanic": "marcus.chen@autodoctor.example",
               "workshop_admin": "priya@queenwestauto.example", "admin": "admin@autodoctor.example"}


@pytest.fixture
def demo_world(database):
    demo.seed(database.url)
    return database


def test_home_page_explains_the_product_and_leads_to_booking(client, demo_world):
    page = client.get("/").get_data(as_text=True)
    assert "Book Now" in page and "Schedule" in page
    assert "$29.00 CAD" in page and "$49.00 CAD" in page and "$99.00 CAD" in page
    online = demo_world.scalar("select count(*) from app.mechanics where currently_on_shift")
    assert f"<strong>{online}</strong> mechanics online now" in page


def test_pages_load_nothing_from_another_host(client, demo_world):
    pages = ["/", "/login", "/signup"]
    for page in pages:
        response = client.get(page)
        html = response.get_data(as_text=True)
        assert not re.search(r'(src|href)="(https?:)?//', html), page
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/static/site.css").status_code == 200


@pytest.mark.parametrize("role", DEMO_LOGINS)
def test_every_demo_role_logs_in_and_sees_its_workspace(client, demo_world, role):
    response = submit(client, "/login", {"email": DEMO_LOGINS[role], "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    expected = {"customer": "Account credit", "mechanic": "Weekly availability",
                "workshop_admin": "Queen West Auto Care", "admin": "Mechanics by type"}[role]
    assert expected in page


def test_a_customer_saves_and_removes_a_vehicle(client, database):
    from conftest import make_customer
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    response = submit(client, "/customer/", {"year": "2019", "make": "Mazda", "model": "CX-5",
                                             "vin": "jm3kfbcm4k0123456", "odometer_km": "61000", "plate": "abc 123"},
                      action="/customer/vehicles")
    assert response.status_code == 302
    page = client.get("/customer/vehicles").get_data(as_text=True)
    assert "2019 Mazda CX-5" in page and "JM3KFBCM4K0123456" in page and "61,000 km" in page
    vehicle = database.scalar("select id from app.vehicles")
    assert submit(client, "/customer/", {}, action=f"/customer/vehicles/{vehicle}/remove").status_code == 302
    assert database.scalar("select count(*) from app.vehicles") == 0


def test_a_bad_vin_is_shown_next_to_the_field(client, database):
    from conftest import make_customer
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    response = submit(client, "/customer/", {"year": "2019", "make": "Mazda", "model": "CX-5",
                                             "vin": "JM3KFBCM2K0123456"}, action="/customer/vehicles")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert refusal_codes(page, "vin-error") == {"vehicles_vin_valid"}
    assert database.scalar("select count(*) from app.vehicles") == 0


def test_someone_elses_vehicle_is_a_404_and_stays(client, demo_world):
    theirs = demo_world.scalar("select v.id from app.vehicles v join app.users u on u.id = v.customer_id "
                               "where u.email = 'jasmine@example.com'")
    log_in_demo(client, "alex@example.com")
    response = submit(client, "/customer/", {}, action=f"/customer/vehicles/{theirs}/remove")
    assert response.status_code == 404
    assert demo_world.scalar("select count(*) from app.vehicles where id = %s", [theirs]) == 1


def log_in_demo(client, email):
    return submit(client, "/login", {"email": email, "password": demo.DEMO_PASSWORD})


@pytest.mark.parametrize("method, path, data", [
    ("get", "/nowhere", None),
    ("post", "/customer/vehicles/not-a-number/remove", {}),
    ("post", "/customer/vehicles", {"year": "nineteen", "make": "", "model": ""}),
    ("post", "/customer/vehicles", {"year": "99999999999999999999", "make": "A", "model": "B"}),
    ("post", "/signup", {"email": "\x00", "timezone": "\x00"}),
    ("put", "/login", None),
    ("get", "/customer/appointments/99999999999999999999", None),
    ("get", "/mechanics/99999999999999999999", None),
])
def test_bad_requests_get_a_clear_page_never_a_500(client, demo_world, method, path, data):
    log_in_demo(client, "alex@example.com")
    if data is not None:
        from conftest import csrf_token
        data = {**data, "csrf_token": csrf_token(client, "/customer/")}
    response = getattr(client, method)(path, data=data)
    assert 400 <= response.status_code < 500
    assert "<h1>" in response.get_data(as_text=True)
