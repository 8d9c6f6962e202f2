"""Each lead time of a session's rules is written once (sessions/internal/*_minutes.sql): at one second either side
of it and on it, the guard lets the action through exactly when the read model offers it (and the job acts exactly
then), and the sentence the refusal shows names the same lead time as the words the page shows. Changing either
side alone fails here. The moves are tried in a savepoint that is rolled back, so each second sees the same
session."""
from datetime import timedelta

import psycopg
import pytest

import errors
from availability_world import Shop, local
from support import set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
SECOND = timedelta(seconds=1)

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


def attempt(world, sql, params):
    """The guard's answer, its change rolled back: None when it lets the action through, else its error."""
    try:
        with world.conn.transaction(force_rollback=True):
            world.conn.execute(sql, params)
    except psycopg.Error as refusal:
        return refusal
    return None


def row(world, sql, params):
    return world.conn.execute(sql, params).fetchone()


def around(edge):
    return (edge - SECOND, edge, edge + SECOND)


def check_edge(world, edge, open_at, guard, offered, refusal_code):
    """At each second around `edge`, the guard lets the action through iff the read model offers it, and both
    say what `open_at` (which of the three seconds are inside the rule) says; returns the refusal seen outside."""
    refusals = []
    for moment, expected in zip(around(edge), open_at):
        set_clock(world, moment)
        error = guard()
        assert offered() is expected, moment
        assert (error is None) is expected, (moment, error)
        if error is not None:
            assert error.sqlstate == refusal_code
            refusals.append(error)
    return refusals[0]


def online_session(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    return customer, mechanic, world.book(customer, mechanic, START)


def appointment(world, customer, session):
    return row(world, "select * from app.my_appointments(%s, %s)", [customer, session])


def test_a_session_moves_until_the_cutoff_the_page_names(world):
    customer, _, session = online_session(world)
    edge = START - timedelta(minutes=world.value("select app.reschedule_cutoff_minutes()"))
    refusal = check_edge(
        world, edge, (True, True, False),
        lambda: attempt(world, "select * from app.reschedule_session(%s, %s, %s)", [customer, session, START + timedelta(days=1)]),
        lambda: appointment(world, customer, session)["can_reschedule"], "UR011")
    words = appointment(world, customer, session)["reschedule_cutoff_words"]
    assert refusal.diag.message_hint == f"A session can be moved until {words} before its start. Cancel it instead?"
    assert refusal.diag.message_hint == errors.CODES["UR011"]  # the wording users see is unchanged


def test_the_online_waiver_opens_at_the_lead_time_the_pages_name(world):
    customer, mechanic, session = online_session(world)
    edge = START - timedelta(minutes=world.value("select app.waiver_lead_minutes()"))
    refusal = check_edge(
        world, edge, (False, True, True),
        lambda: attempt(world, "select app.sign_waiver(p_actor => %s, p_session => %s, p_typed_name => 'Casey')",
                        [customer, session]),
        lambda: appointment(world, customer, session)["can_sign_waiver"], "UR008")
    words = appointment(world, customer, session)["waiver_lead_words"]
    assert row(world, "select * from app.mechanic_sessions(%s, %s)", [mechanic, session])["waiver_lead_words"] == words
    assert refusal.diag.message_hint == f"The waiver can be signed from {words} before the start."
    assert refusal.diag.message_hint == errors.CODES["UR008"]


def test_check_in_opens_at_the_lead_time_the_visit_page_names(world):
    shop = Shop(world)
    _, visit = shop.visit(START)
    edge = START - timedelta(minutes=world.value("select app.waiver_lead_minutes()"))

    def visit_row():
        return row(world, "select * from app.workshop_visits(%s, null, %s)", [shop.admin, visit])

    refusal = check_edge(
        world, edge, (False, True, True),
        lambda: attempt(world, "select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                               "p_typed_name => 'Casey Customer')", [shop.admin, visit]),
        lambda: visit_row()["can_check_in"], "UR008")
    assert visit_row()["check_in_from"] == edge
    words = visit_row()["check_in_lead_words"]
    assert refusal.diag.message_hint == f"The waiver can be signed from {words} before the start."


def test_the_room_opens_at_the_lead_time_for_the_guard_the_page_and_the_job(world):
    customer, mechanic, session = online_session(world)
    world.value("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])  # on file from now
    edge = START - timedelta(minutes=world.value("select app.join_lead_minutes()"))

    def job_opens_it():
        with world.conn.transaction(force_rollback=True):
            return world.value("select app.open_join_windows()") == 1

    jobs = []
    refusal = check_edge(
        world, edge, (False, True, True),
        lambda: jobs.append(job_opens_it()) or attempt(world, "select app.join_session(%s, %s)", [customer, session]),
        lambda: appointment(world, customer, session)["can_join"], "UR009")
    assert jobs == [False, True, True]
    words = appointment(world, customer, session)["join_lead_words"]
    assert row(world, "select * from app.mechanic_sessions(%s, %s)", [mechanic, session])["join_lead_words"] == words
    assert refusal.diag.message_hint == f"The session opens {words} before its start."
    assert refusal.diag.message_hint == errors.CODES["UR009"]


def test_a_no_show_is_marked_from_the_grace_the_mechanic_page_names(world):
    _, mechanic, session = online_session(world)
    edge = START + timedelta(minutes=world.value("select app.no_show_grace_minutes()"))

    def session_row():
        return row(world, "select * from app.mechanic_sessions(%s, %s)", [mechanic, session])

    refusal = check_edge(
        world, edge, (False, True, True),
        lambda: attempt(world, "select app.mark_no_show(%s, %s)", [mechanic, session]),
        lambda: session_row()["can_no_show"], "UR007")
    assert session_row()["no_show_from"] == edge
    words = session_row()["no_show_grace_words"]
    assert refusal.diag.message_hint == f"A no-show can be marked from {words} after the start."
    assert refusal.diag.message_hint == errors.CODES["UR007"]
