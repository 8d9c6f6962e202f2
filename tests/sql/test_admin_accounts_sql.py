"""The platform admin's account management in SQL (SPEC §1, §16, §20): workshops and staff of each type created
through create_staff_account, links to set a password (single use, 48 hours, only their hash kept, a newer one
voids the older), deactivation (no log-in, offline, in no list, ranking, offer or free slot; never oneself,
never the last admin) and reactivation bringing all of it back."""
import hashlib
import threading
from datetime import timedelta

import psycopg
import pytest

from availability_world import local
from conftest import NOW, PASSWORD, make_customer, make_staff
from support import constraint, refusal, sqlstate

TO = "America/Toronto"
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
TUESDAY_10 = local(TO, "2026-11-24 10:00")


@pytest.fixture
def admin(database):
    database.set_clock(NOW)
    return make_staff(database, "admin", "root@example.com", name="Ada Admin")


@pytest.fixture
def shop(database):
    return database.scalar(
        "insert into app.workshops (name, street, city, province, postal_code, timezone) "
        "values ('Queen West Auto', '1 Queen St W', 'Toronto', 'ON', 'M5V 2T6', %s) returning id", [TO])


def invite(conn, actor, role="mechanic", email="new@example.com", **extra):
    args = {"p_actor": actor, "p_role": role, "p_email": email, "p_name": "Nia New", "p_timezone": TO, **extra}
    names = ", ".join(f"{key} => %({key})s" for key in args)
    return conn.execute(f"select app.invite_staff_account({names}) as id", args).fetchone()["id"]


def password_is(database, user, password):
    return database.scalar("select password_hash = public.crypt(%s, password_hash) from app.users where id = %s",
                           [password, user])


def latest_token(database, user):
    return database.scalar("select payload->>'token' from app.outbox where user_id = %s and template = 'staff_invite' "
                           "order by id desc limit 1", [user])


def counts(database):
    return database.scalar("select row((select count(*) from app.users), (select count(*) from app.mechanics), "
                           "(select count(*) from app.workshops), (select count(*) from app.workshop_admins), "
                           "(select count(*) from app.password_tokens), (select count(*) from app.outbox))::text")


# --- creating staff and workshops ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind, partnership, expected", [
    ("virtual_only", None, ("none", "individual_mechanic", False)),
    ("independent_workshop", None, ("owner", "individual_mechanic", True)),
    ("workshop_affiliated", "employee", ("employee", "workshop_mechanic", True)),
    ("workshop_affiliated", "contractor", ("contractor", "workshop_mechanic", True)),
])
def test_each_mechanic_type_is_created_as_asked(database, admin, shop, kind, partnership, expected):
    with database.acting(admin) as conn:
        mechanic = invite(conn, admin, p_mechanic_type=kind, p_partnership_type=partnership,
                          p_workshop_id=None if kind == "virtual_only" else shop,
                          p_specialties=["brakes", " electrical "], p_brands=["Toyota"], p_years_experience=12)
        assert conn.execute("select app.mechanic_type(%s) as t", [mechanic]).fetchone()["t"] == kind
        login = conn.execute("select outcome from app.log_in('new@example.com', '', null, null)").fetchone()["outcome"]
    with database.owner() as conn:
        row = conn.execute("select partnership_type, account_type, workshop_id is not null as at_shop, specialties, "
                           "brands, years_experience, city, timezone, currently_on_shift from app.mechanics "
                           "where id = %s", [mechanic]).fetchone()
    assert (row["partnership_type"], row["account_type"], row["at_shop"]) == expected
    assert (row["specialties"], row["brands"], row["years_experience"]) == (["brakes", "electrical"], ["Toyota"], 12)
    assert row["city"] == ("Toronto" if expected[2] else None) and row["timezone"] == TO
    assert not row["currently_on_shift"]
    assert database.scalar("select count(*) from app.mechanic_settings where mechanic_id = %s", [mechanic]) == 1
    # no password until the person sets one: the log-in finds none to match
    assert login == "wrong" and not password_is(database, mechanic, "")
    assert database.scalar("select count(*) from app.outbox where user_id = %s and template = 'staff_invite'", [mechanic]) == 1


