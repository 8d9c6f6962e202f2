"""The platform admin's account pages (SPEC §1, §16, §20): workshops and staff created through the pages (each
mechanic type ending as asked), the emailed link to set a password (once, 48 hours, a newer one voids it),
deactivation (no log-in, offline, hidden from customers, no free slots) and reactivation, cancelling a
deactivated mechanic's booking with a full refund, the search; bad input changes nothing, other roles get
403, and CSRF is required."""
import re
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import psycopg
import pytest

import jobs
from availability_world import World, local
from conftest import NOW, PASSWORD, PASSWORD_HASH, csrf_token, log_in, make_customer, make_staff, submit
from support import refusal_codes

TO = "America/Toronto"
ADMIN = "ada@example.com"
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
TUESDAY_10 = local(TO, "2026-11-24 10:00")
NEW_PASSWORD = "a brand new password"
MECHANIC = {"name": "Nia Newton", "email": "nia@example.com", "timezone": TO, "specialties": "brakes, electrical",
            "brands": "Toyota, Honda", "years_experience": "12"}
WORKSHOP = {"name": "Harbour Motors", "street": "5 Water St", "city": "Halifax", "province": "NS",
            "postal_code": "b3j 1s9", "country": "CA", "phone": "", "timezone": "America/Halifax",
            "stripe_account_id": "acct_1Harbour"}


@pytest.fixture
def admin(client, database):
    """A logged-in platform admin; the clock at NOW (Monday 09:00 in Toronto)."""
    database.set_clock(NOW)
    admin_id = make_staff(database, "admin", ADMIN, name="Ada Admin")
    log_in(client, ADMIN)
    return admin_id


@pytest.fixture
def shop(database):
    return database.scalar(
        "insert into app.workshops (name, street, city, province, postal_code, timezone) "
        "values ('Queen West Auto', '1 Queen St W', 'Toronto', 'ON', 'M5V 2T6', %s) returning id", [TO])


def page(response):
    return response.get_data(as_text=True)


def state(database):
    """Everything account management may change, to show that a refused request changed none of it."""
    return database.scalar(
        "select row((select count(*) from app.users), (select count(*) from app.mechanics), "
        "(select count(*) from app.workshops), (select count(*) from app.workshop_admins), "
        "(select count(*) from app.password_tokens), (select count(*) from app.outbox), "
        "(select count(*) from app.users where deactivated_at is not null), "
        "(select count(*) from app.sessions where status = 'cancelled'))::text")


def new_mechanic(client, **changes):
    return submit(client, "/admin/accounts/mechanics/new", {**MECHANIC, **changes})


def deliver(app):
    jobs.run_job(app, "deliver_outbox")
    return {path.name: BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            for path in sorted((Path(app.config["VAR_DIR"]) / "mailbox").glob("*.eml"))}


def link_in(email):
    text = email.get_body(preferencelist=("plain",)).get_content()
    [path] = re.findall(r"http://127\.0\.0\.1:5000(/set-password/[A-Za-z0-9_-]+)", text)
    return path


def latest_link(database, user):
    return "/set-password/" + database.scalar(
        "select payload->>'token' from app.outbox where user_id = %s and template = 'staff_invite' order by id desc limit 1",
        [user])


def user_id(database, email):
    return database.scalar("select id from app.users where email = %s", [email])


