"""The platform admin's money oversight and operations in SQL (issue 15; SPEC §9, §20): the four ledgers with
their filters, payouts due per payee, money that needs attention, cancellations by policy tier, notifications
that did not go out (and sending one again), the outbox's backlog, and sessions being re-matched. Admins only."""
from datetime import date, timedelta

import pytest

from availability_world import local
from conftest import NOW, make_staff
from support import set_clock, sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")  # Friday; NOW is Monday 09:00 in Toronto
TODAY = date(2026, 11, 23)
ZONE = "America/Toronto"


def rows(world, query, params=()):
    return world.conn.execute(query, params).fetchall()


@pytest.fixture
def books(database, world):
    """Two customers' paid sessions with two mechanics: one cancelled early (refund less the $5 fee, which
    the platform keeps; the refund pending), one a no-show (half as credit, half to the mechanic); an admin."""
    maria = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    omar = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    casey, dana = world.customer(), world.customer()
    early = world.book(casey, maria, START)
    missed = world.book(dana, omar, NOW + timedelta(hours=3))
    world.conn.execute("select * from app.cancel_session(%s, %s)", [casey, early])
    set_clock(world, NOW + timedelta(hours=3, minutes=20))
    assert world.value("select app.record_no_show(%s)", [missed]) is True
    admin = make_staff(database, "admin", "root@example.com", name="Rita Root")
    return dict(maria=maria, omar=omar, casey=casey, dana=dana, early=early, missed=missed, admin=admin)


def ledger(world, admin, name, **filters):
    args = {"mechanic": None, "workshop": None, "status": None, **filters}
    return rows(world, "select * from app.admin_ledger(%s, %s, %s, %s, %s, %s, %s, %s)",
                [admin, name, TODAY, TODAY, ZONE, args["mechanic"], args["workshop"], args["status"]])


def test_the_four_ledgers_with_their_filters(world, books):
    admin = books["admin"]
    payments = ledger(world, admin, "payments")
    assert sorted((p["session_id"], p["amount_cents"], p["status"]) for p in payments) == [
        (books["early"], 2900, "succeeded"), (books["missed"], 2900, "succeeded")]
    assert [p["session_id"] for p in ledger(world, admin, "payments", mechanic=books["maria"])] == [books["early"]]
    assert ledger(world, admin, "payments", status="pending") == []
    refunds = ledger(world, admin, "refunds")
    assert [(r["session_id"], r["amount_cents"], r["kind"], r["status"]) for r in refunds] == [
        (books["early"], 2400, "customer_cancelled", "pending")]
    assert [(c["session_id"], c["amount_cents"], c["kind"]) for c in ledger(world, admin, "credit")] == [
        (books["missed"], 1450, "no_show")]
    payouts = ledger(world, admin, "payouts", status="due")
    assert sorted((p["kind"], p["amount_cents"]) for p in payouts) == [("mechanic", 1450), ("platform", 500)]
    assert ledger(world, admin, "payouts", status="paid out") == []
    yesterday = rows(world, "select * from app.admin_ledger(%s, 'payments', %s, %s, %s)",
                     [admin, TODAY - timedelta(days=1), TODAY - timedelta(days=1), ZONE])
    assert yesterday == []


def test_payouts_due_per_payee_and_the_platform_last(world, books):
    due = rows(world, "select * from app.admin_payouts_due(%s, %s, %s, %s)", [books["admin"], TODAY, TODAY, ZONE])
    assert [(d["payee"], d["payee_id"], d["sessions"], d["amount_cents"]) for d in due] == [
        ("mechanic", books["omar"], 1, 1450), ("platform", None, 1, 500)]
    world.conn.execute("update app.payouts set paid_out_at = now() where payee = 'mechanic'")
    due = rows(world, "select * from app.admin_payouts_due(%s, %s, %s, %s)", [books["admin"], TODAY, TODAY, ZONE])
    assert [d["payee"] for d in due] == ["platform"]


def test_money_that_needs_attention(world, books):
    attention = rows(world, "select * from app.admin_money_attention(%s)", [books["admin"]])
    assert [(a["what"], a["session_id"], a["amount_cents"]) for a in attention] == [("refund", books["early"], 2400)]
    customer = world.customer()
    world.conn.execute(
        "insert into app.payments (customer_id, kind, session_kind, plan_code, amount_cents, payment_method, "
        "idempotency_key, policy_version, created_at) values (%s, 'full', 'immediate', 'standard', 2900, "
        "'pm_card_visa', 'stuck-1', 1, %s)", [customer, NOW])
    stuck = [a for a in rows(world, "select * from app.admin_money_attention(%s)", [books["admin"]]) if a["what"] == "payment"]
    assert [(a["status"], a["amount_cents"]) for a in stuck] == [("pending", 2900)]  # 3 h 20 min without an answer
    assert rows(world, "select * from app.admin_money_attention(%s, interval '4 hours')", [books["admin"]])[0]["what"] == "refund"


