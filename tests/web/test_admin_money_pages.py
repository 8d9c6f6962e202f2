"""The platform admin's money, operations and analytics pages, and the workshop's and mechanic's analytics
(issue 15; SPEC §9, §15, §20): ledgers with filters and CSV, payouts due, the audit on the dashboard, the
reconcile action, operations with a retry, charts for each measure; each viewer sees only their own numbers."""
import csv
import io
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from availability_world import local
from conftest import NOW, csrf_token, log_in, make_staff, make_workshop
from support import refusal_codes, set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
RANGE = "start=2026-11-01&end=2026-11-30"


@pytest.fixture
def books(database, world, client):
    """A paid session cancelled early (a pending refund), a no-show, a staff of three; the admin logged in."""
    workshop = world.workshop(hours={d: ("08:00", "20:00") for d in range(1, 8)})
    world.conn.execute("update app.workshops set name = 'Queen West Auto' where id = %s", [workshop])
    maria = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    omar = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0, workshop=workshop, partnership="employee")
    casey = world.customer()
    world.conn.execute("update app.users set name = '=HYPERLINK(\"http://x\")' where id = %s", [casey])
    early = world.book(casey, maria, START)
    missed = world.book(world.customer(), omar, NOW + timedelta(hours=3))
    world.conn.execute("select * from app.cancel_session(%s, %s)", [casey, early])
    set_clock(world, NOW + timedelta(hours=3, minutes=20))
    world.conn.execute("select app.record_no_show(%s)", [missed])
    make_staff(database, "admin", "root@example.com", name="Rita Root", timezone="America/Toronto")
    log_in(client, "root@example.com")
    return dict(workshop=workshop, maria=maria, omar=omar, early=early, missed=missed)


def page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def svgs(html):
    """The charts of a page, parsed: each must be well-formed and named for screen readers."""
    charts = []
    for chunk in html.split("<svg")[1:]:
        svg = ElementTree.fromstring("<svg" + chunk.split("</svg>")[0] + "</svg>")
        assert svg.get("role") == "img" and svg.get("aria-labelledby")
        charts.append(svg)
    return charts


def test_the_dashboard_shows_the_money_audit(client, database, books):
    html = page(client, "/admin/")
    assert "Every session's money adds up" in html and "/admin/money" in html
    with database.owner() as conn:  # a payout nobody earned: the audit must say so
        conn.execute("insert into app.payouts (session_id, payee, amount_cents, reason, created_at) "
                     "select %s, 'platform', 100, 'completed', now() where false", [books["missed"]])
        conn.execute("update app.payouts set amount_cents = amount_cents + 1 where payee = 'platform'")
    html = page(client, "/admin/")
    assert "whose money does not add up" in html and 'role="alert"' in html