# --- creating accounts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, tie, at_shop", [
    ("virtual_only", None, False),
    ("independent_workshop", None, True),
    ("workshop_affiliated", "employee", True),
    ("workshop_affiliated", "contractor", True),
])
def test_each_mechanic_type_created_through_the_page_is_that_type(client, database, admin, shop, kind, tie, at_shop):
    form = page(client.get("/admin/accounts/mechanics/new"))
    for value in ("virtual_only", "independent_workshop", "workshop_affiliated", "employee", "contractor"):
        assert f'value="{value}"' in form
    assert f'<option value="{shop}">Queen West Auto (Toronto)</option>' in form
    response = new_mechanic(client, mechanic_type=kind, workshop_id=str(shop) if at_shop else "",
                            **({"partnership_type": tie} if tie else {}))
    assert response.status_code == 302
    mechanic = user_id(database, "nia@example.com")
    assert response.location == f"/admin/accounts/{mechanic}"
    assert database.scalar("select app.mechanic_type(%s)", [mechanic]) == kind
    assert database.scalar("select row(specialties, brands, years_experience, partnership_type)::text from app.mechanics "
                           "where id = %s", [mechanic]) == (
        f"(\"{{brakes,electrical}}\",\"{{Toyota,Honda}}\",12,{tie or ('owner' if at_shop else 'none')})")
    shown = page(client.get(response.location))
    assert "can now set their password" in shown and "Nia Newton" in shown and "Not set yet" in shown
    assert database.scalar("select count(*) from app.outbox where user_id = %s and template = 'staff_invite'", [mechanic]) == 1


def test_a_workshop_and_its_admin_are_created_through_the_pages(client, database, admin):
    response = submit(client, "/admin/accounts/workshops/new", WORKSHOP)
    assert response.status_code == 302
    shop = database.scalar("select id from app.workshops where name = 'Harbour Motors'")
    assert response.location == f"/admin/accounts/workshops/{shop}"
    assert database.scalar("select row(postal_code, timezone, stripe_account_id)::text from app.workshops where id = %s",
                           [shop]) == '("B3J 1S9",America/Halifax,acct_1Harbour)'
    shown = page(client.get(response.location))
    assert "Add its workshop admins now" in shown and "No admin yet" in shown
    assert 'value="America/Halifax" selected' in shown or 'selected value="America/Halifax"' in shown

    response = submit(client, response.location, {"name": "Siobhan Desk", "email": "siobhan@example.com",
                                                   "timezone": "America/Halifax"},
                      action=f"/admin/accounts/workshops/{shop}/admins")
    assert response.status_code == 302
    desk = user_id(database, "siobhan@example.com")
    assert database.scalar("select workshop_id from app.workshop_admins where user_id = %s", [desk]) == shop
    shown = page(client.get(response.location))
    assert f'href="/admin/accounts/{desk}">Siobhan Desk</a>' in shown
    listed = page(client.get("/admin/accounts/workshops"))
    assert "Harbour Motors" in listed and "1 admin · 0 mechanics" in listed
    assert f'href="/admin/accounts/mechanics/new?workshop_id={shop}"' in shown


def test_a_platform_admin_is_created_through_the_page(client, database, admin):
    response = submit(client, "/admin/accounts/admins/new", {"name": "Bo Boss", "email": "bo@example.com", "timezone": TO})
    assert response.status_code == 302
    assert database.scalar("select role from app.users where email = 'bo@example.com'") == "admin"


@pytest.mark.parametrize("changes, field, status", [
    (dict(mechanic_type="virtual_only", workshop_id="shop"), "workshop_id", 400),
    (dict(mechanic_type="independent_workshop", workshop_id=""), "workshop_id", 400),
    (dict(mechanic_type="workshop_affiliated", workshop_id="shop"), "partnership_type", 400),
    (dict(), "mechanic_type", 400),
    (dict(mechanic_type="robot"), "mechanic_type", 400),
    (dict(mechanic_type="virtual_only", workshop_id="999999"), "workshop_id", 400),
    (dict(mechanic_type="virtual_only", specialties=", ".join(f"skill {n}" for n in range(21))), "specialties", 400),
    (dict(mechanic_type="virtual_only", brands="x" * 41), "brands", 400),
    (dict(mechanic_type="virtual_only", years_experience="71"), "years_experience", 400),
    (dict(mechanic_type="virtual_only", email="ADA@example.com"), "email", 409),
    (dict(mechanic_type="virtual_only", email="not an email"), "email", 400),
    (dict(mechanic_type="virtual_only", timezone="Mars/Olympus"), "timezone", 400),
    (dict(mechanic_type="virtual_only", name=""), "name", 400),
])
def test_bad_mechanic_input_is_shown_next_to_its_field_and_changes_nothing(client, database, admin, shop, changes, field,
                                                                           status):
    changes = {key: str(shop) if value == "shop" else value for key, value in changes.items()}
    before = state(database)
    response = new_mechanic(client, **changes)
    assert response.status_code == status
    assert f'id="{field}-error"' in page(response)
    assert state(database) == before


