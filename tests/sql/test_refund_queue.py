"""Refunds as a fair queue and the second money audit (issue 22): a refund the gateway keeps refusing backs off (a
minute doubling to six hours) and fails after refund_attempts_limit() attempts, never holding back the refunds
behind it; money_overdue() reports refunds not sent in time, failed refunds nobody sent again, and payments
without an answer; the platform admin sends a failed refund again (admin_retry_refund)."""
import time
from datetime import timedelta

from psycopg.types.json import Jsonb

import jobs
import payments
from availability_world import local
from conftest import NOW, log_in, make_staff
from support import refused, set_clock, sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")  # Friday; NOW is Monday 09:00 in Toronto
STUCK = 100


def never_seen(world, count):
    """count paid payments, each with a pending full refund, whose intents no gateway ever made (rows written by the
    owner): the test gateway refuses every one of their refunds. Returns the refunds' ids."""
    customer = world.customer()
    return [r["id"] for r in world.conn.execute(
        "with paid as (insert into app.payments (customer_id, kind, session_kind, plan_code, amount_cents, "
        "payment_method, idempotency_key, intent_id, status, policy_version, created_at, succeeded_at) "
        "select %s, 'full', 'immediate', 'standard', 2900, 'pm_card_visa', 'never-' || n, 'pi_never_seen_' || n, "
        "'succeeded', 1, app.app_now(), app.app_now() from generate_series(1, %s) n returning id) "
        "insert into app.refunds (payment_id, amount_cents, reason, idempotency_key, created_at) "
        "select id, 2900, 'booking_failed', 'refund-' || id || '-1', app.app_now() from paid order by id returning id",
        [customer, count])]


def booked_and_cancelled(world, app, mechanic, start):
    """A session paid through the app's own gateway and cancelled by its customer in SQL, as the job finds it: a
    pending refund, not yet sent, that the gateway takes. Returns the refund's id."""
    customer = world.customer()
    with app.app_context():
        session = world.pay(customer, mechanic, start, gateway=payments.gateway())["session_id"]
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    return world.value("select id from app.refunds where session_id = %s", [session])


def refund(world, refund_id):
    return world.conn.execute("select * from app.refunds where id = %s", [refund_id]).fetchone()


def overdue(world, *args):
    return [(o["what"], o["id"], o["status"]) for o in world.conn.execute(
        "select * from app.money_overdue(null" + ", %s" * len(args) + ")", args)]


def test_refunds_that_always_fail_never_block_a_new_one_and_fail_after_their_attempts(database, world, app, client):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    stuck = never_seen(world, STUCK)
    limit = world.value("select app.refund_attempts_limit()")

    started = time.monotonic()
    assert jobs.run_job(app, "send_refunds") == 0  # the gateway refuses each: tried once, backing off a minute
    first_run = time.monotonic() - started
    assert world.value("select count(*) from app.refunds where id = any(%s) and attempts = 1 and status = 'pending' "
                       "and next_attempt_at = %s", [stuck, NOW + timedelta(minutes=1)]) == STUCK

    set_clock(world, NOW + timedelta(seconds=30))
    new = booked_and_cancelled(world, app, mechanic, START)
    clock = NOW + timedelta(minutes=1)  # the job's next run: the 100 are due again, and so is the new one
    set_clock(world, clock)
    assert jobs.run_job(app, "send_refunds") == 1
    assert refund(world, new)["status"] == "succeeded"
    assert world.value("select count(*) from app.refunds where id = any(%s) and attempts = 1", [stuck]) == 1  # 99 tried

    runs = 0
    while world.value("select count(*) from app.refunds where id = any(%s) and status = 'pending'", [stuck]) and runs < 2 * limit:
        clock = world.value("select max(next_attempt_at) from app.refunds where id = any(%s) and status = 'pending'", [stuck])
        set_clock(world, clock)
        assert jobs.run_job(app, "send_refunds") == 0
        runs += 1
        waits = {r["attempts"]: r["wait"] for r in world.conn.execute(
            "select attempts, next_attempt_at - %s as wait from app.refunds where id = any(%s) and status = 'pending'",
            [clock, stuck])}
        assert all(wait == min(timedelta(minutes=2 ** (attempts - 1)), timedelta(hours=6))
                   for attempts, wait in waits.items()), waits
    failed = world.conn.execute("select attempts, failure_message, completed_at from app.refunds where id = any(%s)",
                                [stuck]).fetchall()
    assert {(f["attempts"], f["completed_at"] is not None) for f in failed} == {(limit, True)}
    assert all(f["failure_message"].startswith(f"not sent after {limit} attempts: not sent: refund of 2900")
               for f in failed)
    assert clock - NOW < timedelta(hours=6)
    print(f"\n{STUCK} refused refunds: failed after {limit} attempts each, {clock - NOW} after the first; "
          f"one job run over them took {first_run:.2f} s")

    assert jobs.run_job(app, "send_refunds") == 0  # nothing left to try
    assert sorted(o[1] for o in overdue(world) if o[2] == "failed") == sorted(stuck)
    assert new not in [o[1] for o in overdue(world)]
    # and money_audit: a failed refund is money not given back
    assert world.value("select array_agg(r.id order by r.id) from app.money_audit() a "
                       "join app.refunds r on r.payment_id = a.payment_id") == sorted(stuck)

    admin = make_staff(database, "admin", "root@example.com", name="Rita Root")
    shown = world.conn.execute("select id, status, attempts from app.admin_money_attention(%s) where what = 'refund'",
                               [admin]).fetchall()
    assert sorted(s["id"] for s in shown) == sorted(stuck) and {(s["status"], s["attempts"]) for s in shown} == {("failed", limit)}
    log_in(client, "root@example.com")
    dashboard, money = (client.get(path).get_data(as_text=True) for path in ("/admin/", "/admin/money"))
    assert f"{STUCK} refunds or payments" in dashboard and f"Refund #{stuck[0]}" in dashboard
    assert all(f"/admin/money/refunds/{r}/retry" in money for r in stuck)
    assert f"/admin/money/refunds/{new}/retry" not in money


