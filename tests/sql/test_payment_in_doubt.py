"""A payment whose outcome the app did not learn (issue 22): its hold is kept past the 15 minutes, by the cleanup
job, by another customer's claim and by the customer's own next step alike, until reconciliation decides; the
customer's page lists it as being confirmed, then as booked or not charged."""
from datetime import timedelta

from conftest import NOW, make_staff
from support import refused, set_clock
from test_drafts_sql import ALL_DAY, START, choose, draft, hold, status

DECLINED = "pm_card_chargeDeclined"


def at_review(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    choose(world, "service", customer, "online")
    choose(world, "vehicle", customer, world.value("select app.add_vehicle(%s, 2021, 'Toyota', 'RAV4')", [customer]))
    choose(world, "plan", customer, "standard")
    choose(world, "mechanic", customer, mechanic)
    return customer, mechanic, hold(world, customer, mechanic)


def begin(world, customer, hold_id, card="pm_card_visa"):
    """begin_checkout as the review's Pay does, with no answer from the gateway recorded after it."""
    return world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
        "p_payment_method => %s, p_hold_id => %s, p_advice_only => true, p_concern => 'A noise from the brakes.')",
        [customer, card, hold_id]).fetchone()


def being_confirmed(world, customer):
    return [(r["payment_id"], r["outcome"]) for r in
            world.conn.execute("select * from app.my_payments_being_confirmed(%s)", [customer])]


def test_a_hold_with_a_payment_in_doubt_outlives_its_15_minutes_and_nobody_takes_it(world):
    customer, mechanic, hold_id = at_review(world)
    idle, idle_mechanic, idle_hold = at_review(world)  # a hold with no payment, beside it
    payment = begin(world, customer, hold_id)
    set_clock(world, NOW + timedelta(minutes=20))
    assert world.value("select app.release_expired_reservations()") == 1
    assert (status(world, hold_id), status(world, idle_hold)) == ("reserved", "expired")
    rival = world.customer()
    refused(world, "UC001", "select * from app.reserve_slot(%s, %s, %s, 'standard')", rival, mechanic, START)
    slot = world.conn.execute("select * from app.slot_availability(%s, %s, %s, 'online')",
                              [mechanic, START, START + timedelta(minutes=30)]).fetchone()
    assert (slot["available"], slot["reason"]) == (False, "booked")
    assert being_confirmed(world, customer) == [(payment["id"], "confirming")]

    # the customer's next step cannot give it back; another customer cannot even learn it is kept
    refused(world, "UR090", "select app.draft_choose_time(%s, 'schedule', null)", customer)
    refused(world, "UR090", "select app.release_reservation(%s, %s)", customer, hold_id)
    refused(world, "UN001", "select app.release_reservation(%s, %s)", rival, hold_id)
    assert draft(world, customer)["hold_id"] == hold_id and status(world, hold_id) == "reserved"


def test_decided_it_is_booked_or_said_not_charged_and_the_hold_then_lapses(world, database):
    customer, mechanic, hold_id = at_review(world)
    payment = begin(world, customer, hold_id, card=DECLINED)
    set_clock(world, NOW + timedelta(minutes=20))
    world.conn.execute("select app.fail_payment(%s, 'card_declined', 'Your card was declined.')", [payment["id"]])
    assert being_confirmed(world, customer) == [(payment["id"], "not_charged")]
    assert world.value("select app.release_expired_reservations()") == 1 and status(world, hold_id) == "expired"
    set_clock(world, NOW + timedelta(days=8))  # told for a week
    assert being_confirmed(world, customer) == []

    set_clock(world, NOW)
    booked, _, booked_hold = at_review(world)
    paid = begin(world, booked, booked_hold)
    set_clock(world, NOW + timedelta(minutes=20))
    after = world.conn.execute("select * from app.apply_payment_intent(%s::jsonb, %s)", [
        f'{{"id": "pi_late", "object": "payment_intent", "status": "succeeded", "amount": {paid["amount_cents"]}, '
        f'"amount_received": {paid["amount_cents"]}, "currency": "cad", "metadata": {{"payment_id": "{paid["id"]}"}}}}',
        paid["id"]]).fetchone()
    assert after["status"] == "succeeded" and after["reservation_id"] == booked_hold
    assert status(world, booked_hold) == "confirmed" and being_confirmed(world, booked) == []


def test_only_the_customer_sees_their_payments_being_confirmed(world, database):
    customer, _, hold_id = at_review(world)
    begin(world, customer, hold_id)
    admin = make_staff(database, "admin", "root@example.com")
    refused(world, "UP001", "select * from app.my_payments_being_confirmed(%s)", admin)
    assert being_confirmed(world, world.customer()) == []