@pytest.mark.parametrize("changes, field", [
    (dict(postal_code="12345"), "postal_code"),
    (dict(stripe_account_id="sk_live_oops"), "stripe_account_id"),
    (dict(phone="call me"), "phone"),
    (dict(timezone="Mars/Olympus"), "timezone"),
    (dict(name=""), "name"),
])
def test_bad_workshop_input_is_shown_next_to_its_field_and_changes_nothing(client, database, admin, changes, field):
    before = state(database)
    response = submit(client, "/admin/accounts/workshops/new", {**WORKSHOP, **changes})
    assert response.status_code == 400
    assert f'id="{field}-error"' in page(response)
    assert state(database) == before


# --- the link to set a password ------------------------------------------------------------------------------

def test_the_emailed_link_sets_the_password_once_and_the_mechanic_logs_in(app, client, database, admin):
    new_mechanic(client, mechanic_type="virtual_only")
    mechanic = user_id(database, "nia@example.com")
    [email] = deliver(app).values()
    assert email["To"].addresses[0].addr_spec == "nia@example.com"
    assert email["Subject"] == "Welcome to Auto Doctor: set your password"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    link = link_in(email)
    assert "Ada Admin created an Auto Doctor account for you as a mechanic" in text
    assert "works once, for 48 hours" in text and f'href="http://127.0.0.1:5000{link}"' in html
    # no password in the email: the only line that names one is the link
    assert [line for line in text.splitlines() if re.search(r"password\s*[:=]", line, re.I)] == [
        f"Set my password: http://127.0.0.1:5000{link}"]

    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    shown = client.get(link)
    assert shown.status_code == 200 and "nia@example.com" in page(shown)
    assert shown.headers["Cache-Control"] == "no-store"
    before = database.scalar("select password_hash from app.users where id = %s", [mechanic])
    for bad, field in (({"password": "too short", "confirm": "too short"}, "password"),
                       ({"password": NEW_PASSWORD, "confirm": "something else"}, "confirm")):
        refused = submit(client, link, bad)
        assert refused.status_code == 400 and f'id="{field}-error"' in page(refused)
    assert database.scalar("select password_hash from app.users where id = %s", [mechanic]) == before
    # without the form's token nothing happens either
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 400
    assert database.scalar("select password_hash from app.users where id = %s", [mechanic]) == before

    done = submit(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.location == "/login"
    assert "Your password is set. Log in as nia@example.com" in page(client.get("/login"))
    log_in(client, "nia@example.com", NEW_PASSWORD)
    assert client.get("/mechanic/").status_code == 200

    again = client.get(link)
    assert again.status_code == 422 and refusal_codes(again) == {"UR082"}
    assert submit(client, "/admin/accounts", {}, action=link).status_code == 422


def test_a_link_stops_working_48_hours_after_it_was_made(client, database, admin):
    new_mechanic(client, mechanic_type="virtual_only")
    mechanic = user_id(database, "nia@example.com")
    link = latest_link(database, mechanic)
    database.set_clock(NOW + timedelta(hours=47, minutes=59))
    assert client.get(link).status_code == 200
    database.set_clock(NOW + timedelta(hours=48))
    before = state(database), database.scalar("select password_hash from app.users where id = %s", [mechanic])
    expired = client.get(link)
    assert expired.status_code == 422 and refusal_codes(expired) == {"UR083"} and 'name="password"' not in page(expired)
    posted = submit(client, "/admin/accounts", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, action=link)
    assert posted.status_code == 422
    assert (state(database), database.scalar("select password_hash from app.users where id = %s", [mechanic])) == before


def test_a_new_link_voids_the_one_before(client, database, admin):
    new_mechanic(client, mechanic_type="virtual_only")
    mechanic = user_id(database, "nia@example.com")
    first = latest_link(database, mechanic)
    response = submit(client, f"/admin/accounts/{mechanic}", {}, action=f"/admin/accounts/{mechanic}/password-link")
    assert response.status_code == 302
    assert "A new link to set a password is on its way" in page(client.get(response.location))
    second = latest_link(database, mechanic)
    assert second != first
    old = client.get(first)
    assert old.status_code == 422 and refusal_codes(old) == {"UR084"}
    assert client.get(second).status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43])
