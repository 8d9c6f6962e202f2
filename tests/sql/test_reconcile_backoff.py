"""Reconciliation as a fair queue (issue 16): a card payment whose answer never comes is asked about with a
growing back-off, never ahead of the payments that are due, and after twelve attempts (about a day) it fails as
'unreconciled', its hold left to lapse; the platform admin sees it."""
from datetime import timedelta

from conftest import NOW, make_staff

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


def due(world):
    return [p["id"] for p in world.conn.execute("select id from app.payments_to_reconcile('2 minutes')")]


def test_an_unanswered_payment_backs_off_lets_the_others_pass_and_fails_after_a_day(database, world):
    admin = make_staff(database, "admin", "root@example.com")
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    customer = world.customer()
    stuck = world.checkout(customer, mechanic, NOW + timedelta(days=2))["id"]
    assert due(world) == []  # its answer may still be on its way
    database.set_clock(NOW + timedelta(minutes=2))
    assert due(world) == [stuck]

    asked, clock = 0, NOW + timedelta(minutes=2)
    while world.value("select status from app.payments where id = %s", [stuck]) == "pending":
        world.conn.execute("select app.note_reconcile_attempt(%s, 'the gateway timed out')", [stuck])
        asked += 1
        wait = world.value("select next_reconcile_at from app.payments where id = %s", [stuck]) - clock
        if asked == 3:  # backing off, it gives way to a newer payment that is due
            newer = world.checkout(world.customer(), mechanic, NOW + timedelta(days=3))["id"]
            database.set_clock(clock + timedelta(minutes=2))
            assert due(world) == [newer]
            world.conn.execute("select app.fail_payment(%s, 'card_declined', 'Declined.')", [newer])
            database.set_clock(clock)
        if world.value("select status from app.payments where id = %s", [stuck]) == "pending":
            assert wait == min(timedelta(minutes=2 ** (asked - 1)), timedelta(hours=6)), asked
            database.set_clock(clock + wait - timedelta(seconds=1))
            assert stuck not in due(world)
            clock += wait
            database.set_clock(clock)
            assert due(world) == [stuck]
    assert asked == 12 and clock - NOW < timedelta(days=2)
    row = world.conn.execute("select status, failure_code, reconcile_attempts, last_reconcile_error "
                             "from app.payments where id = %s", [stuck]).fetchone()
    assert row == {"status": "failed", "failure_code": "unreconciled", "reconcile_attempts": 12,
                   "last_reconcile_error": "the gateway timed out"}
    # a failed payment leaves its hold to its own expiry (issue 17), long past: the expiry job gives the time back
    world.value("select app.release_expired_reservations()")
    assert world.value("select r.status from app.slot_reservations r join app.payments p on p.reservation_id = r.id "
                       "where p.id = %s", [stuck]) == "expired"
    assert due(world) == []
    shown = world.conn.execute("select what, id, attempts from app.admin_money_attention(%s)", [admin]).fetchall()
    assert {"what": "payment", "id": stuck, "attempts": 12} in shown
    # a success the gateway reports after all is given back in full, as any payment too late for its booking
    payment = world.conn.execute("select * from app.payments where id = %s", [stuck]).fetchone()
    world.charge(payment)
    assert world.value("select count(*) from app.money_audit()") == 0
    assert world.value("select sum(amount_cents) from app.refunds where payment_id = %s", [stuck]) == 2900


def test_a_decided_payment_is_not_touched(database, world):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    customer = world.customer()
    session = world.book(customer, mechanic, NOW + timedelta(days=2))
    paid = world.value("select id from app.payments where session_id = %s", [session])
    world.conn.execute("select app.note_reconcile_attempt(%s, 'late')", [paid])
    assert world.conn.execute("select status, reconcile_attempts from app.payments where id = %s", [paid]).fetchone() == {
        "status": "succeeded", "reconcile_attempts": 0}
