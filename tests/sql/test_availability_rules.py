"""SPEC §5, rule by rule, at its edges, for every mechanic type."""
from datetime import date, timedelta

import psycopg
import pytest

from conftest import NOW
from availability_world import local

TO = "America/Toronto"
WEEKDAYS = {d: [("09:00", "17:00")] for d in range(1, 8)}
SHOP_HOURS = {d: ("08:00", "17:00", "12:00", "13:00") for d in range(1, 7)} | {7: None}


def at(text):
    return local(TO, text)


def test_block_edges(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "17:00")]})
    assert world.reason(mechanic, at("2026-11-24 09:00")) is None
    assert world.reason(mechanic, at("2026-11-24 08:30")) == "outside_hours"
    assert world.reason(mechanic, at("2026-11-24 16:30")) is None  # ends exactly at 17:00
    assert world.reason(mechanic, at("2026-11-24 16:30"), minutes=45) == "outside_hours"
    assert world.reason(mechanic, at("2026-11-24 17:00")) == "outside_hours"
    assert world.reason(mechanic, at("2026-11-25 09:00")) == "outside_hours"  # no block on Wednesday


def test_touching_blocks_make_one_stretch(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "12:00"), ("12:00", "15:00")], 3: [("09:00", "12:00"), ("12:30", "15:00")]})
    assert world.reason(mechanic, at("2026-11-24 11:30"), minutes=60) is None
    assert world.reason(mechanic, at("2026-11-25 11:30"), minutes=60) == "outside_hours"


def test_buffer_edges_around_a_booking(world):
    mechanic = world.mechanic(blocks=WEEKDAYS, buffer_minutes=15, slot_interval_minutes=15)
    world.claim(mechanic, world.customer(), at("2026-11-24 10:00"))  # 10:00-10:30, buffer 15
    assert world.reason(mechanic, at("2026-11-24 09:15")) is None  # ends 09:45: 15 minutes before
    assert world.reason(mechanic, at("2026-11-24 09:30")) == "booked"  # ends 10:00: no gap
    assert world.reason(mechanic, at("2026-11-24 10:30")) == "booked"  # starts at its end
    assert world.reason(mechanic, at("2026-11-24 10:45")) is None  # 15 minutes after


def test_no_buffer_means_back_to_back(world):
    mechanic = world.mechanic(blocks=WEEKDAYS, buffer_minutes=0)
    world.claim(mechanic, world.customer(), at("2026-11-24 10:00"))
    assert world.reason(mechanic, at("2026-11-24 09:30")) is None
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "booked"
    assert world.reason(mechanic, at("2026-11-24 10:30")) is None


def test_live_holds_block_and_stale_or_ended_claims_do_not(world):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    customer = world.customer()
    world.claim(mechanic, customer, at("2026-11-24 10:00"), status="reserved")
    world.claim(mechanic, customer, at("2026-11-24 12:00"), status="reserved", expires_at=NOW - timedelta(seconds=1))
    world.claim(mechanic, customer, at("2026-11-24 14:00"), status="cancelled")
    world.claim(mechanic, customer, at("2026-11-24 15:30"), status="expired", expires_at=NOW)
    assert world.reason(mechanic, at("2026-11-24 10:00")) == "booked"
    assert world.reason(mechanic, at("2026-11-24 12:00")) is None
    assert world.reason(mechanic, at("2026-11-24 14:00")) is None
    assert world.reason(mechanic, at("2026-11-24 15:30")) is None


def test_minimum_notice_edge(world):
    mechanic = world.mechanic(blocks=WEEKDAYS, min_notice_minutes=120)
    assert world.reason(mechanic, at("2026-11-23 11:00")) is None  # exactly now + 2 h
    assert world.reason(mechanic, at("2026-11-23 10:30")) == "too_soon"
    assert world.reason(mechanic, at("2026-11-23 08:00")) == "too_soon"  # the past


def test_maximum_advance_edge(world):
    mechanic = world.mechanic(blocks=WEEKDAYS, max_advance_days=30)
    assert world.reason(mechanic, at("2026-12-23 09:00")) is None  # exactly now + 30 days
    assert world.reason(mechanic, at("2026-12-23 09:30")) == "too_far"