def test_a_refund_pending_past_the_threshold_is_reported_and_once_sent_it_is_not(world, app):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    late = booked_and_cancelled(world, app, mechanic, START)
    unanswered = world.checkout(world.customer(), mechanic, START + timedelta(hours=2))["id"]
    assert overdue(world) == []
    set_clock(world, NOW + timedelta(hours=1))
    assert overdue(world) == []  # an hour exactly: not yet
    set_clock(world, NOW + timedelta(hours=1, seconds=1))
    assert overdue(world) == [("payment", unanswered, "pending"), ("refund", late, "pending")]
    assert overdue(world, timedelta(hours=2), timedelta(hours=2)) == []  # the thresholds are the caller's

    assert jobs.run_job(app, "send_refunds") == 1
    world.conn.execute("select app.fail_payment(%s, 'card_declined', 'Declined.')", [unanswered])
    assert overdue(world) == []
    assert world.value("select count(*) from app.money_audit()") == 0


def test_money_overdue_and_the_retry_are_for_the_platform_admin(database, world):
    customer, mechanic = world.customer(), world.mechanic()
    admin = make_staff(database, "admin", "root@example.com")
    [failed] = never_seen(world, 1)
    world.conn.execute("update app.refunds set status = 'failed' where id = %s", [failed])
    for someone in (customer, mechanic):
        with database.acting(someone) as conn:
            assert sqlstate(conn.execute, "select * from app.money_overdue(%s)", [someone]) == "UP001"
            assert sqlstate(conn.execute, "select app.admin_retry_refund(%s, %s)", [someone, failed]) == "UP001"
    assert refund(world, failed)["status"] == "failed"
    with database.acting(admin) as conn:
        assert [o["id"] for o in conn.execute("select * from app.money_overdue(%s)", [admin])] == [failed]


def test_a_failed_refund_sent_again_keeps_its_key_unless_the_gateway_refused_it(database, world):
    admin = make_staff(database, "admin", "root@example.com", name="Rita Root")
    never, declined = never_seen(world, 2)
    world.conn.execute("update app.refunds set status = 'failed', attempts = 8, failure_message = 'not sent', "
                       "completed_at = app.app_now() where id = %s", [never])
    world.conn.execute("select app.record_refund(%s, %s)", [declined, Jsonb(
        {"id": "re_declined", "status": "failed", "failure_reason": "expired_or_canceled_card"})])
    keys = {r: refund(world, r)["idempotency_key"] for r in (never, declined)}
    set_clock(world, NOW + timedelta(hours=5))
    for r in (never, declined):
        world.conn.execute("select app.admin_retry_refund(%s, %s)", [admin, r])
        row = refund(world, r)
        assert (row["status"], row["attempts"], row["next_attempt_at"], row["completed_at"], row["failure_message"],
                row["gateway_refund_id"], row["retried_at"], row["retried_by"]) == (
            "pending", 0, NOW + timedelta(hours=5), None, None, None, NOW + timedelta(hours=5), admin)
    assert refund(world, never)["idempotency_key"] == keys[never]  # a success whose reply was lost is not made twice
    assert refund(world, declined)["idempotency_key"] != keys[declined]  # the old key would answer "failed" again
    assert [r["refund_id"] for r in world.conn.execute("select * from app.pending_refunds()")] == [never, declined]
    assert overdue(world) == []  # sent again just now
    detail = world.value("select detail from app.admin_money_attention(%s) where id = %s", [admin, never])
    assert "sent again by Rita Root" in detail
    refused(world, "UC010", "select app.admin_retry_refund(%s, %s)", admin, never)  # pending: already on its way
    refused(world, "UN003", "select app.admin_retry_refund(%s, %s)", admin, 10 ** 9)


def test_a_refund_the_gateway_holds_backs_off_but_is_not_failed_and_a_late_success_counts(world):
    held, lost = never_seen(world, 2)
    limit = world.value("select app.refund_attempts_limit()")
    world.conn.execute("select app.record_refund(%s, %s)", [held, Jsonb({"id": "re_held", "status": "pending"})])
    for _ in range(limit + 2):
        world.conn.execute("select app.note_refund_attempt(%s, 'the gateway says pending')", [held])
        world.conn.execute("select app.note_refund_attempt(%s, 'not sent: timed out')", [lost])
    assert (refund(world, held)["status"], refund(world, held)["attempts"]) == ("pending", limit + 2)
    assert refund(world, held)["next_attempt_at"] - NOW == timedelta(hours=6)  # the longest back-off
    assert (refund(world, lost)["status"], refund(world, lost)["attempts"]) == ("failed", limit)  # no more after
    # its reply had been lost: the gateway's success, arriving after all (a webhook), is the truth
    world.conn.execute("select app.record_refund(%s, %s)", [lost, Jsonb({"id": "re_lost", "status": "succeeded"})])
    assert (refund(world, lost)["status"], refund(world, lost)["failure_message"]) == ("succeeded", None)