def test_workshop_admins_and_platform_admins_are_created_with_a_link(database, admin, shop):
    with database.acting(admin) as conn:
        desk = invite(conn, admin, role="workshop_admin", email="desk@example.com", p_workshop_id=shop)
        boss = invite(conn, admin, role="admin", email="boss@example.com")
    assert database.scalar("select workshop_id from app.workshop_admins where user_id = %s", [desk]) == shop
    assert database.scalar("select role from app.users where id = %s", [boss]) == "admin"
    with database.owner() as conn:
        payloads = {r["user_id"]: r["payload"] for r in conn.execute(
            "select user_id, payload from app.outbox where template = 'staff_invite'").fetchall()}
    assert payloads[desk]["workshop_name"] == "Queen West Auto" and payloads[desk]["audience"] == "workshop"
    assert payloads[boss]["role"] == "admin" and payloads[boss]["invited_by"] == "Ada Admin"
    assert not payloads[desk]["password_set"] and len(payloads[desk]["token"]) == 43


BAD_MECHANICS = [
    (dict(p_mechanic_type=None), "UV080"),
    (dict(p_mechanic_type="robot"), "UV080"),
    (dict(p_mechanic_type="virtual_only", p_workshop_id="shop"), "UV082"),
    (dict(p_mechanic_type="independent_workshop"), "UV081"),
    (dict(p_mechanic_type="workshop_affiliated"), "UV081"),
    (dict(p_mechanic_type="workshop_affiliated", p_workshop_id="shop"), "UV083"),
    (dict(p_mechanic_type="workshop_affiliated", p_workshop_id="shop", p_partnership_type="owner"), "UV083"),
    (dict(p_mechanic_type="workshop_affiliated", p_workshop_id=999999, p_partnership_type="employee"), "UN001"),
    (dict(p_mechanic_type="virtual_only", p_specialties=[f"skill {n}" for n in range(21)]), "UV084"),
    (dict(p_mechanic_type="virtual_only", p_brands=["x" * 41]), "UV084"),
    (dict(p_mechanic_type="virtual_only", p_brands=["  "]), "UV084"),
    (dict(p_mechanic_type="virtual_only", p_years_experience=71), "mechanics_years_experience_range"),
    (dict(p_mechanic_type="virtual_only", p_timezone="Mars/Olympus"), "users_timezone_fkey"),
    (dict(p_mechanic_type="virtual_only", p_email="not an email"), "users_email_format"),
    (dict(p_mechanic_type="virtual_only", p_email="ROOT@example.com"), "UC080"),
    (dict(p_mechanic_type="virtual_only", p_role="customer"), "UV001"),
]


@pytest.mark.parametrize("change, expected", BAD_MECHANICS)
def test_bad_staff_input_is_refused_and_changes_nothing(database, admin, shop, change, expected):
    change = {key: shop if value == "shop" else value for key, value in change.items()}
    before = counts(database)
    with database.acting(admin) as conn:
        args = {"p_actor": admin, "p_role": "mechanic", "p_email": "new@example.com", "p_name": "Nia New",
                "p_timezone": TO, **change}
        names = ", ".join(f"{key} => %({key})s" for key in args)
        error = refusal(conn.execute, f"select app.invite_staff_account({names})", args)
        # the constraint's name when the database's own code carries one, else the SQLSTATE
        assert (error.diag.constraint_name or error.sqlstate) == expected
    assert counts(database) == before


def test_the_cli_and_the_fixtures_still_create_staff_with_a_password(database, shop):
    with database.owner() as conn:
        positional = conn.execute("select app.create_staff_account('admin', 'cli@example.com', %s, 'Cli', 'UTC') as id",
                                  [PASSWORD]).fetchone()["id"]
        owner = conn.execute("select app.create_staff_account(p_role => 'mechanic', p_email => 'o@example.com', "
                             "p_password => %s, p_name => 'Owen', p_timezone => %s, p_workshop_id => %s, "
                             "p_partnership_type => 'owner') as id", [PASSWORD, TO, shop]).fetchone()["id"]
        assert conn.execute("select app.mechanic_type(%s) as t", [owner]).fetchone()["t"] == "independent_workshop"
    assert password_is(database, positional, PASSWORD) and password_is(database, owner, PASSWORD)
    assert make_staff(database, "mechanic", "fixture@example.com", workshop_id=shop) > 0
    assert database.scalar("select count(*) from app.password_tokens") == 0  # no links for them