def test_time_off_covers_its_first_and_last_local_day(world):
    mechanic = world.mechanic(blocks={d: [("00:00", "24:00")] for d in range(1, 8)})
    world.time_off(mechanic, date(2026, 11, 25), date(2026, 11, 26))
    world.time_off(mechanic, date(2026, 11, 28), date(2026, 11, 28), status="cancelled")
    world.time_off(mechanic, date(2026, 11, 29), date(2026, 11, 29), status="pending")
    assert world.reason(mechanic, at("2026-11-24 23:30")) is None
    assert world.reason(mechanic, at("2026-11-25 00:00")) == "time_off"
    assert world.reason(mechanic, at("2026-11-26 23:30")) == "time_off"
    assert world.reason(mechanic, at("2026-11-27 00:00")) is None
    assert world.reason(mechanic, at("2026-11-28 10:00")) is None
    assert world.reason(mechanic, at("2026-11-29 10:00")) is None


def test_time_off_dates_are_the_mechanics_local_dates(world):
    mechanic = world.mechanic(zone="America/Vancouver", blocks={d: [("00:00", "24:00")] for d in range(1, 8)})
    world.time_off(mechanic, date(2026, 11, 25), date(2026, 11, 25))
    # 02:00 on the 26th in Toronto is 23:00 on the 25th in Vancouver
    assert world.reason(mechanic, at("2026-11-26 02:00")) == "time_off"
    assert world.reason(mechanic, at("2026-11-26 03:00")) is None


def test_workshop_affiliated_mechanic_follows_workshop_hours_and_break(world):
    shop = world.workshop(hours=SHOP_HOURS)
    mechanic = world.mechanic(workshop=shop, partnership="employee", blocks={})
    assert world.reason(mechanic, at("2026-11-24 08:00")) is None
    assert world.reason(mechanic, at("2026-11-24 07:30")) == "outside_hours"
    assert world.reason(mechanic, at("2026-11-24 11:30")) is None  # ends as the break starts
    assert world.reason(mechanic, at("2026-11-24 11:30"), minutes=60) == "break"
    assert world.reason(mechanic, at("2026-11-24 12:00")) == "break"
    assert world.reason(mechanic, at("2026-11-24 12:30")) == "break"
    assert world.reason(mechanic, at("2026-11-24 13:00")) is None  # starts as the break ends
    assert world.reason(mechanic, at("2026-11-24 16:30")) is None
    assert world.reason(mechanic, at("2026-11-24 17:00")) == "outside_hours"
    assert world.reason(mechanic, at("2026-11-29 10:00")) == "workshop_closed"  # Sunday


def test_independent_workshop_mechanic_needs_own_block_and_workshop_hours(world):
    shop = world.workshop(hours=SHOP_HOURS)
    mechanic = world.mechanic(workshop=shop, partnership="owner",
                              blocks={2: [("10:00", "20:00")], 7: [("10:00", "14:00")]})
    assert world.reason(mechanic, at("2026-11-24 09:30")) == "outside_hours"  # shop open, no block
    assert world.reason(mechanic, at("2026-11-24 10:00")) is None
    assert world.reason(mechanic, at("2026-11-24 12:00")) == "break"
    assert world.reason(mechanic, at("2026-11-24 16:30")) is None
    assert world.reason(mechanic, at("2026-11-24 17:00")) == "outside_hours"  # block, shop closed
    assert world.reason(mechanic, at("2026-11-25 10:00")) == "outside_hours"  # shop open, no block
    assert world.reason(mechanic, at("2026-11-29 10:00")) == "workshop_closed"  # block, shop closed Sunday


def test_virtual_mechanic_ignores_workshops_but_cannot_see_people_in_person(world):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    assert world.reason(mechanic, at("2026-11-24 12:00")) is None
    assert world.reason(mechanic, at("2026-11-24 12:00"), service="in_person") == "workshop_closed"


def test_workshop_closure_days(world):
    shop = world.workshop(hours=SHOP_HOURS, closures=[date(2026, 12, 10)])
    mechanic = world.mechanic(workshop=shop, partnership="employee")
    assert world.reason(mechanic, at("2026-12-09 10:00")) is None
    assert world.reason(mechanic, at("2026-12-10 10:00")) == "workshop_closed"
    assert world.reason(mechanic, at("2026-12-10 10:00"), service="in_person") == "workshop_closed"


