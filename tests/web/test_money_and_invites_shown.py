"""What the customer's pages and API say about money and invites is true (issue 17): a refund the gateway has
not taken is "on its way", not "refunded"; a refused one says so; a request's invite is tentative; a
downloaded cancellation names its organizer and attendee (RFC 5546)."""
from datetime import timedelta

import pytest

from availability_world import World, local
from conftest import NOW, log_in, make_customer
from modules.test_notifications import ALL_DAY, PARSERS

START = local("America/Toronto", "2026-11-27 10:00")


@pytest.fixture
def casey(database, client):
    database.set_clock(NOW)
    customer = make_customer(database)
    log_in(client, "casey@example.com")
    return customer


def book(database, customer, instant=True):
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0, instant_booking=instant)
        return world.book(customer, mechanic, START)


def test_a_refund_not_yet_taken_by_the_gateway_is_on_its_way_and_a_refused_one_says_so(client, database, casey):
    session = book(database, casey)
    database.set_clock(START - timedelta(hours=5))  # the mid tier: a part back to the card
    with database.owner() as conn:
        conn.execute("select * from app.cancel_session(%s, %s)", [casey, session])
    refund = database.scalar("select amount_cents from app.refunds where session_id = %s", [session])

    page = client.get(f"/customer/appointments/{session}").get_data(as_text=True)
    assert "Refund on its way" in page and f"${refund / 100:,.2f} CAD" in page
    assert "Refunded to your card" not in page
    [row] = client.get("/api/appointments").get_json()["appointments"]
    assert (row["refunded_cents"], row["refund_pending_cents"], row["refund_failed_cents"]) == (0, refund, 0)

    with database.owner() as conn:
        conn.execute("update app.refunds set status = 'failed' where session_id = %s", [session])
    page = client.get(f"/customer/appointments/{session}").get_data(as_text=True)
    assert "Refund not sent" in page and "Refund on its way" not in page and "Refunded" not in page
    assert client.get("/customer/appointments").get_data(as_text=True).count("refund not sent") == 1

    with database.owner() as conn:
        conn.execute("update app.refunds set status = 'succeeded' where session_id = %s", [session])
    page = client.get(f"/customer/appointments/{session}").get_data(as_text=True)
    assert "Refunded to your card" in page and "Refund on its way" not in page
    assert client.get("/api/appointments").get_json()["appointments"][0]["refunded_cents"] == refund


def test_a_downloaded_invite_is_tentative_until_accepted_and_a_cancellation_names_both_sides(client, database, casey):
    session = book(database, casey, instant=False)  # a request: the mechanic has not accepted yet
    for read in PARSERS:
        assert read(client.get(f"/customer/appointments/{session}/calendar.ics").data)["status"].upper() == "TENTATIVE"

    with database.owner() as conn:
        conn.execute("select * from app.cancel_session(%s, %s)", [casey, session])
    data = client.get(f"/api/appointments/{session}/calendar.ics").data
    for read in PARSERS:
        parsed = read(data)
        assert (parsed["method"], parsed["status"].upper()) == ("CANCEL", "CANCELLED")
        assert parsed["organizer"] == "mailto:no-reply@autodoctor.app"
        assert parsed["attendees"] == ["mailto:casey@example.com"]
