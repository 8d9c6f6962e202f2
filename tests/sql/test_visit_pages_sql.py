"""What the visit pages read (SPEC §9, §11, §12): the workshop's queue of in-person visits with what may be done
to each, the customer's open counter-offer, the waiver shown at check-in, and the Schedule draft an in-person
visit starts from after a completed online session; each only for the people it belongs to."""
import pytest

from availability_world import Shop, local
from support import refused, set_clock

ZONE = "America/Toronto"
OPEN_ALL_DAY = {d: ("00:00", "24:00") for d in range(1, 8)}
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


def at(text):
    return local(ZONE, text)


def queue(world, admin, workshop):
    return {row["id"]: row for row in world.conn.execute("select * from app.workshop_visits(%s, %s)", [admin, workshop])}


def check_in(world, shop, visit):
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey Customer')", [shop.admin, visit])


def test_the_queue_groups_the_visits_in_the_workshops_zone_with_what_may_be_done(world):
    shop = Shop(world)  # the clock: Monday 23 November, 09:00 in Toronto
    _, done = shop.visit(at("2026-11-23 09:30"))
    _, later_today = shop.visit(at("2026-11-23 13:00"))
    _, tomorrow = shop.visit(at("2026-11-24 10:00"))
    _, request = shop.visit(at("2026-11-25 10:00"), mechanic=0, name="Riley Request")
    customer, cancelled = shop.visit(at("2026-11-26 10:00"))
    world.conn.execute("select * from app.cancel_session(%s, %s, 'Plans changed')", [customer, cancelled])
    check_in(world, shop, done)
    set_clock(world, at("2026-11-23 10:05"))
    world.conn.execute("select app.complete_visit(%s, %s)", [shop.admin, done])

    rows = queue(world, shop.admin, shop.id)
    assert list(rows) == [done, later_today, tomorrow, request, cancelled]  # in start order
    assert {v: (r["queue"], r["day_group"], r["status"]) for v, r in rows.items()} == {
        done: ("balance", "today", "completed"), later_today: ("today", "today", "scheduled"),
        tomorrow: ("upcoming", "tomorrow", "scheduled"), request: ("request", "later", "requested"),
        cancelled: ("done", "later", "cancelled")}

    asked = rows[request]
    assert (asked["customer_name"], asked["customer_phone"], asked["timezone"]) == ("Riley Request", "+1 416 555 0100", ZONE)
    assert (asked["plan_name"], asked["price_cents"], asked["deposit_cents"], asked["balance_cents"]) == ("Standard", 2900, 1500, 1400)
    assert (asked["starts_at"], asked["ends_at"]) == (at("2026-11-25 10:00"), at("2026-11-25 10:30"))
    assert asked["mechanic_id"] == shop.mechanics[0] and asked["balance_status"] == "not_due"
    flags = ("can_confirm", "can_decline", "can_counter_offer", "can_assign", "can_check_in", "can_complete",
             "can_charge_balance", "can_cancel")
    assert {f for f in flags if asked[f]} == {"can_confirm", "can_decline", "can_counter_offer", "can_assign"}

    soon = rows[later_today]
    assert {f for f in flags if soon[f]} == {"can_counter_offer", "can_assign", "can_cancel"}
    assert soon["check_in_from"] == at("2026-11-23 12:00") and not soon["checked_in"]

    finished = rows[done]
    assert {f for f in flags if finished[f]} == {"can_charge_balance"}
    assert finished["checked_in"] and finished["checked_in_at"] == at("2026-11-23 09:00")
    assert (finished["balance_status"], finished["balance_cents"]) == ("due", 1400)

    gone = rows[cancelled]
    assert not any(gone[f] for f in flags)
    # the refund is decided, not yet taken by the gateway: on its way, not refunded (issue 17)
    assert (gone["cancel_reason"], gone["refunded_cents"], gone["refund_pending_cents"]) == ("Plans changed", 0, 1500)
    world.send_refunds()  # the job's next run: it does not stay pending past money_overdue's hour

    set_clock(world, at("2026-11-23 12:00"))  # an hour before the start, the tablet may check the customer in
    soon = queue(world, shop.admin, shop.id)[later_today]
    assert soon["can_check_in"]
    check_in(world, shop, later_today)
    soon = queue(world, shop.admin, shop.id)[later_today]
    assert (soon["status"], soon["checked_in"], soon["can_check_in"], soon["can_complete"]) == ("pending", True, False, False)
    set_clock(world, at("2026-11-23 13:00"))  # the work, and so its completion, begins at the start
    assert queue(world, shop.admin, shop.id)[later_today]["can_complete"]


