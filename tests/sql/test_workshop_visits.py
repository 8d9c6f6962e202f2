"""In-person visits run by the workshop (SPEC §11): confirm, decline with a reason, a counter-offer the
customer accepts or declines, another mechanic assigned, check-in and completion with the balance charged; every
action only for the admins of the visit's own workshop, every refusal changing nothing."""
from datetime import timedelta

import pytest

from availability_world import Shop, local
from support import refused, set_clock

START = local("America/Toronto", "2026-11-25 10:00")
LATER = START + timedelta(days=1, hours=3)

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


def call(world, sql, *params):
    return world.conn.execute(sql, params).fetchone()


def session(world, session_id):
    return call(world, "select * from app.sessions where id = %s", session_id)


def refunded(world, session_id):
    return world.value("select coalesce(sum(amount_cents), 0) from app.refunds where session_id = %s", [session_id])


def outbox(world, template, user):
    return world.value("select count(*) from app.outbox where template = %s and user_id = %s and channel = 'email'",
                       [template, user])


def test_the_workshop_confirms_a_request_and_its_admins_hear_of_it(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    assert session(world, visit)["status"] == "requested"
    assert outbox(world, "session_requested", shop.admin) == 1

    call(world, "select app.confirm_visit(%s, %s)", shop.admin, visit)
    assert session(world, visit)["status"] == "scheduled"
    assert outbox(world, "session_accepted", customer) == 1
    refused(world, "UR001", "select app.confirm_visit(%s, %s)", shop.admin, visit)  # no longer a request


def test_another_workshops_admin_and_other_roles_can_do_nothing_to_a_visit(world):
    shop, other = Shop(world), Shop(world, "other")
    customer, visit = shop.visit(START, 0)
    before = session(world, visit)
    for sql, *params in (("select app.confirm_visit(%s, %s)",), ("select app.decline_visit(%s, %s, 'full')",),
                         ("select * from app.counter_offer_visit(%s, %s, %s)", LATER),
                         ("select app.assign_visit_mechanic(%s, %s, %s)", other.mechanics[1]),
                         ("select app.complete_visit(%s, %s)",)):
        refused(world, "UN001", sql, other.admin, visit, *params)
        refused(world, "UP001", sql, shop.mechanics[0], visit, *params)
    refused(world, "UN001", "select app.confirm_visit(%s, %s)", shop.admin, 10**12)
    assert session(world, visit) == before


def test_declining_needs_a_reason_and_refunds_the_whole_deposit(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    refused(world, "UV060", "select app.decline_visit(%s, %s, '  ')", shop.admin, visit)
    assert session(world, visit)["status"] == "requested"

    call(world, "select app.decline_visit(%s, %s, 'The lift is broken that week')", shop.admin, visit)
    after = session(world, visit)
    assert (after["status"], after["cancel_reason"]) == ("cancelled", "The lift is broken that week")
    assert refunded(world, visit) == 1500
    assert outbox(world, "session_cancelled", customer) == 1


def test_a_counter_offer_accepted_moves_and_confirms_the_visit(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    before = session(world, visit)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s, 'Thursday suits us better')",
                 shop.admin, visit, LATER)
    assert (offer["status"], offer["mechanic_id"]) == ("pending", shop.mechanics[0])
    assert outbox(world, "visit_counter_offer", customer) == 1
    assert session(world, visit)["scheduled_for"] == START  # nothing moves before the customer says so

    assert world.value("select app.answer_counter_offer(%s, %s, true)", [customer, offer["id"]]) == "scheduled"
    after = session(world, visit)
    assert (after["status"], after["scheduled_for"], after["calendar_sequence"]) == ("scheduled", LATER, 2)  # confirmed, then moved: each its own sequence
    claims = world.conn.execute("select id, status, starts_at from app.slot_reservations where id in (%s, %s) order by id",
                                [before["reservation_id"], after["reservation_id"]]).fetchall()
    assert [(c["status"], c["starts_at"]) for c in claims] == [("cancelled", START), ("confirmed", LATER)]
    assert world.value("select status from app.visit_counter_offers where id = %s", [offer["id"]]) == "accepted"
    assert outbox(world, "visit_counter_answered", shop.admin) == 1
    refused(world, "UN001", "select app.answer_counter_offer(%s, %s, false)", customer, offer["id"])  # answered once
    assert refunded(world, visit) == 0


def test_a_counter_offer_declined_cancels_a_request_but_keeps_a_confirmed_visit(world):
    shop = Shop(world)
    customer, request = shop.visit(START, 0)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, request, LATER)
    assert world.value("select app.answer_counter_offer(%s, %s, false)", [customer, offer["id"]]) == "cancelled"
    assert refunded(world, request) == 1500

    customer, confirmed = shop.visit(START, 1)
    assert session(world, confirmed)["status"] == "scheduled"
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, confirmed, LATER)
    assert world.value("select app.answer_counter_offer(%s, %s, false)", [customer, offer["id"]]) == "scheduled"
    assert session(world, confirmed)["scheduled_for"] == START and refunded(world, confirmed) == 0