def test_cancellations_by_the_tier_that_settled_them(world, books):
    tiers = rows(world, "select * from app.admin_cancellations(%s, %s, %s, %s)", [books["admin"], TODAY, TODAY, ZONE])
    assert sorted((t["tier"], t["sessions"], t["refund_cents"], t["credit_cents"], t["payee_cents"]) for t in tiers) == [
        ("early", 1, 2400, 0, 0), ("no_show", 1, 0, 1450, 1450)]
    assert world.value("select count(*) from app.policy_outcomes") == 2
    assert world.value("select count(*) from app.money_audit()") == 0


def test_a_failed_notification_is_listed_and_sent_again(world, books):
    admin = books["admin"]
    world.conn.execute("update app.outbox set status = 'failed', attempts = 8, last_error = 'mailbox full' "
                       "where id = (select min(id) from app.outbox)")
    trouble = rows(world, "select * from app.admin_outbox_trouble(%s)", [admin])
    assert [(t["status"], t["attempts"], t["last_error"]) for t in trouble] == [("failed", 8, "mailbox full")]
    world.conn.execute("select app.retry_outbox_delivery(%s, %s)", [admin, trouble[0]["id"]])
    assert world.value("select status || ' ' || attempts from app.outbox where id = %s", [trouble[0]["id"]]) == "pending 0"
    assert rows(world, "select * from app.admin_outbox_trouble(%s)", [admin]) == []
    assert sqlstate(world.conn.execute, "select app.retry_outbox_delivery(%s, %s)", [admin, trouble[0]["id"]]) == "UN001"


def test_the_outbox_backlog_counts_what_is_due_and_how_long_the_oldest_has_waited(world, books):
    admin = books["admin"]
    pending = world.value("select count(*) from app.outbox where status = 'pending'")
    queued = world.value("select min(next_attempt_at) from app.outbox where status = 'pending'")
    assert rows(world, "select * from app.admin_outbox_backlog(%s)", [admin]) == [{
        "pending": pending, "due": pending, "oldest_due_at": queued,
        "oldest_due_age": timedelta(hours=3, minutes=20) + NOW - queued}]
    # two claimed: under their lease they are pending but not due; one of them failed and waits for its back-off
    claimed = rows(world, "select id from app.claim_outbox(2)")
    assert world.value("select app.record_delivery(%s, p_error => 'refused')", [claimed[0]["id"]]) == "pending"
    [backlog] = rows(world, "select * from app.admin_outbox_backlog(%s)", [admin])
    assert (backlog["pending"], backlog["due"]) == (pending, pending - 2)
    world.conn.execute("update app.outbox set status = 'sent' where status = 'pending' and next_attempt_at <= app.app_now()")
    assert rows(world, "select * from app.admin_outbox_backlog(%s)", [admin]) == [
        {"pending": 2, "due": 0, "oldest_due_at": None, "oldest_due_age": None}]


def test_sessions_being_rematched(world, books):
    maria = books["maria"]
    session = world.book(world.customer(), maria, START + timedelta(days=1))
    world.conn.execute("select * from app.cancel_session(%s, %s, 'A family matter')", [maria, session])
    listed = rows(world, "select * from app.admin_rematches(%s)", [books["admin"]])
    assert [(r["session_id"], r["reason"], r["outcome"]) for r in listed] == [(session, "A family matter", None)]


@pytest.mark.parametrize("query, params, code", [
    ("select * from app.admin_ledger(%s, 'bank', %s, %s, %s)", [TODAY, TODAY, ZONE], "UV075"),
    ("select * from app.admin_ledger(%s, 'payments', %s, %s, %s)", [TODAY, TODAY - timedelta(days=1), ZONE], "UV004"),
    ("select * from app.admin_ledger(%s, 'payments', %s, %s, %s)", [TODAY, TODAY, "Mars/Olympus"], "UV006"),
    ("select * from app.admin_payouts_due(%s, %s, %s, %s)", [TODAY - timedelta(days=400), TODAY, ZONE], "UV090"),
])
def test_bad_requests_are_refused(world, books, query, params, code):
    assert sqlstate(world.conn.execute, query, [books["admin"], *params]) == code


@pytest.mark.parametrize("query, params", [
    ("select * from app.admin_ledger(%s, 'payments', %s, %s, %s)", [TODAY, TODAY, ZONE]),
    ("select * from app.admin_payouts_due(%s, %s, %s, %s)", [TODAY, TODAY, ZONE]),
    ("select * from app.admin_money_attention(%s)", []),
    ("select * from app.admin_cancellations(%s, %s, %s, %s)", [TODAY, TODAY, ZONE]),
    ("select * from app.admin_outbox_trouble(%s)", []),
    ("select * from app.admin_outbox_backlog(%s)", []),
    ("select app.retry_outbox_delivery(%s, 1)", []),
    ("select * from app.admin_rematches(%s)", []),
])
def test_only_the_platform_admin(world, books, query, params):
    for someone in (books["casey"], books["maria"]):
        assert sqlstate(world.conn.execute, query, [someone, *params]) == "UP001"