def test_the_balance_shows_a_declined_card_then_the_paid_visit_leaves_the_balance_queue(world):
    shop = Shop(world)
    _, visit = shop.visit(at("2026-11-23 09:30"))
    check_in(world, shop, visit)
    set_clock(world, at("2026-11-23 10:05"))
    world.conn.execute("select app.complete_visit(%s, %s)", [shop.admin, visit])
    world.conn.execute("update app.payments set payment_method = 'pm_card_chargeDeclined' where session_id = %s", [visit])

    declined = world.charge(world.conn.execute("select * from app.begin_balance_payment(%s, %s)", [shop.admin, visit]).fetchone())
    assert declined["status"] == "failed"
    row = queue(world, shop.admin, shop.id)[visit]
    assert (row["queue"], row["balance_status"], row["can_charge_balance"]) == ("balance", "failed", True)
    assert row["balance_failure"] == "Your card was declined."

    world.conn.execute("update app.payments set payment_method = 'pm_card_visa' where session_id = %s and kind = 'deposit'", [visit])
    paid = world.charge(world.conn.execute("select * from app.begin_balance_payment(%s, %s)", [shop.admin, visit]).fetchone())
    assert paid["status"] == "succeeded"
    row = queue(world, shop.admin, shop.id)[visit]
    assert (row["queue"], row["balance_status"], row["can_charge_balance"], row["balance_failure"]) == ("done", "paid", False, None)

    set_clock(world, at("2026-12-08 10:00"))  # two weeks on, a paid visit has left the queue
    assert visit not in queue(world, shop.admin, shop.id)
    assert world.conn.execute("select * from app.workshop_visits(%s, %s, %s)", [shop.admin, shop.id, visit]).fetchone()["id"] == visit


def test_the_open_counter_offer_shows_to_the_workshop_and_to_its_customer_only(world):
    shop = Shop(world)
    customer, visit = shop.visit(at("2026-11-25 10:00"), mechanic=0)
    assert world.conn.execute("select * from app.my_counter_offer(%s, %s)", [customer, visit]).fetchall() == []
    offer = world.conn.execute("select * from app.counter_offer_visit(%s, %s, %s, 'Thursday suits us better')",
                               [shop.admin, visit, at("2026-11-26 14:00")]).fetchone()

    row = queue(world, shop.admin, shop.id)[visit]
    assert (row["counter_offer_id"], row["counter_offer_start"], row["counter_offer_note"]) == (
        offer["id"], at("2026-11-26 14:00"), "Thursday suits us better")
    mine = world.conn.execute("select * from app.my_counter_offer(%s, %s)", [customer, visit]).fetchall()
    assert [(m["id"], m["proposed_start"], m["proposed_end"], m["note"], m["workshop_timezone"]) for m in mine] == [
        (offer["id"], at("2026-11-26 14:00"), at("2026-11-26 14:30"), "Thursday suits us better", ZONE)]

    refused(world, "UN001", "select * from app.my_counter_offer(%s, %s)", world.customer(), visit)
    refused(world, "UP001", "select * from app.my_counter_offer(%s, %s)", shop.admin, visit)

    world.conn.execute("select app.answer_counter_offer(%s, %s, true)", [customer, offer["id"]])
    assert world.conn.execute("select * from app.my_counter_offer(%s, %s)", [customer, visit]).fetchall() == []
    row = queue(world, shop.admin, shop.id)[visit]
    assert (row["counter_offer_id"], row["status"], row["starts_at"]) == (None, "scheduled", at("2026-11-26 14:00"))


def test_another_workshops_admin_and_other_roles_see_no_visit(world):
    shop, other = Shop(world), Shop(world, "other")
    customer, visit = shop.visit(at("2026-11-25 10:00"))
    refused(world, "UN001", "select * from app.workshop_visits(%s, %s)", other.admin, shop.id)
    refused(world, "UN001", "select * from app.workshop_visits(%s, null, %s)", other.admin, visit)
    refused(world, "UN001", "select * from app.workshop_visits(%s, %s, %s)", other.admin, other.id, visit)
    refused(world, "UN001", "select * from app.workshop_visits(%s, null, %s)", shop.admin, 10**12)
    for someone in (shop.mechanics[1], customer):
        refused(world, "UP001", "select * from app.workshop_visits(%s, %s)", someone, shop.id)
        refused(world, "UP001", "select * from app.workshop_visits(%s, null, %s)", someone, visit)
    assert queue(world, other.admin, other.id) == {}
    assert [r["id"] for r in world.conn.execute("select * from app.workshop_visits(%s, null)", [shop.admin])] == [visit]


def test_the_check_in_tablet_shows_the_in_person_waiver_to_the_visits_workshop_admins_only(world):
    shop, other = Shop(world), Shop(world, "other")
    _, visit = shop.visit(at("2026-11-25 10:00"))
    waiver = world.conn.execute("select * from app.check_in_waiver(%s, %s)", [shop.admin, visit]).fetchone()
    assert waiver["version"] == world.value("select app.current_waiver_version('in_person')")
    assert waiver["version"] != world.value("select app.current_waiver_version('online')")
    assert waiver["title"] == "In-person visit waiver" and "workshop" in waiver["body"]
    assert "cannot see or touch your vehicle" not in waiver["body"]  # the remote advice words
    refused(world, "UN001", "select * from app.check_in_waiver(%s, %s)", other.admin, visit)
    refused(world, "UP001", "select * from app.check_in_waiver(%s, %s)", shop.mechanics[0], visit)
    refused(world, "UP001", "select * from app.check_in_waiver(%s, %s)", world.customer(), visit)