def test_an_unknown_link_says_so(client, database, token):
    response = client.get(f"/set-password/{token}")
    assert response.status_code == 404 and refusal_codes(response) == {"UN080"}


# --- deactivating and reactivating ---------------------------------------------------------------------------

@pytest.fixture
def mia(database, admin):
    """Mia, a virtual-only mechanic with a password, online, bookable all day, starred by a customer."""
    with database.owner() as conn:
        mechanic = World(conn).mechanic(blocks=ALL_DAY, min_notice_minutes=0)
        conn.execute("update app.users set name = 'Mia Mechanic', email = 'mia@example.com', password_hash = %s "
                     "where id = %s", [PASSWORD_HASH, mechanic])
        conn.execute("update app.mechanics set currently_on_shift = true, rating = 4.9 where id = %s", [mechanic])
    return mechanic


def customer_sees(app, database, mechanic):
    """What a logged-in customer's pages and API show of the mechanic."""
    if not database.scalar("select 1 from app.users where email = 'casey@example.com'"):
        make_customer(database)
    customer = app.test_client()
    log_in(customer, "casey@example.com")
    slots = customer.get(f"/api/mechanics/{mechanic}/slots?from=2026-11-24&to=2026-11-24&plan=standard")
    return {
        "listed": mechanic in {m["id"] for m in customer.get("/api/mechanics").get_json()["mechanics"]},
        "searched": mechanic in {m["id"] for m in customer.get("/api/mechanics?q=Mia").get_json()["mechanics"]},
        "slots": slots.status_code == 200 and any(s["available"] for s in slots.get_json()["slots"]),
        "availability": customer.get(f"/api/mechanics/{mechanic}/availability?start=2026-11-24T15:00:00Z"
                                     f"&end=2026-11-24T15:30:00Z").status_code == 200,
    }


def test_a_deactivated_mechanic_cannot_log_in_and_is_hidden_until_reactivated(app, client, database, mia):
    everywhere = {"listed": True, "searched": True, "slots": True, "availability": True}
    assert customer_sees(app, database, mia) == everywhere

    response = submit(client, f"/admin/accounts/{mia}", {}, action=f"/admin/accounts/{mia}/deactivate")
    assert response.status_code == 302
    shown = page(client.get(response.location))
    assert "Account deactivated" in shown and "Reactivate" in shown
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [mia]) is False
    assert customer_sees(app, database, mia) == {key: False for key in everywhere}

    visitor = app.test_client()
    right = submit(visitor, "/login", {"email": "mia@example.com", "password": PASSWORD})
    assert right.status_code == 403 and "This account is deactivated" in page(right)
    wrong = submit(visitor, "/login", {"email": "mia@example.com", "password": "not her password"})
    assert wrong.status_code == 401 and "deactivated" not in page(wrong)  # only the password's owner learns it
    assert visitor.get("/mechanic/").status_code == 302

    response = submit(client, f"/admin/accounts/{mia}", {}, action=f"/admin/accounts/{mia}/reactivate")
    assert response.status_code == 302 and "Account reactivated" in page(client.get(response.location))
    assert customer_sees(app, database, mia) == {**everywhere}
    log_in(visitor, "mia@example.com")
    assert visitor.get("/mechanic/").status_code == 200


