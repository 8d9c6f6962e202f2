"""No double booking under any race, with real parallel connections logged in as the app (SPEC §6, §8)."""
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from availability_world import World

pytestmark = pytest.mark.slow  # hundreds of parallel connections

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=timezone.utc)
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


@pytest.fixture
def arena(database):
    """A mechanic free all day (15-minute buffer), 100 customers, and an app connection acting for each."""
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0, buffer_minutes=15)
        customers = [world.customer() for _ in range(100)]
    connections = [database.acting(customer) for customer in customers]
    yield database, mechanic, customers, connections
    for conn in connections:
        conn.close()


def all_at_once(connections, work):
    """Runs work(index, connection) on every connection in parallel, released together by a barrier; returns
    (index, None or SQLSTATE) for each."""
    barrier = threading.Barrier(len(connections))

    def run(index):
        barrier.wait()
        try:
            work(index, connections[index])
            return index, None
        except psycopg.Error as failure:
            return index, failure.sqlstate or type(failure).__name__

    with ThreadPoolExecutor(max_workers=len(connections)) as pool:
        return list(pool.map(run, range(len(connections))))


def overlapping_claims(database, mechanic):
    return database.scalar(
        "select count(*) from app.slot_reservations a join app.slot_reservations b on a.id < b.id "
        "where a.mechanic_id = %s and b.mechanic_id = a.mechanic_id "
        "and a.status in ('reserved', 'confirmed') and b.status in ('reserved', 'confirmed') "
        "and tstzrange(a.starts_at, a.blocked_until) && tstzrange(b.starts_at, b.blocked_until)", [mechanic])


def test_a_hundred_clients_claim_one_slot_twenty_times(arena):
    database, mechanic, customers, connections = arena
    for round_number in range(20):
        start = NOW + timedelta(days=1, hours=round_number)

        def claim(index, conn):
            conn.execute("select * from app.reserve_slot(%s, %s, %s, 'standard')", [customers[index], mechanic, start])

        outcomes = [state for _, state in all_at_once(connections, claim)]
        assert outcomes.count(None) == 1, round_number
        assert outcomes.count("UC001") == 99, set(outcomes)
        # the winner books it (a customer holds at most three times at once: reserve_slot's limit)
        database.scalar("update app.slot_reservations set status = 'confirmed', confirmed_at = %s "
                        "where status = 'reserved' returning id", [NOW])
    assert database.scalar("select count(*) from app.slot_reservations where status = 'confirmed'") == 20
    assert overlapping_claims(database, mechanic) == 0


def test_random_overlapping_claims_with_half_rolled_back(arena):
    database, mechanic, customers, connections = arena
    rng = random.Random(7)
    for round_number in range(5):
        window = NOW + timedelta(days=2 + round_number)
        wanted = {i: window + timedelta(minutes=30 * rng.randrange(6)) for i in range(100)}
        rolls_back = {i: rng.random() < 0.5 for i in range(100)}

        def claim(index, conn):
            with conn.transaction():
                conn.execute("select * from app.reserve_slot(%s, %s, %s, 'extended')",
                             [customers[index], mechanic, wanted[index]])
                if rolls_back[index]:
                    raise psycopg.Rollback()

        outcomes = dict(all_at_once(connections, claim))
        assert set(outcomes.values()) <= {None, "UC001"}, outcomes  # no deadlock, no serialization failure
        assert overlapping_claims(database, mechanic) == 0
        kept = {i for i, state in outcomes.items() if state is None and not rolls_back[i]}
        held = database.scalar("select array_agg(customer_id) from app.slot_reservations where status = 'reserved' "
                               "and starts_at >= %s and starts_at < %s", [window, window + timedelta(hours=4)]) or []
        assert set(held) == {customers[i] for i in kept}
        for index, state in outcomes.items():
            if state == "UC001" and not rolls_back[index]:  # refused only because a kept claim is in the way
                start = wanted[index]
                assert database.scalar("select reason from app.slot_availability(%s, %s, %s)",
                                       [mechanic, start, start + timedelta(minutes=45)]) == "booked"


def test_fifty_mechanics_accept_one_offer_at_once(database):
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        mechanics = [world.mechanic() for _ in range(50)]
        conn.execute("update app.mechanics set currently_on_shift = true")
        customer = world.customer()
        session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                              "p_advice_only => true, p_concern => 'The car will not start this morning.')", [customer])
    connections = [database.acting(mechanic) for mechanic in mechanics]
    try:
        outcomes = dict(all_at_once(connections, lambda index, conn: conn.execute(
            "select app.accept_offer(%s, %s)", [mechanics[index], session])))
    finally:
        for conn in connections:
            conn.close()
    winners = [mechanics[i] for i, state in outcomes.items() if state is None]
    assert len(winners) == 1
    assert sorted(state for state in outcomes.values() if state) == ["UC003"] * 49
    assert database.scalar("select mechanic_id from app.sessions where id = %s", [session]) == winners[0]
    assert database.scalar("select count(*) from app.session_offers where session_id = %s and status = 'accepted'",
                           [session]) == 1


