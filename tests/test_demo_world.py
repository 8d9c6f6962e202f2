"""The demo world is believable and complete: every mechanic type, three zones, people online, time off."""
import demo


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
