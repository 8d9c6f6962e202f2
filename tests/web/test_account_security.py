"""Log-ins the database can end (issue 16 §1): log-out revokes the session, so a copied cookie stops working;
"log out other devices", a new password and the platform admin end the others; the account page lists them."""
from conftest import NOW, PASSWORD, csrf_token, log_in, make_customer, make_staff, submit
from support import refusal_codes


def copy_cookie(client, app):
    """A second browser holding a copy of this one's session cookie (what a thief would replay)."""
    other = app.test_client()
    other.set_cookie("autodoctor_session", client.get_cookie("autodoctor_session").value)
    return other


def logged_in(client):
    return client.get("/customer/").status_code == 200


def test_after_log_out_a_copied_cookie_is_refused(app, client, database):
    database.set_clock(NOW)
    make_customer(database, email="kim@example.com")
    log_in(client, "kim@example.com")
    thief = copy_cookie(client, app)
    assert logged_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    replay = thief.get("/customer/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    assert thief.get("/api/appointments").status_code in (401, 302)
    assert database.scalar("select revoked_why from app.login_sessions") == "logged_out"


def test_log_out_other_devices_ends_them_and_keeps_this_one(app, database):
    database.set_clock(NOW)
    make_customer(database, email="kim@example.com")
    phone, laptop, tablet = app.test_client(), app.test_client(), app.test_client()
    for device in (phone, laptop, tablet):
        log_in(device, "kim@example.com")
    page = laptop.get("/account/security").get_data(as_text=True)
    assert page.count("Log out this device") == 2 and "(this device)" in page
    response = submit(laptop, "/account/security", {}, action="/account/sessions/others/end", follow_redirects=True)
    assert "Logged out of 2 other devices." in response.get_data(as_text=True)
    assert (logged_in(phone), logged_in(laptop), logged_in(tablet)) == (False, True, False)


def test_one_device_can_be_logged_out_by_its_owner_only(app, database):
    database.set_clock(NOW)
    make_customer(database, email="kim@example.com")
    make_customer(database, email="lee@example.com")
    phone, laptop, lee = app.test_client(), app.test_client(), app.test_client()
    log_in(phone, "kim@example.com")
    log_in(laptop, "kim@example.com")
    log_in(lee, "lee@example.com")
    phones = database.scalar("select min(id) from app.login_sessions")
    refused = submit(lee, "/account/security", {"session": phones}, action="/account/sessions/end")
    assert refused.status_code == 404 and logged_in(phone)
    assert submit(lee, "/account/security", {"session": "99999999999999999999"},
                  action="/account/sessions/end").status_code == 302  # not a row id: nothing done
    submit(laptop, "/account/security", {"session": phones}, action="/account/sessions/end")
    assert (logged_in(phone), logged_in(laptop), logged_in(lee)) == (False, True, True)


def test_a_new_password_logs_out_every_other_device(app, database):
    database.set_clock(NOW)
    make_customer(database, email="kim@example.com")
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, "kim@example.com")
    log_in(laptop, "kim@example.com")
    new = "plum tractor orbit lantern"
    wrong = submit(laptop, "/account/security", {"current_password": "not it at all", "password": new, "confirm": new},
                   action="/account/password")
    assert wrong.status_code == 400 and refusal_codes(wrong, "current_password-error") == {"UV063"}
    assert logged_in(phone)
    weak = submit(laptop, "/account/security", {"current_password": PASSWORD, "password": "password12",
                                                "confirm": "password12"}, action="/account/password")
    assert weak.status_code == 400 and logged_in(phone)
    done = submit(laptop, "/account/security", {"current_password": PASSWORD, "password": new, "confirm": new},
                  action="/account/password", follow_redirects=True)
    assert "Every other device you were logged in on is logged out." in done.get_data(as_text=True)
    assert (logged_in(phone), logged_in(laptop)) == (False, True)
    fresh = app.test_client()
    assert submit(fresh, "/login", {"email": "kim@example.com", "password": PASSWORD}).status_code == 401
    log_in(fresh, "kim@example.com", new)


def test_the_platform_admin_logs_someone_out_everywhere(app, database):
    database.set_clock(NOW)
    make_staff(database, "admin", "root@example.com")
    kim = make_customer(database, email="kim@example.com")
    admin, phone = app.test_client(), app.test_client()
    log_in(admin, "root@example.com")
    log_in(phone, "kim@example.com")
    page = admin.get(f"/admin/accounts/{kim}").get_data(as_text=True)
    assert "Log out everywhere" in page and "127.0.0.1" in page
    done = submit(admin, f"/admin/accounts/{kim}", {}, action=f"/admin/accounts/{kim}/log-out", follow_redirects=True)
    assert "1 log-in ended" in done.get_data(as_text=True)
    assert not logged_in(phone)
    assert database.scalar("select revoked_why from app.login_sessions where user_id = %s", [kim]) == "revoked_by_admin"
