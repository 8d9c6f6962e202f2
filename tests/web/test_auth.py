"""Accounts through the pages: sign-up, log-in, log-out, CSRF, role guards and the session cookie."""
import pytest

from app import create_app

from conftest import PASSWORD, csrf_token, log_in, make_customer, make_staff, submit
from support import refusal_codes

SIGNUP = {"name": "Robin Driver", "email": "robin@example.com", "password": "a long password",
          "confirm": "a long password", "timezone": "America/Vancouver", "city": "Vancouver", "province": "BC",
          "postal_code": "v6b 1a1", "country": "CA", "phone": ""}


def users(database):
    return database.scalar("select count(*) from app.users")


def test_a_customer_signs_up_and_lands_on_the_dashboard(client, database):
    response = submit(client, "/signup", SIGNUP)
    assert response.status_code == 302 and response.location.endswith("/customer/")
    page = client.get("/customer/").get_data(as_text=True)
    assert "Hello, Robin" in page and "America/Vancouver" in page
    row = database.scalar("select row(u.role, c.postal_code)::text from app.users u join app.customers c using (id)")
    assert row == "(customer,\"V6B 1A1\")"


def test_an_email_differing_only_in_case_is_refused_next_to_the_field(client, database):
    make_customer(database, email="robin@example.com")
    response = submit(client, "/signup", {**SIGNUP, "email": "ROBIN@Example.COM"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert refusal_codes(page, "email-error") == {"users_email_key"}
    assert users(database) == 1


@pytest.mark.parametrize("change, field", [
    ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ({"postal_code": "12345"}, "postal_code"),
    ({"email": "not-an-email"}, "email"),
    ({"confirm": "something else"}, "confirm"),
    ({"password": "short", "confirm": "short"}, "password"),
    ({"name": ""}, "name"),
    ({"name": "Robin\r\nBcc: everyone@example.com"}, "name"),
    ({"city": "Vancouver\nBC"}, "city"),
    ({"name": "Robin\x00Driver"}, "name"),
])
def test_bad_sign_up_input_is_shown_next_to_its_field_and_changes_nothing(client, database, change, field):
    response = submit(client, "/signup", {**SIGNUP, **change})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert users(database) == 0


@pytest.mark.parametrize("password, why", [
    ("aaaaaaaaaa", "Repeats like"),
    ("1234567890", "common password"),
    ("password12", "common password"),
    (" " * 10, "Repeats like"),
    ("robin@example.com", "too close to your email or name"),
    ("Robin Driver", "too close to your email or name"),  # 12 characters
    ("abcdefghi", "at least 10 characters"),
])
def test_a_guessable_password_is_refused_with_the_reason(client, database, password, why):
    response = submit(client, "/signup", {**SIGNUP, "password": password, "confirm": password})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and why in html
    assert users(database) == 0


def test_sign_up_is_rate_limited_per_address(app, client, database):
    for n in range(10):
        assert submit(client, "/signup", {**SIGNUP, "email": f"taken{n}@example.com" if n else "robin@example.com"}
                      ).status_code in (302, 409)
        client.get("/logout")
        client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    eleventh = submit(client, "/signup", {**SIGNUP, "email": "one.more@example.com"})
    assert eleventh.status_code == 429 and "UL005" in refusal_codes(eleventh)
    assert database.scalar("select count(*) from app.users where email = 'one.more@example.com'") == 0
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert submit(elsewhere, "/signup", {**SIGNUP, "email": "one.more@example.com"}).status_code == 302


def test_log_in_with_the_right_password_goes_to_the_role_home(client, database):
    make_staff(database, "mechanic", "mo@example.com")
    response = log_in(client, "MO@example.com")
    assert response.location.endswith("/mechanic/")
    assert client.get("/mechanic/").status_code == 200


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, database):
    make_customer(database, email="kim@example.com")
    wrong_password = submit(client, "/login", {"email": "kim@example.com", "password": "nope nope nope"})
    unknown_email = submit(client, "/login", {"email": "nobody@example.com", "password": PASSWORD})
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/customer/").status_code == 302


def test_log_in_is_rate_limited_for_the_guesser_not_the_owner(app, client, database):
    make_customer(database, email="kim@example.com")
    for _ in range(3):
        assert submit(client, "/login", {"email": "kim@example.com", "password": "wrong wrong"}).status_code == 401
    locked = submit(client, "/login", {"email": "kim@example.com", "password": PASSWORD})
    assert locked.status_code == 429
    assert "UL004" in refusal_codes(locked)
    assert client.get("/customer/").status_code == 302
    # a guesser cannot pose as another address with a header nobody trusted: still this address
    spoofed = submit(client, "/login", {"email": "kim@example.com", "password": PASSWORD},
                     headers={"X-Forwarded-For": "192.0.2.200"})
    assert spoofed.status_code == 429
    # Kim, on her own network, logs in at once
    kim = app.test_client()
    kim.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    assert log_in(kim, "kim@example.com").status_code == 302
    assert kim.get("/customer/").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(app, database):
    proxied = create_app({**app.config, "TRUSTED_PROXY_HOPS": 1}).test_client()
    make_customer(database, email="kim@example.com")
    guesser = {"X-Forwarded-For": "203.0.113.66"}
    for _ in range(3):
        assert submit(proxied, "/login", {"email": "kim@example.com", "password": "wrong wrong"},
                      headers=guesser).status_code == 401
    assert submit(proxied, "/login", {"email": "kim@example.com", "password": PASSWORD}, headers=guesser).status_code == 429
    # the same proxy forwarding Kim from her own address
    assert submit(proxied, "/login", {"email": "kim@example.com", "password": PASSWORD},
                  headers={"X-Forwarded-For": "198.51.100.23"}).status_code == 302


def test_a_persons_pages_and_the_api_are_never_cached(client, database):
    assert "Cache-Control" not in client.get("/").headers  # a public page may be
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    for path in ("/", "/customer/", "/customer/appointments", "/api/me", "/api/appointments"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert client.get("/api/me").headers["Cache-Control"] == "no-store"  # the API's 401 too


def test_a_missing_csrf_token_is_a_400_and_changes_nothing(client, database):
    response = client.post("/signup", data=SIGNUP)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert users(database) == 0


def test_a_forged_csrf_token_is_refused(client, database):
    response = client.post("/signup", data={**SIGNUP, "csrf_token": "forged"})
    assert response.status_code == 400
    assert users(database) == 0


def test_logged_out_visitors_are_sent_to_log_in(client):
    for page in ("/customer/", "/mechanic/", "/workshop/", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302
        assert "/login?next=" in response.location and page.strip("/") in response.location


def test_log_in_returns_to_the_page_asked_for_but_never_to_another_site(client, database):
    make_customer(database, email="kim@example.com")
    page = "/login?next=/customer/%23favorites"
    response = submit(client, page, {"email": "kim@example.com", "password": PASSWORD, "next": "/customer/#favorites"})
    assert response.location.endswith("/customer/#favorites")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = submit(client, "/login", {"email": "kim@example.com", "password": PASSWORD, "next": target})
        assert response.location.endswith("/customer/"), target


@pytest.mark.parametrize("role, own_page", [
    ("customer", "/customer/"), ("mechanic", "/mechanic/"), ("admin", "/admin/")])
def test_each_role_opens_only_its_own_pages(client, database, role, own_page):
    if role == "customer":
        make_customer(database, email="who@example.com")
    else:
        make_staff(database, role, "who@example.com")
    log_in(client, "who@example.com")
    assert client.get(own_page).status_code == 200
    for page in {"/customer/", "/mechanic/", "/workshop/", "/admin/"} - {own_page}:
        assert client.get(page).status_code == 403, page


def test_log_out_needs_a_post_with_its_token(client, database):
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    assert client.post("/logout").status_code == 400
    assert client.get("/customer/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert response.status_code == 302
    assert client.get("/customer/").status_code == 302


def test_a_deleted_account_is_logged_out(client, database):
    user = make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    with database.owner() as conn:
        conn.execute("delete from app.users where id = %s", [user])
    assert client.get("/customer/").status_code == 302


def test_session_cookie_is_secure_http_only_and_same_site_by_default(database, tmp_path):
    from app import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database.url, "VAR_DIR": str(tmp_path)})
    make_customer(database, email="kim@example.com")
    client = app.test_client()
    token = csrf_token(client, "https://localhost/login")
    response = client.post("https://localhost/login", data={"email": "kim@example.com", "password": PASSWORD,
                                                            "csrf_token": token},
                           headers={"Referer": "https://localhost/login"})  # CSRF over https checks the referrer
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    import db
    db.close_pool(app)


@pytest.mark.parametrize("field", ["name", "city", "province"])
def test_a_nul_byte_in_a_field_is_a_clear_400(client, database, field):
    response = submit(client, "/signup", {**SIGNUP, field: "Rob\x00in"})
    assert response.status_code == 400
    assert refusal_codes(response, f"{field}-error") == {"22021"}
    assert users(database) == 0
