"""The timed jobs in SQL (SPEC §10, §13): each effect exactly once, late or early, with one runner or two;
the clock (app_now) moves through the day instead of the tests sleeping."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import psycopg
import pytest

from availability_world import local
from conftest import NOW
from support import set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")
JOBS = ("release_expired_reservations", "expire_unanswered_sessions", "open_join_windows", "queue_due_reminders",
        "handle_no_shows", "expire_waitlist_entries", "rematch_sessions")

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


def run_jobs(conn):
    return {job: conn.execute(f"select app.{job}()").fetchone()[job] for job in JOBS}


def outbox(world, template_like):
    return world.value("select count(*) from app.outbox where template like %s", [template_like])


@pytest.mark.slow  # every job run every five minutes of a day
def test_a_day_of_jobs_sends_each_reminder_once_and_marks_the_no_show(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    moment = NOW
    while moment <= START + timedelta(hours=1):
        set_clock(world, moment)
        run_jobs(world.conn)
        moment += timedelta(minutes=5)
    sent = world.conn.execute("select template, count(*) as n from app.outbox where session_id = %s "
                              "and template like 'reminder_%%' group by 1 order by 1", [session]).fetchall()
    assert {r["template"]: r["n"] for r in sent} == {"reminder_24h": 1, "reminder_1h": 1, "reminder_15min": 1}
    assert world.value("select status from app.sessions where id = %s", [session]) == "no_show"
    assert world.value("select min(at) from app.session_events where session_id = %s and to_status = 'no_show'",
                       [session]) == START + timedelta(minutes=15)
    assert world.value("select amount_cents from app.credit_entries where session_id = %s and reason = 'no_show'", [session]) == 1450
    assert world.value("select amount_cents from app.payouts where session_id = %s and payee = 'mechanic'", [session]) == 1450


def test_reminders_honour_the_choice_and_skip_those_the_booking_came_after(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    chosen = world.book(customer, mechanic, START, reminders=["1h"])
    set_clock(world, START - timedelta(hours=3))
    late = world.book(world.customer(), mechanic, start=START + timedelta(hours=2))  # booked 5 h before its start
    for moment in (START - timedelta(hours=1), START + timedelta(hours=1), START + timedelta(hours=2) - timedelta(minutes=15)):
        set_clock(world, moment)
        world.conn.execute("select app.queue_due_reminders()")
        world.conn.execute("select app.queue_due_reminders()")
    assert [r["template"] for r in world.conn.execute(
        "select template from app.outbox where session_id = %s and template like 'reminder_%%'", [chosen])] == ["reminder_1h"]
    assert [r["template"] for r in world.conn.execute(
        "select template from app.outbox where session_id = %s and template like 'reminder_%%' order by id", [late])] == [
        "reminder_1h", "reminder_15min"]


def test_a_moved_session_is_reminded_again_for_its_new_time(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    set_clock(world, START - timedelta(hours=23))
    assert world.value("select app.queue_due_reminders()") == 1
    world.conn.execute("select * from app.reschedule_session(%s, %s, %s)", [customer, session, START + timedelta(days=2)])
    set_clock(world, START + timedelta(days=1, hours=1))
    assert world.value("select app.queue_due_reminders()") == 1
    assert world.value("select count(*) from app.outbox where template = 'reminder_24h' and session_id = %s", [session]) == 2


def test_a_waiver_signed_five_minutes_after_the_start_prevents_the_no_show(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    set_clock(world, START + timedelta(minutes=5))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_typed_name => 'Casey')", [customer, session])
    assert world.value("select app.open_join_windows()") == 1
    set_clock(world, START + timedelta(minutes=20))
    assert world.value("select app.handle_no_shows()") == 0
    assert world.value("select status from app.sessions where id = %s", [session]) == "pending"


def test_no_show_waits_fifteen_minutes(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    set_clock(world, START + timedelta(minutes=15) - timedelta(seconds=1))
    assert world.value("select app.handle_no_shows()") == 0
    set_clock(world, START + timedelta(minutes=15))
    assert world.value("select app.handle_no_shows()") == 1
    assert world.value("select app.handle_no_shows()") == 0
    assert world.value("select status from app.sessions where id = %s", [session]) == "no_show"


def test_an_expired_hold_frees_its_slot(world):
    customer, other, mechanic = world.customer(), world.customer(), world.mechanic(blocks=ALL_DAY)
    world.conn.execute("select * from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, START])
    assert world.value("select available from app.slot_availability(%s, %s, %s)",
                       [mechanic, START, START + timedelta(minutes=30)]) is False
    set_clock(world, NOW + timedelta(minutes=15))
    assert world.value("select app.release_expired_reservations()") == 1
    assert world.value("select available from app.slot_availability(%s, %s, %s)",
                       [mechanic, START, START + timedelta(minutes=30)]) is True
    assert world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [other, mechanic, START]) is not None


def test_sessions_nobody_took_expire_with_a_full_refund_once(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, instant_booking=False)
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    immediate = world.charge(world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'premium', "
        "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'Engine light is on')", [customer]).fetchone())
    request = world.book(world.customer(), mechanic, START)
    set_clock(world, NOW + timedelta(minutes=10) - timedelta(seconds=1))
    assert world.value("select app.expire_unanswered_sessions()") == 0
    set_clock(world, NOW + timedelta(minutes=10))
    assert world.value("select app.expire_unanswered_sessions()") == 1
    assert world.value("select status from app.sessions where id = %s", [immediate["session_id"]]) == "expired"
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s and reason = 'not_accepted'",
                       [immediate["session_id"]]) == 9900
    world.send_refunds()  # the refund job's next run, days before the clock moves on
    set_clock(world, START - timedelta(hours=2))
    assert world.value("select app.expire_unanswered_sessions()") == 1
    assert world.value("select app.expire_unanswered_sessions()") == 0
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [request]) == 2900
    assert outbox(world, "session_expired") == 2


def test_ten_waiting_and_two_mechanics_coming_online_wake_the_six_oldest(world):
    waiting = []
    for minute in range(10):
        set_clock(world, NOW + timedelta(minutes=minute))
        customer = world.customer()
        world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [customer])
        waiting.append(customer)
    first, second = world.mechanic(), world.mechanic()
    world.conn.execute("select app.set_on_shift(%s, true)", [first])
    world.conn.execute("select app.set_on_shift(%s, true)", [first])  # already online: wakes nobody more
    world.conn.execute("select app.set_on_shift(%s, true)", [second])
    statuses = [world.value("select status from app.customer_waitlist where customer_id = %s", [c]) for c in waiting]
    assert statuses == ["notified"] * 6 + ["pending"] * 4
    assert world.value("select count(*) from app.outbox where template = 'waitlist_mechanic_online' and channel = 'in_app'") == 6
    set_clock(world, NOW + timedelta(hours=2, minutes=9))
    assert world.value("select app.expire_waitlist_entries()") == 4


def test_two_runners_at_once_do_every_effect_once(database, world):
    customers = [world.customer() for _ in range(6)]
    mechanic = world.mechanic(blocks=ALL_DAY)
    for n, customer in enumerate(customers):
        world.book(customer, mechanic, start=START + timedelta(hours=n))
    set_clock(world, START + timedelta(hours=5, minutes=20))  # every session is past its no-show time
    runners = [database.owner() for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(conn):
        barrier.wait()
        return run_jobs(conn)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, runners))
    for conn in runners:
        conn.close()
    assert sum(r["handle_no_shows"] for r in results) == 6
    assert world.value("select count(*) from app.sessions where status = 'no_show'") == 6
    assert world.value("select count(*) from app.payouts where reason = 'no_show' and payee = 'mechanic'") == 6
    assert world.value("select count(*) from app.credit_entries where reason = 'no_show'") == 6
    assert world.value("select count(*) from app.outbox where template like 'reminder_%%'") == 0  # all past their start


def test_an_in_person_visit_without_check_in_is_a_no_show_and_the_deposit_goes_to_the_workshop(world):
    shop = world.workshop(hours={d: ("00:00", "24:00") for d in range(1, 8)})
    mechanic = world.mechanic(blocks=ALL_DAY, workshop=shop, partnership="employee")
    sessions = [world.book(world.customer(), mechanic, start, service="in_person") for start in (START, START + timedelta(hours=1))]
    desk = world.value("select app.create_staff_account(p_role => 'workshop_admin', p_email => 'desk@example.com', "
                       "p_password => %s, p_name => 'Desk', p_timezone => 'UTC', p_workshop_id => %s)", ["x" * 40, shop])
    set_clock(world, START + timedelta(hours=1) - timedelta(minutes=10))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', p_typed_name => 'Ann')",
                       [desk, sessions[1]])
    set_clock(world, START + timedelta(hours=1, minutes=15))
    assert world.value("select app.handle_no_shows()") == 1
    assert [world.value("select status from app.sessions where id = %s", [s]) for s in sessions] == ["no_show", "pending"]
    assert world.value("select amount_cents from app.payouts where session_id = %s and payee = 'workshop'", [sessions[0]]) == 1500


def test_the_waitlist_batch_is_configurable_per_database(world):
    for _ in range(4):
        world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [world.customer()])
    world.conn.execute("set autodoctor.waitlist_batch = 1")
    world.conn.execute("select app.set_on_shift(%s, true)", [world.mechanic()])
    assert world.value("select count(*) from app.customer_waitlist where status = 'notified'") == 1
    assert world.value("select count(*) from app.outbox where template = 'waitlist_mechanic_online' and channel = 'email'") == 1


def rematch_world(world, others=1):
    """A customer booked with a mechanic who then cancels; `others` more mechanics free at that time."""
    customer, booked = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.mechanics set rating = 5.0 where id = %s", [booked])  # ranked first when booking
    free = [world.mechanic(blocks=ALL_DAY) for _ in range(others)]
    session = world.book(customer, booked, START)
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s, 'Family emergency')", [booked, session]).fetchone()
    assert (outcome["cancelled_by"], outcome["tier"], outcome["refund_cents"]) == ("mechanic", "rematch", 0)
    return customer, booked, free, session


def session_row(world, session):
    return world.conn.execute("select * from app.sessions where id = %s", [session]).fetchone()


def test_a_session_whose_mechanic_cancelled_goes_to_another_free_mechanic(world):
    customer, booked, [other], session = rematch_world(world)
    before = session_row(world, session)
    assert (before["status"], before["mechanic_id"]) == ("scheduled", booked)  # until the job runs
    with pytest.raises(psycopg.Error) as twice:
        world.conn.execute("select * from app.cancel_session(%s, %s)", [booked, session])
    assert twice.value.sqlstate == "UR001"

    assert world.value("select app.rematch_sessions()") == 1
    assert world.value("select app.rematch_sessions()") == 0
    after = session_row(world, session)
    assert (after["status"], after["mechanic_id"], after["calendar_sequence"]) == ("scheduled", other, 1)
    claims = world.conn.execute("select mechanic_id, status from app.slot_reservations where id in (%s, %s) order by id",
                                [before["reservation_id"], after["reservation_id"]]).fetchall()
    assert [(c["mechanic_id"], c["status"]) for c in claims] == [(booked, "cancelled"), (other, "confirmed")]
    assert world.reason(booked, START, customer=world.customer()) is None  # the mechanic who left is free again
    told = world.conn.execute("select user_id, template from app.outbox where session_id = %s and template <> 'session_booked' "
                              "or (template = 'session_booked' and user_id = %s) order by id", [session, other]).fetchall()
    assert {(t["user_id"], t["template"]) for t in told} == {
        (customer, "session_reassigned"), (other, "session_booked"), (booked, "session_handed_over")}
    assert world.value("select count(*) from app.refunds where session_id = %s", [session]) == 0  # the money stays


def test_with_nobody_free_the_customer_is_refunded_in_full_and_told(world):
    customer, booked, _, session = rematch_world(world, others=0)
    assert world.value("select app.rematch_sessions()") == 1
    after = session_row(world, session)
    assert after["status"] == "cancelled" and "no other mechanic is free" in after["cancel_reason"]
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900
    assert world.value("select count(*) from app.outbox where session_id = %s and user_id = %s "
                       "and template = 'session_cancelled'", [session, customer]) == 1
    assert world.value("select outcome from app.session_rematches where session_id = %s", [session]) == "cancelled"


def test_a_customer_who_cancels_before_the_rematch_gets_everything_back(world):
    customer, booked, _, session = rematch_world(world)
    set_clock(world, START - timedelta(hours=3))  # normally the 75 % tier
    quote = world.conn.execute("select * from app.cancellation_quote(%s, %s)", [session, customer]).fetchone()
    assert (quote["cancelled_by"], quote["refund_cents"]) == ("customer", 2900)
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900
    assert world.value("select app.rematch_sessions()") == 1
    assert world.value("select outcome from app.session_rematches where session_id = %s", [session]) == "skipped"


def test_two_rematch_runners_at_once_resolve_each_session_once(database, world):
    sessions = [rematch_world(world)[3] for _ in range(3)]
    runners = [database.owner() for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(conn):
        barrier.wait()
        return conn.execute("select app.rematch_sessions() as n").fetchone()["n"]

    with ThreadPoolExecutor(2) as pool:
        done = list(pool.map(run, runners))
    for conn in runners:
        conn.close()
    assert sum(done) == 3
    assert world.value("select count(*) from app.session_rematches where outcome = 'rematched' and session_id = any(%s)",
                       [sessions]) == 3
    assert world.value("select count(*) from app.outbox where template = 'session_reassigned'") == 3


def test_a_session_being_handed_over_is_frozen_until_the_rematch(world):
    customer, booked, _, session = rematch_world(world, others=0)
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    set_clock(world, START - timedelta(minutes=10))
    assert world.value("select app.open_join_windows()") == 0  # the room does not open for a mechanic who left
    with pytest.raises(psycopg.Error) as start:
        world.conn.execute("select app.join_session(%s, %s)", [customer, session])
    assert start.value.sqlstate == "UR001"
    set_clock(world, START + timedelta(minutes=20))
    assert world.value("select app.handle_no_shows()") == 0
    with pytest.raises(psycopg.Error) as no_show:
        world.conn.execute("select app.mark_no_show(%s, %s)", [booked, session])
    assert no_show.value.sqlstate == "UR001"
    assert world.value("select app.rematch_sessions()") == 1  # past its start: everything back
    assert world.value("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900
    assert world.value("select count(*) from app.payouts where session_id = %s", [session]) == 0


def test_nobody_takes_a_session_after_its_answer_deadline_even_before_the_job_runs(world):
    mechanic = world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [mechanic])
    request = world.book(world.customer(), mechanic, START)
    set_clock(world, START - timedelta(hours=2))
    assert world.conn.execute("select * from app.mechanic_offers(%s)", [mechanic]).fetchall() == []
    with pytest.raises(psycopg.Error) as late:
        world.conn.execute("select app.respond_to_request(%s, %s, true)", [mechanic, request])
    assert late.value.sqlstate == "UR012"
    assert world.value("select app.expire_unanswered_sessions()") == 1

    online = world.mechanic()
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [online])
    customer = world.customer()
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    immediate = world.charge(world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
        "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'The battery dies overnight.')",
        [customer]).fetchone())["session_id"]
    set_clock(world, START - timedelta(hours=2) + timedelta(minutes=10))
    with pytest.raises(psycopg.Error) as too_late:
        world.conn.execute("select app.accept_offer(%s, %s)", [online, immediate])
    assert too_late.value.sqlstate == "UR012"
    assert world.value("select mechanic_id from app.sessions where id = %s", [immediate]) is None
