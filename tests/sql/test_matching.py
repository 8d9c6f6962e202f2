"""Matching and offers (SPEC §8): the score and its reasons, who is ranked, and exactly one winner."""
from datetime import timedelta

import psycopg
import pytest

from conftest import NOW
from availability_world import local
from support import sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


def profile(world, mechanic, **columns):
    for column, value in columns.items():
        world.conn.execute(f"update app.mechanics set {column} = %s where id = %s", [value, mechanic])
    return mechanic


def torontonian(world):
    customer = world.customer()
    world.conn.execute("update app.customers set city = 'Toronto', postal_code = 'M5V 2T6' where id = %s", [customer])
    return customer


def ranking(world, customer, **args):
    return {r["mechanic_id"]: (r["score"], r["reasons"]) for r in world.conn.execute(
        "select * from app.rank_mechanics(p_customer => %(c)s, p_make => %(make)s, p_concern => %(concern)s, "
        "p_request_type => %(request)s, p_service_type => %(service)s)",
        {"c": customer, "make": args.get("make"), "concern": args.get("concern"),
         "request": args.get("request", "general"), "service": args.get("service", "online")})}


def test_scores_and_reasons_follow_the_spec(world):
    customer = torontonian(world)
    star = profile(world, world.mechanic(), currently_on_shift=True, brands=["Honda"], years_experience=12,
                   rating=5.0, specialties=["brakes", "electrical", "diesel"], postal_code="M5V 1A1", city="Toronto")
    recent = profile(world, world.mechanic(), last_seen_at=NOW - timedelta(minutes=20), years_experience=6,
                     rating=4.2, postal_code="M4C 1B5", city="toronto")
    hour = profile(world, world.mechanic(), last_seen_at=NOW - timedelta(minutes=45), rating=3.6)
    today = profile(world, world.mechanic(), last_seen_at=local("America/Toronto", "2026-11-23 00:30"), rating=4.7)
    yesterday = profile(world, world.mechanic(), last_seen_at=local("America/Toronto", "2026-11-22 23:30"), rating=3.4)
    ranks = ranking(world, customer, make="honda", concern="My BRAKES squeal and the electrical system flickers")
    assert ranks[star] == (160, ["online now +50", "specialist in honda +30", "12 years of experience +20",
                                 "same area (M5V) +10", "rated 5.0 +20", "knows brakes +15", "knows electrical +15"])
    assert ranks[recent] == (55, ["seen in the last 30 min +30", "6 years of experience +10", "same city +5", "rated 4.2 +10"])
    assert ranks[hour] == (25, ["seen in the last hour +20", "rated 3.6 +5"])
    assert ranks[today] == (25, ["seen today +10", "rated 4.7 +15"])
    assert ranks[yesterday] == (0, [])
    assert list(ranks) == [star, recent, hour, today, yesterday]  # best first (ties by id)


def test_brand_specialist_and_in_person_requests_narrow_the_field(world):
    customer = world.customer()
    shop = world.workshop()
    honda = profile(world, world.mechanic(), brands=["Honda", "Acura"])
    at_shop = profile(world, world.mechanic(workshop=shop, partnership="employee"), brands=["Ford"])
    assert set(ranking(world, customer, make="HONDA", request="brand_specialist")) == {honda}
    assert set(ranking(world, customer, service="in_person")) == {at_shop}
    assert sqlstate(lambda: ranking(world, customer, request="brand_specialist")) == "UV008"


def test_for_a_scheduled_time_only_free_mechanics_are_ranked(world):
    customer = world.customer()
    best = profile(world, world.mechanic(blocks=ALL_DAY), rating=5.0, years_experience=20)
    second = profile(world, world.mechanic(blocks=ALL_DAY), rating=4.5)
    away = profile(world, world.mechanic(blocks={1: [("00:00", "01:00")]}), rating=5.0, years_experience=30)
    start = local("America/Toronto", "2026-11-24 10:00")
    world.claim(best, world.customer(), start)
    matched = world.conn.execute("select mechanic_id from app.match_mechanics_at(%s, %s, 'standard')", [customer, start]).fetchall()
    assert [m["mechanic_id"] for m in matched] == [second]
    assert away not in [m["mechanic_id"] for m in matched]


def test_any_available_mechanic_holds_the_best_free_one(world):
    customer = world.customer()
    best = profile(world, world.mechanic(blocks=ALL_DAY), rating=5.0)
    second = profile(world, world.mechanic(blocks=ALL_DAY), rating=4.0)
    start = local("America/Toronto", "2026-11-24 10:00")
    held = world.conn.execute("select * from app.reserve_any_slot(%s, %s, 'standard')", [customer, start]).fetchone()
    assert held["mechanic_id"] == best and world.reason(best, start) == "booked"
    other = world.customer()
    assert world.conn.execute("select * from app.reserve_any_slot(%s, %s, 'standard')", [other, start]).fetchone()["mechanic_id"] == second
    assert sqlstate(lambda: world.conn.execute("select * from app.reserve_any_slot(%s, %s, 'standard')",
                                               [world.customer(), start])) == "UC001"


def immediate(world, customer, concern="The engine light is on and the car shakes."):
    return world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                       "p_advice_only => true, p_concern => %s)", [customer, concern])