def test_moves_and_new_holds_racing_for_one_time_let_exactly_one_through(arena):
    """Ten customers move their bookings to the same time while ten others try to hold it (SPEC §3.3, §6)."""
    database, mechanic, customers, connections = arena
    target = NOW + timedelta(days=2)
    sessions = []
    with database.owner() as conn:
        for n, customer in enumerate(customers[:10]):
            hold = conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                                [customer, mechanic, NOW + timedelta(days=1, hours=n)]).fetchone()["hold_id"]
            sessions.append(conn.execute("select app.create_session(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                                         "p_hold_id => %s, p_advice_only => true, p_concern => 'A noise when braking.')",
                                         [customer, hold]).fetchone()["create_session"])

    def move_or_hold(index, conn):
        if index < 10:
            conn.execute("select * from app.reschedule_session(%s, %s, %s)", [customers[index], sessions[index], target])
        else:
            conn.execute("select * from app.reserve_slot(%s, %s, %s, 'standard')", [customers[index], mechanic, target])

    outcomes = all_at_once(connections[:20], move_or_hold)
    assert [state for _, state in outcomes].count(None) == 1
    assert {state for _, state in outcomes} - {None} == {"UC001"}
    assert overlapping_claims(database, mechanic) == 0
    assert database.scalar("select count(*) from app.slot_reservations where starts_at = %s "
                           "and status in ('reserved', 'confirmed')", [target]) == 1
    # the nine moves that lost kept their booking where it was
    assert database.scalar("select count(*) from app.sessions s join app.slot_reservations r on r.id = s.reservation_id "
                           "where r.status = 'confirmed'") == 10


def test_twelve_parallel_uploads_keep_five_files_and_the_job_deletes_strays(database):
    database.set_clock(NOW)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with database.owner() as conn:
        customer = World(conn).customer()
    connections = [database.acting(customer) for _ in range(12)]
    try:
        outcomes = [state for _, state in all_at_once(connections, lambda index, conn: conn.execute(
            "select * from app.add_attachment(%s, 'book', %s, %s)", [customer, f"p{index}.png", png]))]
    finally:
        for conn in connections:
            conn.close()
    assert outcomes.count(None) == 5 and outcomes.count("UV015") == 7
    listed = database.scalar("select count(*) from app.attachments where customer_id = %s and draft_flow = 'book'",
                             [customer])
    assert listed == 5 == database.scalar("select count(*) from app.attachments where customer_id = %s", [customer])

    # a file no draft lists and no session has (from before the lock, or a draft forgotten) goes after an hour
    with database.owner() as conn:
        stray = conn.execute("insert into app.attachments (customer_id, filename, content_type, size_bytes, data, "
                             "created_at) values (%s, 'stray.png', 'image/png', %s, %s, %s) returning id",
                             [customer, len(png), png, NOW - timedelta(minutes=30)]).fetchone()["id"]
        assert conn.execute("select app.forget_stale_drafts() as n").fetchone()["n"] == 0
        assert conn.execute("select count(*) as n from app.attachments where id = %s", [stray]).fetchone()["n"] == 1
        conn.execute("select app.set_app_clock(%s)", [NOW + timedelta(hours=1)])
        conn.execute("select app.forget_stale_drafts()")
        kept = {r["id"] for r in conn.execute("select id from app.attachments where customer_id = %s", [customer])}
        assert stray not in kept and len(kept) == 5  # the draft's five stay while the draft lives
        # a draft untouched for a day forgets itself, and its files go an hour later at most
        conn.execute("select app.set_app_clock(%s)", [NOW + timedelta(hours=25)])
        assert conn.execute("select app.forget_stale_drafts() as n").fetchone()["n"] == 1
        assert conn.execute("select count(*) as n from app.attachments where customer_id = %s", [customer]).fetchone()["n"] == 0


def test_eight_parallel_holds_of_one_customer_keep_three(database):
    database.set_clock(NOW)
    with database.owner() as conn:
        world = World(conn)
        mechanics = [world.mechanic(blocks={2: [("09:00", "17:00")]}) for _ in range(8)]
        customer = world.customer()
    start = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    connections = [database.acting(customer) for _ in range(8)]
    try:
        outcomes = [state for _, state in all_at_once(connections, lambda index, conn: conn.execute(
            "select * from app.reserve_slot(%s, %s, %s, 'standard')",
            [customer, mechanics[index], start + timedelta(minutes=30 * index)]))]
    finally:
        for conn in connections:
            conn.close()
    # eight free times with eight mechanics: three holds at most, however the requests interleave
    assert outcomes.count(None) == 3 and outcomes.count("UL002") == 5
    assert database.scalar("select count(*) from app.slot_reservations where customer_id = %s and status = 'reserved'",
                           [customer]) == 3