def test_a_workshop_is_created_with_its_address_zone_and_stripe_account(database, admin):
    with database.acting(admin) as conn:
        shop = conn.execute("select app.create_workshop(p_actor => %s, p_name => ' Harbour Motors ', "
                            "p_street => '5 Water St', p_city => 'Halifax', p_province => 'NS', p_postal_code => 'b3j1s9', "
                            "p_timezone => 'America/Halifax', p_phone => '902 555 0100', "
                            "p_stripe_account_id => 'acct_1Harbour') as id", [admin]).fetchone()["id"]
        [listed] = conn.execute("select * from app.list_workshops(%s, %s)", [admin, shop]).fetchall()
    assert (listed["name"], listed["postal_code"], listed["timezone"], listed["stripe_account_id"], listed["admins"]) == (
        "Harbour Motors", "B3J 1S9", "America/Halifax", "acct_1Harbour", 0)
    assert database.scalar("select count(*) from app.workshop_availability where workshop_id = %s", [shop]) == 0


@pytest.mark.parametrize("change, expected", [
    (dict(p_name=" "), "UV057"),
    (dict(p_street=None), "UV057"),
    (dict(p_city="x" * 121), "UV057"),
    (dict(p_postal_code="12345"), "UV059"),
    (dict(p_country="US", p_postal_code="M5V 2T6"), "UV059"),
    (dict(p_country="FR"), "UV001"),
    (dict(p_phone="call me"), "UV058"),
    (dict(p_timezone="Mars/Olympus"), "UV006"),
    (dict(p_stripe_account_id="acct-1 2"), "UV085"),
    (dict(p_stripe_account_id="sk_live_123"), "UV085"),
])
def test_bad_workshop_input_is_refused_and_changes_nothing(database, admin, change, expected):
    args = {"p_actor": admin, "p_name": "Shop", "p_street": "1 Main St", "p_city": "Toronto", "p_province": "ON",
            "p_postal_code": "M5V 2T6", "p_timezone": TO, **change}
    names = ", ".join(f"{key} => %({key})s" for key in args)
    with database.acting(admin) as conn:
        assert sqlstate(conn.execute, f"select app.create_workshop({names})", args) == expected
    assert database.scalar("select count(*) from app.workshops") == 0


def test_only_a_platform_admin_may_manage_accounts(database, admin, shop):
    customer = make_customer(database)
    mechanic = make_staff(database, "mechanic", "m@example.com")
    desk = make_staff(database, "workshop_admin", "desk@example.com", workshop_id=shop)
    before = counts(database)
    calls = [
        ("select app.invite_staff_account(%s, 'admin', 'x@example.com', 'X', 'UTC')", []),
        ("select app.create_workshop(%s, 'S', '1 St', 'Toronto', 'ON', 'M5V 2T6', 'America/Toronto')", []),
        ("select app.deactivate_account(%s, %s)", [customer]),
        ("select app.reactivate_account(%s, %s)", [customer]),
        ("select app.issue_password_token(%s, %s)", [customer]),
        ("select * from app.search_accounts(%s)", []),
        ("select * from app.account_detail(%s, %s)", [customer]),
        ("select * from app.account_bookings(%s, %s)", [customer]),
        ("select * from app.list_workshops(%s)", []),
    ]
    for actor in (customer, mechanic, desk, 999999):
        with (database.acting(actor) if actor != 999999 else database.owner()) as conn:
            for query, params in calls:
                assert sqlstate(conn.execute, query, [actor, *params]) == "UP001", (actor, query)
    assert counts(database) == before