def test_a_browser_logged_in_before_the_deactivation_is_logged_out(app, client, database, mia):
    before = app.test_client()
    log_in(before, "mia@example.com")
    assert before.get("/mechanic/").status_code == 200
    submit(client, f"/admin/accounts/{mia}", {}, action=f"/admin/accounts/{mia}/deactivate")
    assert before.get("/mechanic/").location.startswith("/login")  # its next request finds no account
    with database.owner() as conn:  # nor can a call made for it act: require_role refuses the deactivated
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("select app.set_on_shift(%s, true)", [mia])
    assert refused.value.sqlstate == "UP001"
    assert database.scalar("select currently_on_shift from app.mechanics where id = %s", [mia]) is False


def test_the_list_deactivates_and_comes_back_to_the_same_search(client, database, mia):
    listed = page(client.get("/admin/accounts?q=mia"))
    assert f'action="/admin/accounts/{mia}/deactivate"' in listed and 'name="back" value="/admin/accounts?q=mia"' in listed
    response = submit(client, "/admin/accounts?q=mia", {"back": "/admin/accounts?q=mia"},
                      action=f"/admin/accounts/{mia}/deactivate")
    assert response.status_code == 302 and response.location == "/admin/accounts?q=mia"
    again = page(client.get(response.location))
    assert "Deactivated" in again and f'action="/admin/accounts/{mia}/reactivate"' in again
    # another site as the way back is ignored
    response = submit(client, "/admin/accounts", {"back": "https://evil.example/"}, action=f"/admin/accounts/{mia}/reactivate")
    assert response.location == f"/admin/accounts/{mia}"


def test_an_admin_cannot_deactivate_themselves(client, database, admin):
    before = state(database)
    own = page(client.get(f"/admin/accounts/{admin}"))
    assert "This is your own account" in own and f'/admin/accounts/{admin}/deactivate' not in own
    response = submit(client, f"/admin/accounts/{admin}", {}, action=f"/admin/accounts/{admin}/deactivate")
    assert response.status_code == 422 and refusal_codes(response) == {"UR080"}
    assert state(database) == before


def test_a_deactivated_mechanics_bookings_are_listed_and_cancelled_with_a_full_refund(client, database, mia):
    with database.owner() as conn:
        customer = World(conn).customer()
        conn.execute("update app.users set name = 'Casey Customer' where id = %s", [customer])
        session = World(conn).book(customer, mia, TUESDAY_10)
    submit(client, f"/admin/accounts/{mia}", {}, action=f"/admin/accounts/{mia}/deactivate")
    shown = page(client.get(f"/admin/accounts/{mia}"))
    assert f"#{session} · Tue 24 Nov 2026, 10:00 AM EST" in shown
    assert f'href="/admin/accounts/{customer}">Casey Customer</a>' in shown
    assert f"/admin/accounts/{mia}/bookings/{session}/cancel" in shown

    before = state(database)
    action = f"/admin/accounts/{mia}/bookings/{session}/cancel"
    missing = submit(client, f"/admin/accounts/{mia}", {"reason": ""}, action=action)
    assert missing.status_code == 400 and f'id="reason-{session}-error"' in page(missing)
    assert client.post(action, data={"reason": "No token"}).status_code == 400
    assert submit(client, f"/admin/accounts/{mia}", {"reason": "Not hers"},
                  action=f"/admin/accounts/{customer + 1000}/bookings/{session}/cancel").status_code == 404
    assert state(database) == before

    done = submit(client, f"/admin/accounts/{mia}", {"reason": "Mia no longer works with us."}, action=action)
    assert done.status_code == 302
    assert "gets back everything they paid ($29.00 CAD)" in page(client.get(done.location))
    assert database.scalar("select row(status, cancel_reason)::text from app.sessions where id = %s", [session]) == (
        '(cancelled,"Mia no longer works with us.")')
    assert database.scalar("select row(sum(amount_cents), min(reason))::text from app.refunds where session_id = %s",
                           [session]) == "(2900,admin_cancelled)"
    assert database.scalar("select actor_id from app.session_events where session_id = %s and to_status = 'cancelled'",
                           [session]) == database.scalar("select id from app.users where email = %s", [ADMIN])
    assert "No bookings ahead" in page(client.get(f"/admin/accounts/{mia}"))


