"""A refund that failed, as the platform admin and its customer see it (issue 22): the dashboard's second audit lists
it, the money page sends it again ("Send again", admin_retry_refund), and the customer's page says what is true at
each step: not sent, then on its way. A refund that is not failed is refused with its code; only the admin may."""
from datetime import timedelta

from availability_world import local
from conftest import csrf_token, log_in, make_customer, make_staff
from support import refusal_codes

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")


def test_the_admin_sees_a_failed_refund_and_sends_it_again(app, client, database, world):
    casey = make_customer(database)
    session = world.book(casey, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), START)
    world.conn.execute("select * from app.cancel_session(%s, %s)", [casey, session])
    refund = world.value("select id from app.refunds where session_id = %s", [session])
    make_staff(database, "admin", "root@example.com", name="Rita Root")
    log_in(client, "root@example.com")
    assert "Money moves" in client.get("/admin/").get_data(as_text=True)

    limit = world.value("select app.refund_attempts_limit()")
    for _ in range(limit):  # the sender's attempts, each refused
        world.conn.execute("select app.note_refund_attempt(%s, 'not sent: refused')", [refund])
    customer = app.test_client()
    log_in(customer, "casey@example.com")
    page = customer.get(f"/customer/appointments/{session}").get_data(as_text=True)
    assert "Refund not sent" in page and "our support team will contact you" in page
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert f"Refund #{refund}" in dashboard and 'role="alert"' in dashboard and "Money moves" not in dashboard

    retry = f"/admin/money/refunds/{refund}/retry"
    assert retry in client.get("/admin/money").get_data(as_text=True)
    denied = customer.post(retry, data={"csrf_token": csrf_token(customer, f"/customer/appointments/{session}")})
    assert denied.status_code == 403
    response = client.post(retry, data={"csrf_token": csrf_token(client, "/admin/money")})
    assert response.status_code == 302
    row = world.conn.execute("select status, attempts, retried_by from app.refunds where id = %s", [refund]).fetchone()
    assert row == {"status": "pending", "attempts": 0,
                   "retried_by": world.value("select id from app.users where email = 'root@example.com'")}
    money = client.get("/admin/money").get_data(as_text=True)
    assert f"Refund #{refund} goes back to the card" in money and retry not in money and "sent again by Rita Root" in money
    page = customer.get(f"/customer/appointments/{session}").get_data(as_text=True)
    assert "Refund on its way" in page and "Refund not sent" not in page
    assert "Money moves" in client.get("/admin/").get_data(as_text=True)  # just sent again: not overdue yet

    again = client.post(retry, data={"csrf_token": csrf_token(client, "/admin/money")})
    assert again.status_code == 409 and refusal_codes(again) == {"UC010"}
    world.conn.execute("select app.set_app_clock(app.app_now() + %s)", [timedelta(hours=1, seconds=1)])
    assert f"Refund #{refund}" in client.get("/admin/").get_data(as_text=True)  # pending too long since
