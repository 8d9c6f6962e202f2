"""The schema's own guards: every one refuses bad rows by name, and good rows pass."""
import psycopg
import pytest

from conftest import PASSWORD_HASH, make_customer, make_staff, make_workshop
from support import constraint


@pytest.fixture
def mechanic(database):
    return make_staff(database, "mechanic", "mo@example.com")


def add_block(conn, mechanic, weekday, start, end):
    conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                 "values (%s, %s, %s, %s)", [mechanic, weekday, start, end])


def test_overlapping_blocks_of_one_mechanic_are_refused(database, mechanic):
    other = make_staff(database, "mechanic", "other@example.com")
    with database.owner() as conn:
        add_block(conn, mechanic, 1, "09:00", "12:00")
        add_block(conn, mechanic, 1, "12:00", "15:00")  # touching is not overlapping
        add_block(conn, mechanic, 2, "10:00", "11:00")  # another day
        add_block(conn, other, 1, "10:00", "11:00")  # another mechanic
        add_block(conn, mechanic, 1, "18:00", "24:00")  # up to midnight
        for start, end in (("11:59", "12:30"), ("08:00", "09:01"), ("10:00", "11:00"), ("08:00", "16:00")):
            assert constraint(conn.execute, "insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                                            "values (%s, 1, %s, %s)", [mechanic, start, end]) == "mechanic_availability_no_overlap"
        assert conn.execute("select count(*) as n from app.mechanic_availability").fetchone()["n"] == 5


@pytest.mark.parametrize("start, end", [("12:00", "09:00"), ("09:00", "09:00")])
def test_a_block_ending_before_it_starts_is_refused(database, mechanic, start, end):
    with database.owner() as conn:
        assert constraint(conn.execute, "insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                                        "values (%s, 3, %s, %s)", [mechanic, start, end]) == "mechanic_availability_order"


def test_weekday_is_iso(database, mechanic):
    with database.owner() as conn:
        for weekday in (0, 8):
            assert constraint(conn.execute, "insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                                            "values (%s, %s, '09:00', '10:00')", [mechanic, weekday]) == "mechanic_availability_weekday_range"


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "EST", "+05", "posix/America/Toronto", ""])
def test_an_unknown_time_zone_is_refused_everywhere(database, zone):
    with database.owner() as conn:
        assert constraint(conn.execute, "insert into app.users (email, password_hash, role, name, timezone) "
                                        "values ('z@example.com', %s, 'admin', 'Z', %s)", [PASSWORD_HASH, zone]) == "users_timezone_fkey"
        assert constraint(conn.execute, "insert into app.workshops (name, street, city, province, postal_code, timezone) "
                                        "values ('W', 'S', 'C', 'ON', 'M5V 2T6', %s)", [zone]) == "workshops_timezone_fkey"
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        make_staff(database, "mechanic", "m2@example.com", timezone=zone)


def test_known_zones_are_accepted(database):
    for number, zone in enumerate(["America/Regina", "Europe/Berlin", "America/St_Johns", "UTC"]):
        assert make_customer(database, email=f"c{number}@example.com", timezone=zone) > 0


def test_email_is_unique_whatever_its_case(database):
    make_customer(database, email="Jo.Smith@Example.com")
    with database.owner() as conn:
        assert constraint(conn.execute, "select app.sign_up_customer(p_email => 'jo.smith@EXAMPLE.COM', p_password => %s, "
                                        "p_name => 'Jo', p_timezone => 'UTC')", [PASSWORD_HASH]) == "users_email_key"
        assert conn.execute("select count(*) as n from app.users").fetchone()["n"] == 1


def test_role_tables_insist_on_the_role(database):
    customer = make_customer(database)
    with database.owner() as conn:
        assert constraint(conn.execute, "insert into app.mechanics (id, timezone) values (%s, 'UTC')", [customer]) == "mechanics_user_fkey"
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("update app.users set role = 'admin' where id = %s", [customer])


@pytest.mark.parametrize("workshop, account, partnership, allowed", [
    (False, "individual_mechanic", "none", True),
    (True, "individual_mechanic", "owner", True),
    (True, "workshop_mechanic", "employee", True),
    (True, "workshop_mechanic", "contractor", True),
    (False, "workshop_mechanic", "employee", False),
    (True, "individual_mechanic", "none", False),
    (True, "workshop_mechanic", "owner", False),
    (False, "individual_mechanic", "owner", False),
])
def test_mechanic_type_is_never_ambiguous(database, workshop, account, partnership, allowed):
    workshop_id = make_workshop(database) if workshop else None
    user = database.scalar("insert into app.users (email, password_hash, role, name, timezone) "
                           "values ('m@example.com', %s, 'mechanic', 'M', 'UTC') returning id", [PASSWORD_HASH])
    insert = ("insert into app.mechanics (id, workshop_id, account_type, partnership_type, timezone) "
              "values (%s, %s, %s, %s, 'UTC')")
    with database.owner() as conn:
        if allowed:
            conn.execute(insert, [user, workshop_id, account, partnership])
        else:
            assert constraint(conn.execute, insert, [user, workshop_id, account, partnership]) == "mechanics_type_consistent"


def test_vin_check_digit(database):
    with database.owner() as conn:
        valid = conn.execute("select app.vin_is_valid('1HGCM82633A004352') as a, app.vin_is_valid('11111111111111111') as b, "
                             "app.vin_is_valid('1M8GDM9AXKP042788') as c").fetchone()
        invalid = conn.execute("select app.vin_is_valid('1HGCM82643A004352') as wrong_digit, "
                               "app.vin_is_valid('1HGCM82633A00435') as short, "
                               "app.vin_is_valid('1HGCM8263OA004352') as letter_o").fetchone()
    assert all(valid.values())
    assert not any(invalid.values())


def test_workshop_hours_and_break(database):
    workshop = make_workshop(database)
    insert = ("insert into app.workshop_availability (workshop_id, weekday, is_closed, opens_at, closes_at, "
              "break_start, break_end) values (%s, %s, %s, %s, %s, %s, %s)")
    with database.owner() as conn:
        conn.execute(insert, [workshop, 1, False, "08:00", "17:00", "12:00", "13:00"])
        conn.execute(insert, [workshop, 7, True, None, None, None, None])
        assert constraint(conn.execute, insert, [workshop, 2, False, "17:00", "08:00", None, None]) == "workshop_availability_hours"
        assert constraint(conn.execute, insert, [workshop, 2, False, None, None, None, None]) == "workshop_availability_hours"
        assert constraint(conn.execute, insert, [workshop, 2, False, "08:00", "17:00", "12:00", None]) == "workshop_availability_break"
        assert constraint(conn.execute, insert, [workshop, 2, False, "08:00", "17:00", "13:00", "12:00"]) == "workshop_availability_break"
        assert constraint(conn.execute, insert, [workshop, 2, False, "08:00", "17:00", "07:00", "09:00"]) == "workshop_availability_break"
        assert constraint(conn.execute, insert, [workshop, 2, False, "08:00", "17:00", "16:30", "17:30"]) == "workshop_availability_break"
        assert constraint(conn.execute, insert, [workshop, 1, False, "09:00", "10:00", None, None]) == "workshop_availability_pkey"


def test_time_off_ends_on_or_after_its_first_day(database, mechanic):
    insert = "insert into app.mechanic_time_off (mechanic_id, start_date, end_date) values (%s, %s, %s)"
    with database.owner() as conn:
        conn.execute(insert, [mechanic, "2026-12-24", "2026-12-24"])
        assert constraint(conn.execute, insert, [mechanic, "2026-12-24", "2026-12-23"]) == "mechanic_time_off_order"


def test_every_mechanic_gets_default_settings(database, mechanic):
    with database.owner() as conn:
        settings = conn.execute("select buffer_minutes, min_notice_minutes, max_advance_days, instant_booking "
                                "from app.mechanic_settings where mechanic_id = %s", [mechanic]).fetchone()
    assert settings == {"buffer_minutes": 15, "min_notice_minutes": 120, "max_advance_days": 30, "instant_booking": True}


def test_plans_are_sold_as_specified(database):
    with database.app() as conn:
        plans = conn.execute("select code, price_cents, duration_minutes, currency from app.list_plans()").fetchall()
    assert [tuple(p.values()) for p in plans] == [
        ("standard", 2900, 30, "CAD"), ("extended", 4900, 45, "CAD"), ("premium", 9900, 60, "CAD")]