def test_counter_offers_that_cannot_be_kept_are_refused(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    world.conn.execute("insert into app.workshop_closures (workshop_id, closed_on) values (%s, %s)",
                       [shop.id, LATER.date()])
    # closed that day: every mechanic of the workshop is unavailable for that one reason, which is the answer
    refused(world, "UR002", "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER)
    refused(world, "UR060", "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit,
            world.value("select app.app_now()") + timedelta(minutes=90))
    refused(world, "UV001", "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, START)
    assert world.value("select count(*) from app.visit_counter_offers") == 0

    first = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER + timedelta(days=1))
    second = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER + timedelta(days=2))
    assert world.value("select status from app.visit_counter_offers where id = %s", [first["id"]]) == "withdrawn"
    refused(world, "UN001", "select app.answer_counter_offer(%s, %s, true)", world.customer(), second["id"])
    refused(world, "UR001", "update app.visit_counter_offers set status = 'pending' where id = %s", first["id"])
    set_clock(world, second["proposed_start"] + timedelta(minutes=1))
    refused(world, "UR061", "select app.answer_counter_offer(%s, %s, true)", customer, second["id"])


def test_a_request_with_an_open_counter_offer_lives_until_the_proposed_time_is_near(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER)
    set_clock(world, START - timedelta(hours=2))
    assert world.value("select app.expire_unanswered_sessions()") == 0
    set_clock(world, LATER - timedelta(hours=2))
    assert world.value("select app.expire_unanswered_sessions()") == 1
    assert session(world, visit)["status"] == "expired" and refunded(world, visit) == 1500
    assert world.value("select status from app.visit_counter_offers where id = %s", [offer["id"]]) == "withdrawn"


def test_the_workshop_assigns_another_of_its_mechanics(world):
    shop, other = Shop(world), Shop(world, "other")
    customer, visit = shop.visit(START, 1)
    refused(world, "UN002", "select app.assign_visit_mechanic(%s, %s, %s)", shop.admin, visit, other.mechanics[0])
    _, busy = shop.visit(START, 0)  # the other mechanic is taken at that time now
    refused(world, "UC061", "select app.assign_visit_mechanic(%s, %s, %s)", shop.admin, visit, shop.mechanics[0])
    assert session(world, visit)["mechanic_id"] == shop.mechanics[1]

    call(world, "select app.decline_visit(%s, %s, 'Double booked')", shop.admin, busy)
    call(world, "select app.assign_visit_mechanic(%s, %s, %s)", shop.admin, visit, shop.mechanics[0])
    after = session(world, visit)
    assert (after["mechanic_id"], after["scheduled_for"], after["calendar_sequence"]) == (shop.mechanics[0], START, 1)
    assert outbox(world, "session_booked", shop.mechanics[0]) == 1
    assert outbox(world, "session_handed_over", shop.mechanics[1]) == 1


def test_check_in_then_completion_charges_the_balance_and_shares_the_money(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    set_clock(world, START - timedelta(minutes=5))
    refused(world, "UR062", "select app.complete_visit(%s, %s)", shop.admin, visit)
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey Customer')", [shop.admin, visit])
    assert session(world, visit)["status"] == "pending"
    set_clock(world, START + timedelta(minutes=40))

    call(world, "select app.complete_visit(%s, %s)", shop.admin, visit)
    assert session(world, visit)["status"] == "completed"
    assert world.value("select count(*) from app.payouts where session_id = %s", [visit]) == 0  # after the balance
    balance = call(world, "select * from app.begin_balance_payment(%s, %s)", shop.admin, visit)
    assert (balance["kind"], balance["amount_cents"]) == ("balance", 2900 - 1500)
    assert world.charge(balance)["status"] == "succeeded"
    payouts = {r["payee"]: r["amount_cents"] for r in world.conn.execute(
        "select payee, amount_cents from app.payouts where session_id = %s", [visit])}
    assert payouts == {"workshop": 2030, "platform": 870}


def test_a_visit_is_neither_completed_nor_charged_before_its_start_by_any_path(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    set_clock(world, START - timedelta(minutes=30))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey Customer')", [shop.admin, visit])
    set_clock(world, START - timedelta(minutes=4))  # 9:56 for a 10:00 start
    assert not call(world, "select * from app.workshop_visits(%s, null, %s)", shop.admin, visit)["can_complete"]
    refused(world, "UR063", "select app.complete_visit(%s, %s)", shop.admin, visit)
    refused(world, "UR001", "select * from app.begin_balance_payment(%s, %s)", shop.admin, visit)
    # the mechanic may start early, but not complete; nor may anything else move it to completed
    call(world, "select app.start_session(%s, %s)", shop.mechanics[1], visit)
    assert not call(world, "select * from app.mechanic_sessions(%s, %s)", shop.mechanics[1], visit)["can_complete"]
    refused(world, "UR063", "select app.complete_session(%s, %s)", shop.mechanics[1], visit)
    refused(world, "UR063", "update app.sessions set status = 'completed' where id = %s", visit)
    assert session(world, visit)["status"] == "live"
    assert world.value("select count(*) from app.payments where session_id = %s and kind = 'balance'", [visit]) == 0

    set_clock(world, START)
    assert call(world, "select * from app.workshop_visits(%s, null, %s)", shop.admin, visit)["can_complete"]
    assert call(world, "select * from app.mechanic_sessions(%s, %s)", shop.mechanics[1], visit)["can_complete"]
    call(world, "select app.complete_visit(%s, %s)", shop.admin, visit)
    assert session(world, visit)["status"] == "completed"


def test_a_counter_offer_lapses_when_its_visit_moves_on(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER)
    set_clock(world, START - timedelta(minutes=5))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey Customer')", [shop.admin, visit])  # checked in: the visit is on
    assert world.value("select status from app.visit_counter_offers where id = %s", [offer["id"]]) == "withdrawn"
    refused(world, "UN001", "select app.answer_counter_offer(%s, %s, true)", customer, offer["id"])
    assert (session(world, visit)["scheduled_for"], session(world, visit)["status"]) == (START, "pending")

    customer, request = shop.visit(START + timedelta(hours=2), 0)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, request, LATER)
    set_clock(world, world.value("select app_now from app.app_now()") - timedelta(hours=1))
    world.conn.execute("select app.respond_to_request(%s, %s, true)", [shop.mechanics[0], request])  # the mechanic's yes
    assert world.value("select status from app.visit_counter_offers where id = %s", [offer["id"]]) == "withdrawn"


def test_proposing_a_time_leaves_the_visit_booked_and_asks_its_own_mechanic_first(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    before = session(world, visit)
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER)
    assert offer["mechanic_id"] == shop.mechanics[1]  # its own, though the other is free too and ranks first by id
    assert session(world, visit) == before
    assert world.value("select status from app.slot_reservations where id = %s", [before["reservation_id"]]) == "confirmed"


def test_accepting_a_time_with_another_mechanic_tells_both_mechanics(world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    _, busy = shop.visit(LATER, 1)  # its own mechanic is taken at the proposed time
    offer = call(world, "select * from app.counter_offer_visit(%s, %s, %s)", shop.admin, visit, LATER)
    assert offer["mechanic_id"] == shop.mechanics[0]
    call(world, "select app.answer_counter_offer(%s, %s, true)", customer, offer["id"])
    assert session(world, visit)["mechanic_id"] == shop.mechanics[0]
    assert outbox(world, "session_booked", shop.mechanics[0]) == 1
    assert outbox(world, "session_handed_over", shop.mechanics[1]) == 1
    assert outbox(world, "session_rescheduled", customer) == 1
    assert world.value("select reason from app.session_events where session_id = %s order by id desc limit 1",
                       [visit]).endswith(f"mechanic {shop.mechanics[0]} instead of {shop.mechanics[1]}")