def test_in_person_capacity_at_n_minus_one_and_n(world):
    shop = world.workshop(hours=SHOP_HOURS, capacity=2)
    mechanics = [world.mechanic(workshop=shop, partnership="employee") for _ in range(3)]
    start = at("2026-11-24 10:00")
    world.claim(mechanics[0], world.customer(), start, service="in_person", workshop=shop)
    assert world.reason(mechanics[2], start, service="in_person") is None  # 1 of 2
    assert world.reason(mechanics[2], start) is None  # online does not use a bay
    world.claim(mechanics[1], world.customer(), start, service="in_person", workshop=shop, status="reserved")
    assert world.reason(mechanics[2], start, service="in_person") == "workshop_full"  # 2 of 2
    assert world.reason(mechanics[2], start) is None
    assert world.reason(mechanics[2], at("2026-11-24 10:30"), service="in_person") is None


def test_capacity_counts_claims_at_the_same_moment_only(world):
    shop = world.workshop(hours=SHOP_HOURS, capacity=2)
    mechanics = [world.mechanic(workshop=shop, partnership="employee") for _ in range(3)]
    world.claim(mechanics[0], world.customer(), at("2026-11-24 10:00"), service="in_person", workshop=shop)
    world.claim(mechanics[1], world.customer(), at("2026-11-24 10:30"), service="in_person", workshop=shop)
    # a 60-minute slot from 10:00 meets both claims, but never two at once
    assert world.reason(mechanics[2], at("2026-11-24 10:00"), minutes=60, service="in_person") is None
    world.claim(mechanics[1], world.customer(), at("2026-11-24 09:30"), minutes=60, service="in_person",
                workshop=shop, buffer=0)
    assert world.reason(mechanics[2], at("2026-11-24 10:00"), minutes=60, service="in_person") == "workshop_full"


def test_a_customer_cannot_be_in_two_places(world):
    mechanic, other = world.mechanic(blocks=WEEKDAYS), world.mechanic(blocks=WEEKDAYS)
    customer = world.customer()
    world.claim(other, customer, at("2026-11-24 10:00"))
    assert world.reason(mechanic, at("2026-11-24 10:00"), customer=customer) == "customer_busy"
    assert world.reason(mechanic, at("2026-11-24 09:30"), minutes=45, customer=customer) == "customer_busy"
    assert world.reason(mechanic, at("2026-11-24 10:30"), customer=customer) is None  # no buffer for people
    assert world.reason(mechanic, at("2026-11-24 10:00"), customer=world.customer()) is None


def test_starts_off_the_grid_are_refused(world):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    assert world.reason(mechanic, at("2026-11-24 10:15")) == "off_grid"
    assert world.reason(mechanic, at("2026-11-24 10:00") + timedelta(seconds=1)) == "off_grid"
    half_hour_zone = world.mechanic(zone="America/St_Johns", blocks=WEEKDAYS)
    assert world.reason(half_hour_zone, local("America/St_Johns", "2026-11-24 10:30")) is None


def test_reasons_come_in_a_fixed_order(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "10:00")]})
    world.time_off(mechanic, date(2026, 11, 24), date(2026, 11, 24))
    assert world.reason(mechanic, at("2026-11-24 18:00")) == "time_off"  # also outside hours
    assert world.reason(mechanic, at("2026-11-23 08:00")) == "too_soon"  # also outside hours


def test_is_slot_available_agrees_and_messages_are_human(world):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    with_reason = world.conn.execute("select * from app.slot_availability(%s, %s, %s)",
                                     [mechanic, at("2026-11-24 08:00"), at("2026-11-24 08:30")]).fetchone()
    assert with_reason == {"available": False, "reason": "outside_hours",
                           "message": "Outside the mechanic's working hours."}
    assert world.value("select app.is_slot_available(%s, %s, %s)",
                       [mechanic, at("2026-11-24 09:00"), at("2026-11-24 09:30")]) is True
    assert world.value("select app.is_slot_available(%s, %s, %s)",
                       [mechanic, at("2026-11-24 08:00"), at("2026-11-24 08:30")]) is False