def test_each_service_type_signs_its_own_waiver_and_one_never_counts_for_the_other(world):
    shop = Shop(world)
    customer, visit = shop.visit(at("2026-11-23 09:30"))
    online, in_person = (world.value("select app.current_waiver_version(%s)", [kind]) for kind in ("online", "in_person"))
    assert world.value("select service_type from app.waiver_versions where version = %s", [in_person]) == "in_person"

    # the remote advice waiver on file does not check a visit in: the tablet signs the in-person one
    remote = world.value("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey Customer')", [customer])
    assert world.value("select version from app.waiver_signatures where id = %s", [remote]) == online
    assert not queue(world, shop.admin, shop.id)[visit]["checked_in"]
    check_in(world, shop, visit)
    assert world.value("select version from app.waiver_signatures where session_id = %s and mode = 'in_person'",
                       [visit]) == in_person
    assert queue(world, shop.admin, shop.id)[visit]["checked_in"]

    # and a signature on the tablet is not the remote advice waiver on file for an online session
    other = Shop(world, "other")
    walk_in, other_visit = other.visit(at("2026-11-23 09:30"), name="Noor Aziz")
    check_in(world, other, other_visit)
    assert world.value("select app.waiver_on_file(%s, app.app_now(), 'in_person')", [walk_in])
    assert not world.value("select app.waiver_on_file(%s, app.app_now())", [walk_in])
    mine = world.conn.execute("select * from app.my_waiver(%s)", [walk_in]).fetchone()
    assert (mine["version"], mine["on_file"]) == (online, False)
    assert world.conn.execute("select * from app.my_waiver(%s, 'in_person')", [walk_in]).fetchone()["on_file"]


def completed_online_session(world, customer, vehicle=None, summary=None):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, at("2026-11-23 10:00")])
    payment = world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
        "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, p_advice_only => %s, "
        "p_concern_category => 'diagnostic', p_concern => 'A rattle from the exhaust at idle.')",
        [customer, hold, vehicle, vehicle is None]).fetchone()
    session = world.charge(payment)["session_id"]
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    world.conn.execute("select app.complete_session(%s, %s, %s)", [mechanic, session, summary])
    return mechanic, session


def draft(world, customer):
    return world.value("select app.my_draft(%s, 'schedule')", [customer])


def test_an_in_person_visit_starts_from_a_completed_online_session(world):
    customer = world.customer()
    vehicle = world.value("select app.add_vehicle(p_actor => %s, p_year => 2018, p_make => 'Toyota', p_model => 'RAV4')", [customer])
    mechanic, session = completed_online_session(world, customer, vehicle, summary="  Worn heat shield clamp.  ")
    assert world.value("select summary from app.my_appointments(%s, %s)", [customer, session]) == "Worn heat shield clamp."
    # an earlier Schedule draft with a hold gives way, the hold given back
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, at("2026-11-24 10:00")])
    world.conn.execute("insert into app.booking_drafts (customer_id, flow, plan_code, hold_id, updated_at) "
                       "values (%s, 'schedule', 'premium', %s, app.app_now())", [customer, hold])

    carried = world.value("select app.visit_from_session(%s, %s)", [customer, session])
    assert carried == draft(world, customer) == {
        "service_type": "in_person", "vehicle_id": vehicle, "concern_category": "diagnostic",
        "concern": "A rattle from the exhaust at idle.\n\nThe mechanic's summary: Worn heat shield clamp.",
        "from_session": session, "another": True}
    assert world.value("select status from app.slot_reservations where id = %s", [hold]) == "cancelled"

    advice_customer = world.customer()
    _, advice = completed_online_session(world, advice_customer)
    assert world.value("select app.visit_from_session(%s, %s)", [advice_customer, advice])["advice_only"] is True


def test_an_in_person_visit_starts_only_from_the_customers_own_completed_online_session(world):
    customer, stranger = world.customer(), world.customer()
    mechanic, session = completed_online_session(world, customer)
    shop = Shop(world)
    _, visit = shop.visit(at("2026-11-25 10:00"))
    upcoming = world.book(customer, mechanic, at("2026-11-26 10:00"))
    world.conn.execute("select app.draft_choose_plan(%s, 'schedule', 'extended')", [stranger])

    refused(world, "UN001", "select app.visit_from_session(%s, %s)", stranger, session)
    refused(world, "UR001", "select app.visit_from_session(%s, %s)", customer, upcoming)  # not completed yet
    visit_customer = world.value("select customer_id from app.sessions where id = %s", [visit])
    refused(world, "UR001", "select app.visit_from_session(%s, %s)", visit_customer, visit)  # not online
    refused(world, "UP001", "select app.visit_from_session(%s, %s)", mechanic, session)
    assert draft(world, stranger) == {"plan": "extended"} and draft(world, customer) == {}