def offers(world, session):
    return {(o["mechanic_id"], o["kind"]): o["status"] for o in world.conn.execute(
        "select mechanic_id, kind, status from app.session_offers where session_id = %s", [session])}


def test_an_immediate_session_goes_to_the_top_three_online_and_a_broadcast(world):
    online = [profile(world, world.mechanic(), currently_on_shift=True, rating=r) for r in (5.0, 4.6, 4.1, 3.6)]
    offline = profile(world, world.mechanic(), rating=5.0, years_experience=40)
    session = immediate(world, world.customer())
    assert world.value("select status from app.sessions where id = %s", [session]) == "pending"
    assert offers(world, session) == {(online[0], "targeted"): "open", (online[1], "targeted"): "open",
                                      (online[2], "targeted"): "open", (None, "broadcast"): "open"}
    assert (offline, "targeted") not in offers(world, session)


def test_the_first_acceptance_wins_and_the_rest_are_withdrawn(world):
    first, second, third = (profile(world, world.mechanic(), currently_on_shift=True) for _ in range(3))
    session = immediate(world, world.customer())
    world.conn.execute("select app.accept_offer(%s, %s)", [second, session])
    assert world.value("select mechanic_id from app.sessions where id = %s", [session]) == second
    assert offers(world, session) == {(first, "targeted"): "withdrawn", (second, "targeted"): "accepted",
                                      (third, "targeted"): "withdrawn", (None, "broadcast"): "withdrawn"}
    assert sqlstate(lambda: world.conn.execute("select app.accept_offer(%s, %s)", [first, session])) == "UC003"
    # one who was never offered it learns nothing: taken, over or never there are the same 404
    outsider = world.mechanic()
    for probe in (session, session + 1000):
        assert sqlstate(lambda: world.conn.execute("select app.accept_offer(%s, %s)", [outsider, probe])) == "UN001"


def test_the_broadcast_is_for_online_mechanics_who_did_not_decline(world):
    targeted = [profile(world, world.mechanic(), currently_on_shift=True, rating=5.0) for _ in range(3)]
    latecomer = profile(world, world.mechanic(), currently_on_shift=True)
    offline = world.mechanic()
    session = immediate(world, world.customer())
    # never offered to them: answered as a missing session, so that ids cannot be probed
    assert sqlstate(lambda: world.conn.execute("select app.accept_offer(%s, %s)", [offline, session])) == "UN001"
    world.conn.execute("select app.decline_offer(%s, %s)", [latecomer, session])
    assert sqlstate(lambda: world.conn.execute("select app.accept_offer(%s, %s)", [latecomer, session])) == "UR004"
    other = profile(world, world.mechanic(), currently_on_shift=True)
    world.conn.execute("select app.accept_offer(%s, %s)", [other, session])
    assert world.value("select mechanic_id from app.sessions where id = %s", [session]) == other
    assert all(offers(world, session)[(m, "targeted")] == "withdrawn" for m in targeted)


def test_declining_carries_no_penalty(world):
    mechanic = profile(world, world.mechanic(), currently_on_shift=True, rating=4.8)
    before = ranking(world, world.customer())[mechanic]
    session = immediate(world, world.customer())
    world.conn.execute("select app.decline_offer(%s, %s)", [mechanic, session])
    assert offers(world, session)[(mechanic, "targeted")] == "declined"
    assert ranking(world, world.customer())[mechanic] == before  # nothing counted against them
    assert world.value("select currently_on_shift from app.mechanics where id = %s", [mechanic]) is True
    assert sqlstate(lambda: world.conn.execute("select app.decline_offer(%s, %s)", [mechanic, session + 999])) == "UN001"


def test_a_customer_has_one_active_immediate_session(world):
    customer = world.customer()
    immediate(world, customer)
    with pytest.raises(psycopg.errors.UniqueViolation) as refused:
        immediate(world, customer)
    assert refused.value.diag.constraint_name == "sessions_one_active_immediate"


def test_going_online_and_offline(world):
    mechanic = world.mechanic()
    assert world.value("select app.set_on_shift(%s, true)", [mechanic]) is True
    row = world.conn.execute("select currently_on_shift, last_seen_at from app.mechanics where id = %s", [mechanic]).fetchone()
    assert row == {"currently_on_shift": True, "last_seen_at": NOW}
    world.conn.execute("select app.set_on_shift(%s, false)", [mechanic])
    assert world.value("select currently_on_shift from app.mechanics where id = %s", [mechanic]) is False
    assert sqlstate(lambda: world.conn.execute("select app.set_on_shift(%s, true)", [world.customer()])) == "UP001"


def test_mechanic_type_follows_workshop_and_partnership(world):
    shop = world.workshop()
    kinds = {world.mechanic(): "virtual_only",
             world.mechanic(workshop=shop, partnership="owner"): "independent_workshop",
             world.mechanic(workshop=shop, partnership="employee"): "workshop_affiliated",
             world.mechanic(workshop=shop, partnership="contractor"): "workshop_affiliated"}
    for mechanic, kind in kinds.items():
        assert world.value("select app.mechanic_type(%s)", [mechanic]) == kind
    assert world.value("select app.mechanic_type(999999)") is None