@pytest.mark.parametrize("start, end, service, code", [
    ("2026-11-24 10:00", "2026-11-24 10:00", "online", "UV007"),
    ("2026-11-24 10:00", "2026-11-24 09:30", "online", "UV007"),
    ("2026-11-24 10:00", "2026-11-25 10:00", "online", "UV007"),
    ("2026-11-24 10:00", "2026-11-24 10:30", "by_carrier_pigeon", "UV001"),
])
def test_impossible_slots_are_refused(world, start, end, service, code):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    with pytest.raises(psycopg.Error) as refused:
        world.conn.execute("select * from app.slot_availability(%s, %s, %s, %s)", [mechanic, at(start), at(end), service])
    assert refused.value.sqlstate == code


def test_unknown_mechanic(world):
    with pytest.raises(psycopg.Error) as refused:
        world.conn.execute("select * from app.slot_availability(999999, %s, %s)", [at("2026-11-24 10:00"), at("2026-11-24 10:30")])
    assert refused.value.sqlstate == "UN002"


def test_available_slots_lists_candidates_with_reasons(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "11:00")]})
    world.claim(mechanic, world.customer(), at("2026-11-24 10:00"))
    rows = world.slots(mechanic, date(2026, 11, 24), date(2026, 11, 24))
    assert [(r["slot_start"].astimezone(local(TO, "2026-11-24 00:00").tzinfo).strftime("%H:%M"), r["reason"]) for r in rows] == [
        ("09:00", None), ("09:30", "booked"), ("10:00", "booked"), ("10:30", "booked")]
    assert all(r["available"] == (r["reason"] is None) for r in rows)
    extended = world.slots(mechanic, date(2026, 11, 24), date(2026, 11, 24), plan="extended")
    assert [r["slot_end"] - r["slot_start"] for r in extended] == [timedelta(minutes=45)] * 4


def test_available_slots_follows_the_viewers_dates(world):
    mechanic = world.mechanic(zone="America/Vancouver", blocks={2: [("20:00", "23:00")]})
    # 20:00-23:00 in Vancouver on Tuesday is Wednesday 04:00-07:00 UTC
    in_utc = world.slots(mechanic, date(2026, 11, 25), date(2026, 11, 25), viewer="UTC")
    in_vancouver = world.slots(mechanic, date(2026, 11, 25), date(2026, 11, 25), viewer="America/Vancouver")
    assert len(in_utc) == 6 and in_vancouver == []


def test_available_days_summarises_free_starts_per_viewer_day(world):
    mechanic = world.mechanic(blocks={2: [("09:00", "11:00")], 3: [("09:00", "10:00")]})
    world.time_off(mechanic, date(2026, 11, 25), date(2026, 11, 25))
    days = world.conn.execute("select * from app.available_days(%s, %s, %s, 'standard', 'online', %s)",
                              [mechanic, date(2026, 11, 23), date(2026, 11, 26), TO]).fetchall()
    assert [(d["day"].isoformat(), d["free_starts"]) for d in days] == [
        ("2026-11-23", 0), ("2026-11-24", 4), ("2026-11-25", 0), ("2026-11-26", 0)]


@pytest.mark.parametrize("args, code", [
    ((date(2026, 11, 24), date(2026, 11, 24), "platinum", "online", TO), "UV003"),
    ((date(2026, 11, 24), date(2026, 11, 23), "standard", "online", TO), "UV004"),
    ((date(2026, 11, 1), date(2027, 1, 2), "standard", "online", TO), "UV005"),
    ((date(2026, 11, 24), date(2026, 11, 24), "standard", "online", "Mars/Base"), "UV006"),
    ((date(2026, 11, 24), date(2026, 11, 24), "standard", "telepathy", TO), "UV001"),
])
def test_bad_slot_list_requests_are_refused(world, args, code):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    with pytest.raises(psycopg.Error) as refused:
        world.conn.execute("select * from app.available_slots(%s, %s, %s, %s, %s, %s)", [mechanic, *args])
    assert refused.value.sqlstate == code


def test_sixty_two_days_is_the_most(world):
    mechanic = world.mechanic(blocks=WEEKDAYS)
    assert world.slots(mechanic, date(2026, 11, 1), date(2027, 1, 1))  # 62 days