# --- the list ------------------------------------------------------------------------------------------------

def test_accounts_are_searched_by_name_or_email_across_roles(client, database, admin, shop):
    make_customer(database, email="casey@example.com", name="Casey Driver")
    make_staff(database, "mechanic", "mo@garage.example", name="Mo Casey", workshop_id=shop, partnership="employee")
    make_staff(database, "workshop_admin", "desk@example.com", name="Desk Person", workshop_id=shop)
    everyone = page(client.get("/admin/accounts"))
    assert "4 accounts" in everyone
    for name in ("Ada Admin", "Casey Driver", "Mo Casey", "Desk Person"):
        assert name in everyone
    found = page(client.get("/admin/accounts?q=CASEY"))
    assert "2 accounts matching “CASEY”" in found and "Desk Person" not in found
    assert "Mechanic · works at a workshop · Queen West Auto" in found and "Customer" in found
    by_email = page(client.get("/admin/accounts?q=garage.example&role=mechanic"))
    assert "1 account matching" in by_email and "Mo Casey" in by_email
    assert "No accounts" in page(client.get("/admin/accounts?q=casey&status=deactivated"))
    assert client.get("/admin/accounts?role=wizard").status_code == 400


# --- who may ---------------------------------------------------------------------------------------------------

ADMIN_PAGES = ["/admin/accounts", "/admin/accounts/1", "/admin/accounts/mechanics/new", "/admin/accounts/admins/new",
               "/admin/accounts/workshops", "/admin/accounts/workshops/new", "/admin/accounts/workshops/1"]
ADMIN_ACTIONS = ["/admin/accounts/1/deactivate", "/admin/accounts/1/reactivate", "/admin/accounts/1/password-link",
                 "/admin/accounts/1/bookings/1/cancel", "/admin/accounts/mechanics/new", "/admin/accounts/admins/new",
                 "/admin/accounts/workshops/new", "/admin/accounts/workshops/1/admins"]


@pytest.mark.parametrize("role", ["customer", "mechanic", "workshop_admin"])
def test_other_roles_get_403_on_every_admin_page_and_action(client, database, shop, role):
    database.set_clock(NOW)
    make_staff(database, "admin", ADMIN)
    if role == "customer":
        make_customer(database, email="someone@example.com")
    else:
        make_staff(database, role, "someone@example.com", workshop_id=shop)
    log_in(client, "someone@example.com")
    token = csrf_token(client, "/logout")
    before = state(database)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == 403, url
    for url in ADMIN_ACTIONS:
        assert client.post(url, data={"csrf_token": token, "reason": "x", **MECHANIC, **WORKSHOP,
                                      "mechanic_type": "virtual_only"}).status_code == 403, url
    assert state(database) == before


def test_logged_out_visitors_are_sent_to_log_in(client):
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/login"), url


def test_every_admin_form_needs_its_csrf_token(client, database, admin, shop):
    target = make_staff(database, "mechanic", "m@example.com")
    before = state(database)
    for url, data in [(f"/admin/accounts/{target}/deactivate", {}), (f"/admin/accounts/{target}/password-link", {}),
                      ("/admin/accounts/mechanics/new", {**MECHANIC, "mechanic_type": "virtual_only"}),
                      ("/admin/accounts/admins/new", MECHANIC), ("/admin/accounts/workshops/new", WORKSHOP),
                      (f"/admin/accounts/workshops/{shop}/admins", MECHANIC)]:
        assert client.post(url, data=data).status_code == 400, url
        assert client.post(url, data={**data, "csrf_token": "forged"}).status_code == 400, url
    assert state(database) == before
