"""Sessions (SPEC §7): the only way in, the state machine, its stamps and event log, holds (SPEC §6) and
requests the mechanic answers."""
from datetime import timedelta
from itertools import product

import psycopg
import pytest

from conftest import NOW
from availability_world import local
from support import sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
STATUSES = ["requested", "scheduled", "pending", "live", "completed", "cancelled", "no_show", "expired"]
ALLOWED = {("requested", "scheduled"), ("requested", "cancelled"), ("requested", "expired"),
           ("scheduled", "pending"), ("scheduled", "cancelled"), ("scheduled", "no_show"),
           ("pending", "live"), ("pending", "cancelled"), ("pending", "expired"), ("pending", "no_show"),
           ("live", "completed")}
STAMPS = {"live": "started_at", "completed": "ended_at", "cancelled": "cancelled_at", "expired": "expired_at",
          "no_show": "no_show_at", "scheduled": "accepted_at"}


def at(text):
    return local("America/Toronto", text)


def hold(world, customer, mechanic, start, plan="standard", service="online"):
    return world.conn.execute("select * from app.reserve_slot(%s, %s, %s, %s, %s)",
                              [customer, mechanic, start, plan, service]).fetchone()


def book(world, customer, hold_id, concern="The brakes squeal when cold.", vehicle=None, advice=True):
    return world.value("select app.create_session(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                       "p_vehicle_id => %s, p_advice_only => %s, p_concern => %s, p_hold_id => %s)",
                       [customer, vehicle, advice, concern, hold_id])


@pytest.mark.parametrize("before, after", [(a, b) for a, b in product(STATUSES, STATUSES) if a != b])
def test_state_machine_matrix(world, before, after):
    customer, mechanic = world.customer(), world.mechanic()
    session = world.value(
        "insert into app.sessions (customer_id, mechanic_id, kind, plan_code, duration_minutes, advice_only, status, "
        "created_at, policy_version) values (%s, %s, 'immediate', 'standard', 30, true, %s, app.app_now(), 1) returning id",
        [customer, mechanic, before])

    def move():
        with world.conn.transaction():  # the actor is named for the transaction
            world.conn.execute("select app.set_actor(%s, 'matrix')", [mechanic])
            world.conn.execute("update app.sessions set status = %s where id = %s", [after, session])

    if (before, after) in ALLOWED:
        move()
        row = world.conn.execute("select * from app.sessions where id = %s", [session]).fetchone()
        assert row["status"] == after
        if after in STAMPS:
            assert row[STAMPS[after]] == NOW
        event = world.conn.execute("select from_status, to_status, actor_id, reason, at from app.session_events "
                                   "where session_id = %s order by id desc limit 1", [session]).fetchone()
        assert event == {"from_status": before, "to_status": after, "actor_id": mechanic, "reason": "matrix", "at": NOW}
    else:
        assert sqlstate(move) == "UR001"
        assert world.value("select status from app.sessions where id = %s", [session]) == before


def test_events_name_the_actor_and_reason(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    session = book(world, customer, hold(world, customer, mechanic, at("2026-11-24 10:00"))["hold_id"])
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic, session])
    events = world.conn.execute("select actor_id, from_status, to_status, reason from app.session_events "
                                "where session_id = %s order by id", [session]).fetchall()
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        (None, "scheduled"), ("scheduled", "pending"), ("pending", "live"), ("live", "completed")]
    assert events[0]["actor_id"] == customer and events[0]["reason"] == "booked"
    assert events[2]["actor_id"] == mechanic and events[3]["reason"] == "completed by the mechanic"