def test_the_app_may_not_call_the_creator_nor_the_link_helper_itself(database, admin):
    with database.acting(admin) as conn:
        for query in ("select app.create_staff_account('admin', 'x@example.com', null, 'X', 'UTC')",
                      f"select app.close_password_links({admin})"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(query)


# --- links to set a password ---------------------------------------------------------------------------------

def test_a_link_sets_the_password_once_and_only_its_hash_is_kept(database, admin):
    with database.acting(admin) as conn:
        mechanic = invite(conn, admin, p_mechanic_type="virtual_only")
    token = latest_token(database, mechanic)
    digest = hashlib.sha256(token.encode()).digest()
    assert database.scalar("select count(*) from app.password_tokens where token_hash = %s", [digest]) == 1
    assert database.scalar("select count(*) from app.password_tokens t where t::text like %s", [f"%{token}%"]) == 0
    with database.acting(admin) as conn:
        [link] = conn.execute("select * from app.check_password_token(%s)", [token]).fetchall()
        assert (link["user_id"], link["email"], link["expires_at"], link["password_set"]) == (
            mechanic, "new@example.com", NOW + timedelta(hours=48), False)
        assert conn.execute("select app.set_password_with_token(%s, %s) as email",
                            [token, PASSWORD]).fetchone()["email"] == "new@example.com"
        assert conn.execute("select outcome from app.log_in('new@example.com', %s, null, null)",
                            [PASSWORD]).fetchone()["outcome"] == "ok"
        assert sqlstate(conn.execute, "select app.set_password_with_token(%s, %s)", [token, "another fine password"]) == "UR082"
        assert sqlstate(conn.execute, "select * from app.check_password_token(%s)", [token]) == "UR082"
    assert password_is(database, mechanic, PASSWORD)
    assert database.scalar("select used_at from app.password_tokens where user_id = %s", [mechanic]) == NOW
    # the email that carried it keeps no usable token
    assert database.scalar("select count(*) from app.outbox where payload ? 'token'") == 0


def test_a_link_works_for_48_hours_from_when_it_was_made(database, admin):
    with database.acting(admin) as conn:
        mechanic = invite(conn, admin, p_mechanic_type="virtual_only")
    token = latest_token(database, mechanic)
    hashed = database.scalar("select password_hash from app.users where id = %s", [mechanic])
    database.set_clock(NOW + timedelta(hours=48) - timedelta(seconds=1))
    with database.acting(admin) as conn:
        assert conn.execute("select user_id from app.check_password_token(%s)", [token]).fetchone()["user_id"] == mechanic
    database.set_clock(NOW + timedelta(hours=48))
    with database.acting(admin) as conn:
        assert sqlstate(conn.execute, "select * from app.check_password_token(%s)", [token]) == "UR083"
        assert sqlstate(conn.execute, "select app.set_password_with_token(%s, %s)", [token, PASSWORD]) == "UR083"
    assert database.scalar("select password_hash from app.users where id = %s", [mechanic]) == hashed
    assert database.scalar("select used_at from app.password_tokens where user_id = %s", [mechanic]) is None


def test_a_new_link_voids_the_ones_before(database, admin):
    with database.acting(admin) as conn:
        mechanic = invite(conn, admin, p_mechanic_type="virtual_only")
        first = latest_token(database, mechanic)
        database.set_clock(NOW + timedelta(hours=1))
        expires = conn.execute("select app.issue_password_token(%s, %s) as at", [admin, mechanic]).fetchone()["at"]
        second = latest_token(database, mechanic)
        assert second != first and expires == NOW + timedelta(hours=49)
        assert sqlstate(conn.execute, "select app.set_password_with_token(%s, %s)", [first, PASSWORD]) == "UR084"
        conn.execute("select app.set_password_with_token(%s, %s)", [second, PASSWORD])
    with database.owner() as conn:
        rows = conn.execute("select status, payload ? 'token' as has_token from app.outbox "
                            "where user_id = %s order by id", [mechanic]).fetchall()
    # neither email goes out now: the first link was replaced, the second is used up
    assert rows == [{"status": "withdrawn", "has_token": False}] * 2
    with database.owner() as conn:  # at most one open link per person, whatever writes the rows
        conn.execute("insert into app.password_tokens (user_id, token_hash, created_at, expires_at) "
                     "values (%s, sha256('a'), now(), now() + interval '1 hour')", [mechanic])
        assert constraint(conn.execute, "insert into app.password_tokens (user_id, token_hash, created_at, expires_at) "
                                        "values (%s, sha256('b'), now(), now() + interval '1 hour')", [mechanic]) == "password_tokens_one_open"


@pytest.mark.parametrize("token", ["", "nope", "x" * 43, None])
def test_an_unknown_link_is_not_found(database, admin, token):
    with database.acting(admin) as conn:
        assert sqlstate(conn.execute, "select * from app.check_password_token(%s)", [token]) == "UN080"
        assert sqlstate(conn.execute, "select app.set_password_with_token(%s, %s)", [token, PASSWORD]) == "UN080"


def test_two_uses_of_one_link_at_once_set_one_password(database, admin):
    with database.acting(admin) as conn:
        mechanic = invite(conn, admin, p_mechanic_type="virtual_only")
    token = latest_token(database, mechanic)
    barrier, outcomes = threading.Barrier(2), []

    def use(password_hash):
        with database.acting(admin) as conn:
            barrier.wait()
            try:
                conn.execute("select app.set_password_with_token(%s, %s)", [token, password_hash])
                outcomes.append(password_hash)
            except psycopg.Error as refused:
                outcomes.append(refused.sqlstate)

    threads = [threading.Thread(target=use, args=(PASSWORD + suffix,)) for suffix in "xy"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 2 and outcomes.count("UR082") == 1
    [winner] = [o for o in outcomes if o != "UR082"]
    assert password_is(database, mechanic, winner)


# --- deactivation ----------------------------------------------------------------------------------------------

def visible(world, customer, mechanic):
    """Where a customer could meet the mechanic: each list, ranking, offer and slot of SPEC §3 and §8."""
    conn = world.conn
    found = {
        "list_mechanics": mechanic in {r["id"] for r in conn.execute("select id from app.list_mechanics(p_q => 'Mia')")},
        "rank_mechanics": mechanic in {r["mechanic_id"] for r in conn.execute(
            "select mechanic_id from app.rank_mechanics(%s)", [customer])},
        "find_mechanics_now": mechanic in {r["mechanic_id"] for r in conn.execute(
            "select mechanic_id from app.find_mechanics_now(%s)", [customer])},
        "match_mechanics_at": mechanic in {r["mechanic_id"] for r in conn.execute(
            "select mechanic_id from app.match_mechanics_at(%s, %s, 'standard')", [customer, TUESDAY_10])},
        "any_mechanic_slots": bool(conn.execute(
            "select * from app.any_mechanic_slots(%s, '2026-11-24', '2026-11-24', 'standard')", [customer]).fetchall()),
        "my_favorites": mechanic in {r["mechanic_id"] for r in conn.execute(
            "select mechanic_id from app.my_favorites(%s)", [customer])},
        # the one availability truth under every slot and claim (schedule_window has no row for them)
        "evaluate_slots": any(r["reason"] is None for r in conn.execute(
            "select reason from app.evaluate_slots(%s, array[%s]::timestamptz[], interval '30 minutes', 'online', null)",
            [mechanic, TUESDAY_10])),
    }
    with conn.transaction():  # offline for a moment, for Book Now's list of offline mechanics
        conn.execute("update app.mechanics set currently_on_shift = false where id = %s", [mechanic])
        found["offline_mechanics"] = mechanic in {r["mechanic_id"] for r in conn.execute(
            "select mechanic_id from app.offline_mechanics(%s)", [customer])}
        raise psycopg.Rollback()
    for name, query in [("mechanic_profile", "select * from app.mechanic_profile(%s)"),
                        ("available_slots", "select * from app.available_slots(%s, '2026-11-24', '2026-11-24', 'standard')"),
                        ("slot_availability", "select * from app.slot_availability(%s, '2026-11-24 15:00Z', '2026-11-24 15:30Z')"),
                        ("set_favorite", f"select app.set_favorite({customer}, %s, true)")]:
        try:
            with conn.transaction():
                rows = conn.execute(query, [mechanic]).fetchall()
            found[name] = name != "available_slots" or any(r["available"] for r in rows)
        except psycopg.Error as refused:
            assert refused.sqlstate == "UN002", (name, refused)
            found[name] = False
    return found


def offered(world, customer, mechanic):
    """Whether a new immediate request reaches the mechanic, and whether they may take it."""
    conn = world.conn
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                          "p_advice_only => true, p_concern => 'The brakes squeal when cold.') as id", [customer])
    targeted = bool(conn.execute("select 1 from app.session_offers where session_id = %s and mechanic_id = %s",
                                 [session, mechanic]).fetchall())
    try:
        with conn.transaction():
            conn.execute("select app.accept_offer(%s, %s)", [mechanic, session])
        taken = True
    except psycopg.Error as refused:
        assert refused.sqlstate in ("UN001", "UP001")  # not offered to them; a deactivated account acts as nobody
        taken = False
    with conn.transaction():
        conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    return targeted, taken


def test_a_deactivated_mechanic_is_nowhere_until_reactivated(world, database, admin):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    world.conn.execute("update app.users set name = 'Mia Mechanic' where id = %s", [mechanic])
    world.conn.execute("update app.mechanics set currently_on_shift = true, rating = 4.8 where id = %s", [mechanic])
    customer = world.customer()
    world.conn.execute("select app.set_favorite(%s, %s, true)", [customer, mechanic])
    everywhere = {name: True for name in visible(world, customer, mechanic)}
    assert visible(world, customer, mechanic) == everywhere
    assert offered(world, customer, mechanic) == (True, True)

    with database.acting(admin) as conn:
        assert conn.execute("select app.deactivate_account(%s, %s) as at", [admin, mechanic]).fetchone()["at"] == NOW
        assert conn.execute("select outcome from app.log_in(%s, %s, null, null)",  # the world's password
                            [world.value("select email from app.users where id = %s", [mechanic]), "x" * 40]
                            ).fetchone()["outcome"] == "deactivated"
    assert world.value("select currently_on_shift from app.mechanics where id = %s", [mechanic]) is False
    assert visible(world, customer, mechanic) == {name: False for name in everywhere}
    # even back online (a browser still logged in), they are neither offered nor may take a request
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [mechanic])
    assert visible(world, customer, mechanic) == {name: False for name in everywhere}
    assert offered(world, customer, mechanic) == (False, False)
    assert sqlstate(world.conn.execute, "select * from app.reserve_slot(%s, %s, %s, 'standard', 'online')",
                            [customer, mechanic, TUESDAY_10]) == "UN002"
    assert world.value("select count(*) from app.favorites where mechanic_id = %s", [mechanic]) == 1  # kept for later

    with database.acting(admin) as conn:
        conn.execute("select app.reactivate_account(%s, %s)", [admin, mechanic])
    assert visible(world, customer, mechanic) == everywhere
    assert offered(world, customer, mechanic) == (True, True)
    assert world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard', 'online')",
                       [customer, mechanic, TUESDAY_10]) > 0


