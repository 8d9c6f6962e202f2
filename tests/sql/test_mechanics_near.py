"""Mechanics for an in-person visit, nearest workshop first (list_mechanics_near, postal_distance_km): from the
postal code of the acting customer's profile, whatever the ratings or who is online; online sessions keep
list_mechanics' order; only the customer themselves can ask (their location is theirs)."""
import psycopg
import pytest

WORKSHOPS = {  # name: (city, province, postal code, zone)
    "Harbourside": ("Halifax", "NS", "B3K 3B4", "America/Halifax"),
    "Queen West": ("Toronto", "ON", "M6J 1G3", "America/Toronto"),
    "Main Street": ("Vancouver", "BC", "V5V 3M9", "America/Vancouver"),
    "Lakeshore": ("Mississauga", "ON", "L5G 1M5", "America/Toronto"),
}


def distance(world, a, b):
    return world.value("select app.postal_distance_km(%s, %s)", [a, b])


def test_distances_between_postal_codes_put_near_before_far(world):
    assert distance(world, "M5V 2T6", "M6J 1G3") == 0 == distance(world, "m5v 2t6", "M5V 9Z9")
    toronto_halifax, toronto_vancouver = distance(world, "M5V 2T6", "B3K 3B4"), distance(world, "M5V 2T6", "V5V 3M9")
    assert 1100 < toronto_halifax < 1400 and 3200 < toronto_vancouver < 3500
    assert distance(world, "M5V 2T6", "L5G 1M5") < 100
    assert distance(world, "B3K 3B4", "M5V 2T6") == toronto_halifax
    for missing in (None, "", "90210", "D1A 1A1", "not a code"):
        assert distance(world, "M5V 2T6", missing) is None and distance(world, missing, "M5V 2T6") is None


@pytest.fixture
def shops(world):
    """One mechanic at each workshop, the farthest ones online and best rated; {workshop name: mechanic}."""
    mechanics = {}
    for rank, (name, (city, province, postal_code, zone)) in enumerate(WORKSHOPS.items()):
        workshop = world.workshop(zone=zone)
        world.conn.execute("update app.workshops set name = %s, city = %s, province = %s, postal_code = %s "
                           "where id = %s", [name, city, province, postal_code, workshop])
        mechanic = world.mechanic(zone=zone, workshop=workshop, partnership="employee")
        world.conn.execute("update app.mechanics set rating = %s, currently_on_shift = %s where id = %s",
                           [5.0 - rank / 10, name in ("Harbourside", "Main Street"), mechanic])
        mechanics[name] = mechanic
    mechanics["online only"] = world.mechanic()
    return mechanics


def customer_at(world, city, postal_code):
    customer = world.customer()
    world.conn.execute("update app.customers set city = %s, postal_code = %s where id = %s", [city, postal_code, customer])
    return customer


def near(conn, customer, service_type="in_person", **filters):
    return [(r["workshop"], r["distance_km"]) for r in conn.execute(
        "select * from app.list_mechanics_near(p_actor => %(actor)s, p_service_type => %(service)s, p_q => %(q)s)",
        {"actor": customer, "service": service_type, "q": filters.get("q")})]


def test_in_person_lists_the_nearest_workshop_first(world, shops):
    toronto = customer_at(world, "Toronto", "M5V 2T6")
    rows = near(world.conn, toronto)
    assert [w for w, _ in rows] == ["Queen West", "Lakeshore", "Harbourside", "Main Street"]
    assert rows[0][1] == 0 and rows[1][1] < 100 and rows[2][1] < rows[3][1]
    halifax = customer_at(world, "Halifax", "B3L 1A1")
    assert [w for w, _ in near(world.conn, halifax)] == ["Harbourside", "Queen West", "Lakeshore", "Main Street"]
    # the same city comes first among workshops of one area
    mississauga = customer_at(world, "Mississauga", "L5G 2B2")
    assert [w for w, _ in near(world.conn, mississauga)][:2] == ["Lakeshore", "Queen West"]
    # filters are list_mechanics' own
    assert [w for w, _ in near(world.conn, toronto, q="zzz")] == []


def test_without_a_canadian_postal_code_the_usual_order_stands(world, shops):
    nowhere = customer_at(world, None, None)
    listed = [r["id"] for r in world.conn.execute("select id from app.list_mechanics(p_service_type => 'in_person')")]
    assert [shops[w] for w, _ in near(world.conn, nowhere)] == listed
    assert {d for _, d in near(world.conn, nowhere)} == {None}


def test_online_sessions_keep_the_usual_order(world, shops):
    toronto = customer_at(world, "Toronto", "M5V 2T6")
    listed = [r["id"] for r in world.conn.execute("select id from app.list_mechanics(p_service_type => 'online')")]
    online = world.conn.execute("select id from app.list_mechanics_near(%s, 'online')", [toronto]).fetchall()
    assert [r["id"] for r in online] == listed and len(listed) == 5


def test_only_the_customer_asks_from_their_own_location(world, database, shops):
    toronto = customer_at(world, "Toronto", "M5V 2T6")
    other = customer_at(world, "Halifax", "B3K 3B4")
    with database.acting(toronto) as conn:
        assert near(conn, toronto)[0] == ("Queen West", 0)
        with pytest.raises(psycopg.Error) as refused:
            near(conn, other)
        assert refused.value.sqlstate == "UA001"
    with pytest.raises(psycopg.Error) as refused:
        near(world.conn, shops["Queen West"])
    assert refused.value.sqlstate == "UP001"
