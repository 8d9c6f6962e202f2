"""The demo world is believable and complete: every mechanic type, three zones, people online, time off, and
paid bookings in the coming days made as the app makes them."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

import demo
from availability_world import local


def test_demo_world_has_every_kind_of_thing(database):
    demo.seed(database.url)
    with database.owner() as conn:
        zones = conn.execute("select array_agg(distinct timezone order by timezone) as z from app.workshops").fetchone()["z"]
        types = {r["kind"]: r["n"] for r in conn.execute(
            "select app.mechanic_type_of(workshop_id, account_type) as kind, count(*) as n from app.mechanics group by 1")}
        online = conn.execute("select count(*) as n from app.mechanics where currently_on_shift").fetchone()["n"]
        without_blocks = conn.execute(
            "select count(*) as n from app.mechanics m where m.workshop_id is null "
            "and not exists (select 1 from app.mechanic_availability b where b.mechanic_id = m.id)").fetchone()["n"]
        affiliated_with_blocks = conn.execute(
            "select count(*) as n from app.mechanics m where m.account_type = 'workshop_mechanic' "
            "and exists (select 1 from app.mechanic_availability b where b.mechanic_id = m.id)").fetchone()["n"]
        counts = conn.execute(
            "select (select count(*) from app.customers) as customers, (select count(*) from app.vehicles) as vehicles, "
            "(select count(*) from app.mechanic_time_off) as time_off, (select count(*) from app.favorites) as favorites, "
            "(select count(*) from app.workshop_availability where break_start is not null) as breaks, "
            "(select count(*) from app.workshop_admins) as workshop_admins, "
            "(select count(*) from app.users where role = 'admin') as admins").fetchone()
    assert zones == ["America/Halifax", "America/Toronto", "America/Vancouver"]
    assert set(types) == {"virtual_only", "independent_workshop", "workshop_affiliated"}
    assert sum(types.values()) == 20
    assert 3 <= online <= 6
    assert without_blocks == 0 and affiliated_with_blocks == 0
    assert counts["customers"] >= 3 and counts["vehicles"] >= 3 and counts["time_off"] >= 3
    assert counts["favorites"] >= 2 and counts["breaks"] >= 10
    assert counts["workshop_admins"] == 3 and counts["admins"] == 1
    assert not demo.is_empty(database.url)


def test_generated_vins_carry_a_correct_check_digit(database):
    with database.owner() as conn:
        for prefix, serial in (("2HGFC2F5", "JA000018"), ("1FTFW1EF", "CA201012"), ("4S4BSANC", "GA100016")):
            vin = demo.vin_with_check_digit(prefix, serial)
            assert len(vin) == 17
            assert conn.execute("select app.vin_is_valid(%s) as ok", [vin]).fetchone()["ok"]


@pytest.mark.parametrize("clock", [None, "2026-11-28 22:30"], ids=["today", "saturday-night"])
def test_demo_bookings_are_current_paid_and_add_up(database, clock):
    if clock:
        database.set_clock(local("America/Toronto", clock))
    demo.seed(database.url)
    with database.owner() as conn:
        now = conn.execute("select app.app_now() as now").fetchone()["now"]
        sessions = conn.execute(
            "select s.status, s.service_type, s.scheduled_for, m.email as mechanic, w.name as workshop, "
            "       pl.price_cents, r.status as claim, "
            "       (select sum(p.amount_cents) from app.payments p where p.session_id = s.id and p.status = 'succeeded') as paid "
            "from app.sessions s join app.users m on m.id = s.mechanic_id join app.plans pl on pl.code = s.plan_code "
            "join app.slot_reservations r on r.id = s.reservation_id left join app.workshops w on w.id = s.workshop_id "
            "order by s.scheduled_for").fetchall()
        holds = conn.execute("select u.email, r.expires_at from app.slot_reservations r join app.users u on u.id = r.mechanic_id "
                             "where r.status = 'reserved'").fetchall()
        audit = conn.execute("select * from app.money_audit()").fetchall()
        marcus = conn.execute("select id, timezone from app.mechanics where id = (select id from app.users "
                              "where email = 'marcus.chen@autodoctor.example')").fetchone()
        first = next(s["scheduled_for"] for s in sessions if s["mechanic"] == "marcus.chen@autodoctor.example")
        calendar = conn.execute("select kind, session_id from app.mechanic_week(%s, %s)",
                                [marcus["id"], first.astimezone(ZoneInfo(marcus["timezone"])).date()]).fetchall()
    assert len(sessions) == len(demo.BOOKINGS)
    assert sorted(s["status"] for s in sessions) == ["requested"] + ["scheduled"] * (len(demo.BOOKINGS) - 1)
    assert {s["mechanic"] for s in sessions if s["status"] == "requested"} == set(demo.REQUESTS_ONLY)
    assert all(now + timedelta(hours=2) <= s["scheduled_for"] <= now + timedelta(days=14) for s in sessions)
    assert all(s["claim"] == "confirmed" for s in sessions)
    in_person = [s for s in sessions if s["service_type"] == "in_person"]
    assert len(in_person) >= 2 and {s["workshop"] for s in in_person} == {"Queen West Auto Care"}
    assert all(s["paid"] == (1500 if s["service_type"] == "in_person" else s["price_cents"]) for s in sessions)
    assert [h["email"] for h in holds] == ["marcus.chen@autodoctor.example"] and holds[0]["expires_at"] > now
    assert audit == []
    kinds = {row["kind"] for row in calendar}
    assert {"session", "block"} <= kinds