def test_deactivating_withdraws_the_offers_made_to_them(world, database, admin):
    mechanics = [world.mechanic() for _ in range(2)]
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = any(%s)", [mechanics])
    customer = world.customer()
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                          "p_advice_only => true, p_concern => 'The brakes squeal when cold.') as id", [customer])
    with database.acting(admin) as conn:
        conn.execute("select app.deactivate_account(%s, %s)", [admin, mechanics[0]])
    statuses = {(r["mechanic_id"], r["kind"]): r["status"] for r in world.conn.execute(
        "select mechanic_id, kind, status from app.session_offers where session_id = %s", [session])}
    assert statuses == {(mechanics[0], "targeted"): "withdrawn", (mechanics[1], "targeted"): "open",
                        (None, "broadcast"): "open"}
    assert sqlstate(world.conn.execute, "select app.accept_offer(%s, %s)", [mechanics[0], session]) == "UP001"  # a deactivated account acts as nobody
    world.conn.execute("select app.accept_offer(%s, %s)", [mechanics[1], session])


def test_deactivation_closes_the_links_and_keeps_bookings_for_the_admin_to_see(world, database, admin):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    customer = world.customer()
    session = world.book(customer, mechanic, TUESDAY_10)
    with database.acting(admin) as conn:
        conn.execute("select app.issue_password_token(%s, %s)", [admin, mechanic])
        token = latest_token(database, mechanic)
        conn.execute("select app.deactivate_account(%s, %s)", [admin, mechanic])
        assert sqlstate(conn.execute, "select * from app.check_password_token(%s)", [token]) == "UR085"
        assert sqlstate(conn.execute, "select app.issue_password_token(%s, %s)", [admin, mechanic]) == "UR085"
        assert sqlstate(conn.execute, "select app.deactivate_account(%s, %s)", [admin, mechanic]) == "UC081"
        [booking] = conn.execute("select * from app.account_bookings(%s, %s)", [admin, mechanic]).fetchall()
        assert (booking["session_id"], booking["status"], booking["party"], booking["starts_at"]) == (
            session, "scheduled", "mechanic", TUESDAY_10)
        assert [b["party"] for b in conn.execute("select * from app.account_bookings(%s, %s)", [admin, customer])] == ["customer"]
        [detail] = conn.execute("select * from app.account_detail(%s, %s)", [admin, mechanic]).fetchall()
        assert (detail["status"], detail["deactivated_at"], detail["deactivated_by"], detail["link_expires_at"]) == (
            "deactivated", NOW, "Ada Admin", None)
        conn.execute("select app.reactivate_account(%s, %s)", [admin, mechanic])
        assert sqlstate(conn.execute, "select app.reactivate_account(%s, %s)", [admin, mechanic]) == "UC082"
        # the link closed by the deactivation stays closed
        assert sqlstate(conn.execute, "select * from app.check_password_token(%s)", [token]) == "UR084"
    assert world.value("select status from app.sessions where id = %s", [session]) == "scheduled"


