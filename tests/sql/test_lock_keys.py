"""Advisory lock keys: SQL's turns (app.take_turn) hold for any bigint id, even past 2^31 where the two-key lock's
32-bit halves end, and a timed job's lock is keyed by its name, not by its place in jobs.JOBS."""
from datetime import timedelta

import psycopg
import pytest

import jobs
from availability_world import World, local
from conftest import NOW

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
OPEN = {d: ("08:00", "18:00") for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")
BIG = 2**31 + 7  # p_mechanic::integer overflowed here (22003)


@pytest.fixture
def big_world(database):
    """The test world with every new user and workshop numbered above 2^31."""
    database.set_clock(NOW)
    with database.owner() as conn:
        for table in ("users", "workshops"):
            conn.execute("select setval(pg_get_serial_sequence(%s, 'id'), %s)", [f"app.{table}", BIG])
        yield World(conn)


def test_people_and_workshops_numbered_past_2_31_book_pay_and_take_time_off(big_world):
    world = big_world
    workshop = world.workshop(hours=OPEN)
    mechanic = world.mechanic(blocks=ALL_DAY, workshop=workshop, partnership="employee")
    customer = world.customer()
    assert min(workshop, mechanic, customer) > 2**31
    # claim_slot's turns (mechanic, then the workshop's capacity) and begin_checkout's (the customer)
    payment = world.pay(customer, mechanic, START, service="in_person")
    assert payment["status"] == "succeeded" and payment["session_id"] is not None
    assert world.value("select workshop_id from app.slot_reservations where mechanic_id = %s", [mechanic]) == workshop
    # add_time_off's turn (the mechanic's time off)
    added = world.conn.execute("select * from app.add_time_off(%s, '2026-12-01', '2026-12-02')", [mechanic]).fetchone()
    assert added["booked_sessions"] == 0
    assert world.conn.execute("select * from app.money_audit()").fetchall() == []


def test_claims_on_a_mechanic_numbered_past_2_31_still_take_turns(big_world, database):
    world = big_world
    mechanic, other = world.mechanic(blocks=ALL_DAY), world.mechanic(blocks=ALL_DAY)
    first, second, third = world.customer(), world.customer(), world.customer()
    hold = "select hold_id from app.reserve_slot(%s, %s, %s, 'standard')"
    with psycopg.connect(database.url) as holding, database.owner() as waiting:
        holding.execute(hold, [first, mechanic, START])  # its transaction keeps the mechanic's turn
        waiting.execute("set lock_timeout = '300ms'")
        with pytest.raises(psycopg.errors.LockNotAvailable):  # another time of the same mechanic waits its turn
            waiting.execute(hold, [second, mechanic, START + timedelta(hours=2)])
        waiting.execute(hold, [third, other, START + timedelta(hours=2)])  # another mechanic's does not
        holding.commit()
        waiting.execute(hold, [second, mechanic, START + timedelta(hours=2)])
    assert world.value("select count(*) from app.slot_reservations where mechanic_id = %s", [mechanic]) == 2


def test_a_jobs_lock_follows_its_name_wherever_it_stands_in_jobs(app, database, monkeypatch):
    assert database.scalar("select count(distinct hashtext(name)) from unnest(%s::text[]) name",
                           [list(jobs.JOBS)]) == len(jobs.JOBS)  # no two jobs share a key
    with database.owner() as elsewhere:
        elsewhere.execute("select pg_advisory_lock(%s, hashtext(%s))", [jobs.JOB_LOCK_CLASS, "handle_no_shows"])
        listed = jobs.JOBS
        for reordered in ({"a_new_job": jobs.Job("a_new_job", 1), **listed},  # a job added in front moves every place
                          dict(reversed(listed.items()))):
            monkeypatch.setattr(jobs, "JOBS", reordered)
            assert jobs.run_job(app, "handle_no_shows") is None
            assert jobs.run_job(app, "expire_waitlist_entries") == 0
        elsewhere.execute("select pg_advisory_unlock(%s, hashtext(%s))", [jobs.JOB_LOCK_CLASS, "handle_no_shows"])
        assert jobs.run_job(app, "handle_no_shows") == 0