def test_a_scheduled_session_takes_its_hold(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    held = hold(world, customer, mechanic, at("2026-11-24 10:00"))
    assert held["expires_at"] == NOW + timedelta(minutes=15)
    assert held["ends_at"] - held["starts_at"] == timedelta(minutes=30)
    session = book(world, customer, held["hold_id"])
    row = world.conn.execute("select s.status, s.scheduled_for, s.mechanic_id, s.reservation_id, r.status as claim "
                             "from app.sessions s join app.slot_reservations r on r.id = s.reservation_id "
                             "where s.id = %s", [session]).fetchone()
    assert row == {"status": "scheduled", "scheduled_for": at("2026-11-24 10:00"), "mechanic_id": mechanic,
                   "reservation_id": held["hold_id"], "claim": "confirmed"}
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "booked"


def test_instant_booking_off_makes_a_request_the_mechanic_answers(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, instant_booking=False)
    accepted = book(world, customer, hold(world, customer, mechanic, at("2026-11-24 10:00"))["hold_id"])
    declined = book(world, customer, hold(world, customer, mechanic, at("2026-11-24 12:00"))["hold_id"])
    assert world.value("select status from app.sessions where id = %s", [accepted]) == "requested"
    assert world.value("select app.respond_to_request(%s, %s, true)", [mechanic, accepted]) == "scheduled"
    assert world.value("select app.respond_to_request(%s, %s, false, 'away that day')", [mechanic, declined]) == "cancelled"
    assert world.reason(mechanic, at("2026-11-24 12:00")) is None  # the declined request gave its time back
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "booked"
    other = world.mechanic()
    assert sqlstate(lambda: world.conn.execute("select app.respond_to_request(%s, %s, true)", [other, accepted])) == "UN001"


def test_cancelling_or_expiring_a_session_gives_its_time_back(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = book(world, customer, hold(world, customer, mechanic, at("2026-11-24 10:00"))["hold_id"])
    world.conn.execute("update app.sessions set status = 'cancelled' where id = %s", [session])
    assert world.value("select r.status from app.slot_reservations r join app.sessions s on s.reservation_id = r.id "
                       "where s.id = %s", [session]) == "cancelled"
    assert world.reason(mechanic, at("2026-11-24 10:00")) is None


@pytest.mark.parametrize("change, code", [
    (dict(concern="Too short"), "UV009"),
    (dict(advice=False, vehicle=None), "UV010"),
    (dict(advice=True, vehicle="someone else's"), "UV001"),
])
def test_create_session_refuses_bad_input_and_creates_nothing(world, change, code):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    held = hold(world, customer, mechanic, at("2026-11-24 10:00"))
    if change.get("vehicle") == "someone else's":
        other = world.customer()
        change["vehicle"] = world.value("select app.add_vehicle(p_actor => %s, p_year => 2020, p_make => 'Kia', "
                                        "p_model => 'Soul')", [other])
    assert sqlstate(lambda: book(world, customer, held["hold_id"], **change)) == code
    assert world.value("select count(*) from app.sessions") == 0
    assert world.value("select status from app.slot_reservations where id = %s", [held["hold_id"]]) == "reserved"


def test_someone_elses_vehicle_or_hold_is_not_found(world):
    customer, other, mechanic = world.customer(), world.customer(), world.mechanic(blocks=ALL_DAY)
    theirs = world.value("select app.add_vehicle(p_actor => %s, p_year => 2020, p_make => 'Kia', p_model => 'Soul')", [other])
    held = hold(world, other, mechanic, at("2026-11-24 10:00"))
    assert sqlstate(lambda: book(world, customer, held["hold_id"])) == "UN001"
    assert sqlstate(lambda: book(world, customer, hold(world, customer, mechanic, at("2026-11-24 12:00"))["hold_id"],
                                 vehicle=theirs, advice=False)) == "UN001"
    assert world.value("select count(*) from app.sessions") == 0


def test_an_expired_hold_cannot_be_booked(world, database):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    held = hold(world, customer, mechanic, at("2026-11-24 10:00"))
    database.set_clock(NOW + timedelta(minutes=15))
    assert sqlstate(lambda: book(world, customer, held["hold_id"])) == "UR003"
    assert world.value("select count(*) from app.sessions") == 0


def test_a_lost_race_is_a_conflict_with_alternatives(world):
    first, second, mechanic = world.customer(), world.customer(), world.mechanic(blocks={2: [("09:00", "12:00")]})
    hold(world, first, mechanic, at("2026-11-24 10:00"))
    assert sqlstate(lambda: hold(world, second, mechanic, at("2026-11-24 10:00"))) == "UC001"
    nearest = [r["nearest_free_starts"] for r in world.conn.execute(
        "select * from app.nearest_free_starts(%s, %s, 'standard', 'online', %s, 3)", [mechanic, at("2026-11-24 10:00"), second])]
    # 09:00 and 11:00 are free; 09:30 and 10:30 sit inside the 15-minute buffer of the 10:00 hold
    assert nearest == [at("2026-11-24 09:00"), at("2026-11-24 11:00"), at("2026-11-24 11:30")]  # ties: earlier first


def test_a_stale_hold_never_blocks_anyone(world, database):
    first, second, mechanic = world.customer(), world.customer(), world.mechanic(blocks=ALL_DAY)
    stale = hold(world, first, mechanic, at("2026-11-24 10:00"))["hold_id"]
    database.set_clock(NOW + timedelta(minutes=15))
    assert world.reason(mechanic, at("2026-11-24 10:00")) is None
    taken = hold(world, second, mechanic, at("2026-11-24 10:00"))
    assert taken["hold_id"] != stale
    assert world.value("select status from app.slot_reservations where id = %s", [stale]) == "expired"


def test_one_customer_cannot_hold_two_overlapping_claims(world):
    customer, mechanic, other = world.customer(), world.mechanic(blocks=ALL_DAY), world.mechanic(blocks=ALL_DAY)
    hold(world, customer, mechanic, at("2026-11-24 10:00"))
    assert sqlstate(lambda: hold(world, customer, other, at("2026-11-24 10:00"))) == "UC002"
    assert hold(world, customer, other, at("2026-11-24 10:30"))["hold_id"]  # back to back is fine for people


def test_holds_are_refused_outside_availability_with_the_reason(world):
    customer, mechanic = world.customer(), world.mechanic(blocks={2: [("09:00", "12:00")]})
    with pytest.raises(psycopg.Error) as refused:
        hold(world, customer, mechanic, at("2026-11-24 13:00"))
    assert refused.value.sqlstate == "UR002" and refused.value.diag.message_detail == "outside_hours"
    assert world.value("select count(*) from app.slot_reservations") == 0


def test_holds_are_released_by_their_owner_or_by_time(world, database):
    customer, other, mechanic = world.customer(), world.customer(), world.mechanic(blocks=ALL_DAY)
    mine = hold(world, customer, mechanic, at("2026-11-24 10:00"))["hold_id"]
    assert sqlstate(lambda: world.conn.execute("select app.release_reservation(%s, %s)", [other, mine])) == "UN001"
    world.conn.execute("select app.release_reservation(%s, %s)", [customer, mine])
    assert world.value("select status from app.slot_reservations where id = %s", [mine]) == "cancelled"
    hold(world, customer, mechanic, at("2026-11-24 11:00"))
    hold(world, other, mechanic, at("2026-11-24 12:00"))
    assert world.value("select app.release_expired_reservations()") == 0
    database.set_clock(NOW + timedelta(minutes=15))
    assert world.value("select app.release_expired_reservations()") == 2
    assert world.value("select app.release_expired_reservations()") == 0  # idempotent


def test_only_customers_hold_slots(world):
    mechanic = world.mechanic(blocks=ALL_DAY)
    assert sqlstate(lambda: hold(world, mechanic, mechanic, at("2026-11-24 10:00"))) == "UP001"