def test_nobody_deactivates_themselves_nor_the_last_active_admin(database, admin):
    other = make_staff(database, "admin", "other@example.com")
    with database.acting(admin) as conn:
        assert sqlstate(conn.execute, "select app.deactivate_account(%s, %s)", [admin, admin]) == "UR080"
        assert sqlstate(conn.execute, "select app.deactivate_account(%s, 999999)", [admin]) == "UN001"
        assert sqlstate(conn.execute, "select app.reactivate_account(%s, 999999)", [admin]) == "UN001"
        conn.execute("select app.deactivate_account(%s, %s)", [admin, other])
    with database.acting(other) as conn:  # their log-ins ended with the deactivation: nobody is bound
        assert sqlstate(conn.execute, "select app.deactivate_account(%s, %s)", [other, admin]) == "UA001"
    with database.owner() as conn:  # and whoever names them, the platform keeps an admin
        assert sqlstate(conn.execute, "select app.deactivate_account(%s, %s)", [other, admin]) in ("UR081", "UP001")
    assert database.scalar("select count(*) from app.users where role = 'admin' and deactivated_at is null") == 1


def test_two_admins_deactivating_each_other_at_once_leave_one(database, admin):
    other = make_staff(database, "admin", "other@example.com")
    barrier, outcomes = threading.Barrier(2), []

    def deactivate(actor, target):
        with database.acting(actor) as conn:
            barrier.wait()
            try:
                conn.execute("select app.deactivate_account(%s, %s)", [actor, target])
                outcomes.append("done")
            except psycopg.Error as refused:
                outcomes.append(refused.sqlstate)

    threads = [threading.Thread(target=deactivate, args=pair) for pair in ((admin, other), (other, admin))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # the second finds it would leave no admin (or, once it runs after the first, that its actor is deactivated,
    # and so no longer bound)
    assert outcomes.count("done") == 1 and set(outcomes) - {"done"} <= {"UR081", "UP001", "UA001"}
    assert database.scalar("select count(*) from app.users where role = 'admin' and deactivated_at is null") == 1


# --- finding accounts ----------------------------------------------------------------------------------------

def test_accounts_are_found_by_name_or_email_with_role_and_status(database, admin, shop):
    customer = make_customer(database, email="casey.driver@example.com", name="Casey Driver")
    make_staff(database, "mechanic", "mo@garage.example", name="Mo Casey", workshop_id=shop, partnership="employee")
    desk = make_staff(database, "workshop_admin", "desk@example.com", name="Desk 100%", workshop_id=shop)
    with database.acting(admin) as conn:
        invited = invite(conn, admin, role="admin", email="ivy@example.com")
        conn.execute("select app.deactivate_account(%s, %s)", [admin, customer])

        def names(**args):
            names_ = ", ".join(f"p_{key} => %({key})s" for key in args)
            return [r["name"] for r in conn.execute(
                f"select * from app.search_accounts(p_actor => {admin}{', ' if args else ''}{names_})", args)]

        assert names(q="CASEY") == ["Casey Driver", "Mo Casey"]
        assert names(q="garage.EXAMPLE") == ["Mo Casey"]
        assert names(q="100%") == ["Desk 100%"] and names(q="%") == ["Desk 100%"]  # typed % is a character
        assert names(q="casey", role="mechanic") == ["Mo Casey"]
        assert names(status="deactivated") == ["Casey Driver"]
        assert names(status="invited") == ["Nia New"]
        assert names(workshop=shop) == ["Desk 100%", "Mo Casey"]
        assert len(names()) == 5
        rows = {r["id"]: r for r in conn.execute("select * from app.search_accounts(%s)", [admin])}
        assert rows[desk]["workshops"] == "Queen West Auto" and rows[invited]["status"] == "invited"
        assert {r["matches"] for r in rows.values()} == {5}
        assert [r["name"] for r in conn.execute("select * from app.search_accounts(%s, p_limit => 2)", [admin])] == [
            "Ada Admin", "Casey Driver"]
        for bad in ("p_role => 'wizard'", "p_status => 'asleep'"):
            assert sqlstate(conn.execute, f"select * from app.search_accounts(%s, {bad})", [admin]) == "UV001"