def test_ledgers_filter_and_export_without_formulas(client, books):
    html = page(client, f"/admin/money?ledger=refunds&{RANGE}")
    assert "1 refunds row" in html and "$24.00 CAD" in html and "customer cancelled" in html
    assert "Needs attention" in html and "Refund #" in html
    html = page(client, f"/admin/money?ledger=payments&{RANGE}&mechanic={books['maria']}")
    assert "1 payments row" in html
    html = page(client, f"/admin/money?ledger=payouts&{RANGE}&status=due&workshop={books['workshop']}")
    assert "1 payouts row" in html and "$14.50 CAD" in html
    response = client.get(f"/admin/money.csv?ledger=payments&{RANGE}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:5] == ["id", "time (America/Toronto)", "kind", "status", "amount (CAD)"]
    assert sorted(row[4] for row in table[1:]) == ["29.00", "29.00"]
    assert any(row[5] == "'=HYPERLINK(\"http://x\")" for row in table[1:])  # never run as a formula


@pytest.mark.parametrize("query", ["ledger=bank", "start=2026-13-01", "mechanic=abc", "mechanic=999999",
                                   "status=nonsense", "ledger=refunds&status=due"])
def test_a_malformed_filter_is_shown_and_left_out(client, books, query):
    response = client.get(f"/admin/money?{query}")
    assert response.status_code == 200  # the rest of the filters still apply: never a 500


def test_a_reversed_range_says_so(client, books):
    response = client.get("/admin/money?start=2026-11-30&end=2026-11-01")
    assert response.status_code == 400
    assert "UV004" in refusal_codes(response)


def test_payouts_due_and_their_export(client, books):
    html = page(client, f"/admin/money/payouts-due?{RANGE}")
    assert "Queen West Auto" in html and "$14.50 CAD owed" in html
    table = list(csv.reader(io.StringIO(client.get(f"/admin/money/payouts-due.csv?{RANGE}").get_data(as_text=True))))
    assert [row[0] for row in table[1:]] == ["workshop", "platform"] and table[1][5] == "14.50"


def test_reconcile_now_tries_the_pending_refund(client, database, books):
    """The refund's charge was made by another gateway instance (the world's), which this app's offline gateway
    does not know: the refund is tried, refused and stays listed (issue 22 gives such refunds their attempts
    and a final state)."""
    assert client.post("/admin/money/reconcile").status_code == 400  # no CSRF token: nothing ran
    assert database.scalar("select attempts from app.refunds where session_id = %s", [books["early"]]) == 0
    response = client.post("/admin/money/reconcile", data={"csrf_token": csrf_token(client, "/admin/money")},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "reconcile payments: 0; send refunds: 0" in html
    assert database.scalar("select status from app.refunds where session_id = %s", [books["early"]]) == "pending"
    assert "Refund #" in html  # still listed: it needs a person


def test_operations_and_sending_a_notification_again(client, database, books):
    html = page(client, f"/admin/operations?{RANGE}")
    assert "early" in html and "no show" in html and "Every notification went out" in html
    with database.owner() as conn:
        outbox = conn.execute("update app.outbox set status = 'failed', attempts = 8, last_error = 'mailbox <full>' "
                              "where id = (select min(id) from app.outbox) returning id").fetchone()["id"]
    html = page(client, "/admin/operations")
    assert "Failed after 8 attempts" in html and "mailbox &lt;full&gt;" in html
    response = client.post(f"/admin/operations/outbox/{outbox}/retry", data={"csrf_token": csrf_token(client, "/admin/operations")})
    assert response.status_code == 302
    assert database.scalar("select status from app.outbox where id = %s", [outbox]) == "pending"
    again = client.post(f"/admin/operations/outbox/{outbox}/retry", data={"csrf_token": csrf_token(client, "/admin/operations")})
    assert again.status_code == 404


def test_operations_show_the_outbox_backlog_and_how_long_the_oldest_has_waited(client, database, books):
    due = database.scalar("select count(*) from app.outbox where status = 'pending'")
    assert due > 0  # nothing delivered them: queued at NOW, the clock 3 h 20 min later
    assert (f"<strong>{due} waiting to go out</strong>, the oldest for 3 h 20 min;\n      {due} pending in all"
            in page(client, "/admin/operations"))
    with database.owner() as conn:
        conn.execute("update app.outbox set status = 'sent' where status = 'pending'")
    assert "Nothing is waiting to go out;\n      0 pending in all" in page(client, "/admin/operations")


def test_platform_analytics_draw_every_measure(client, books):
    html = page(client, f"/admin/analytics?{RANGE}")
    for heading in ("Utilization", "Revenue and payouts", "No-show rate", "Peak booking hours", "Booking lead time",
                    "Book Now: time to a mechanic", "Waitlist conversion"):
        assert heading in html, heading
    assert len(svgs(html)) >= 6
    assert "<table" in html  # every chart has its data beside it


def test_a_workshop_admin_sees_their_workshop_only(app, database, books):
    other = make_workshop(database, name="Elsewhere Garage")
    make_staff(database, "workshop_admin", "priya@example.com", workshop_id=books["workshop"])
    admin = app.test_client()
    log_in(admin, "priya@example.com")
    html = page(admin, f"/workshop/{books['workshop']}/analytics?{RANGE}")
    assert "Queen West Auto: analytics" in html and len(svgs(html)) >= 5
    assert admin.get(f"/workshop/{other}/analytics").status_code == 404
    maria = database.scalar("select name from app.users where id = %s", [books["maria"]])
    asked = page(admin, f"/workshop/{books['workshop']}/analytics?{RANGE}&mechanic={books['maria']}")
    assert "$14.50 CAD" in asked and f">{maria}<" not in asked  # another workshop's mechanic: left out
    assert admin.get("/admin/analytics").status_code == 403


def test_a_mechanic_sees_their_own_numbers(app, database, books):
    with database.owner() as conn:
        email = conn.execute("select email from app.users where id = %s", [books["omar"]]).fetchone()["email"]
        conn.execute("update app.users set password_hash = (select password_hash from app.users where email = 'root@example.com') "
                     "where id = %s", [books["omar"]])
    mechanic = app.test_client()
    log_in(mechanic, email)
    html = page(mechanic, f"/mechanic/analytics?{RANGE}")
    assert "My numbers" in html and "Earnings" in html and "Rating" in html and "$14.50 CAD" in html
    assert "Waitlist conversion" not in html
    asked = page(mechanic, f"/mechanic/analytics?{RANGE}&mechanic={books['maria']}")
    assert "$14.50 CAD" in asked  # still their own numbers, whatever the query asks


@pytest.mark.parametrize("path", ["/admin/money", "/admin/money.csv", "/admin/money/payouts-due", "/admin/operations",
                                  "/admin/analytics"])
def test_only_the_platform_admin(app, database, books, path):
    make_staff(database, "mechanic", "mo@example.com")
    other = app.test_client()
    log_in(other, "mo@example.com")
    assert other.get(path).status_code == 403
