"""Forms refused whole (issue 17): every writer behind a form reports all its bad fields in one refusal (UV000,
each problem in DETAIL; one problem keeps its own code), phone numbers and postal codes have one rule each,
and a refused day or time says why (in the past, beyond the mechanic's reach) rather than "not available"."""
from datetime import date, datetime, timezone

import psycopg
import pytest
from psycopg.types.json import Jsonb

import support
from availability_world import local
from conftest import NOW, PASSWORD, make_customer, make_staff, make_workshop
from test_workshop_settings_sql import shop, week  # noqa: F401 (shop: a fixture)

TO = "America/Toronto"
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


def refusal(conn, query, params=None):
    """The SQLSTATE and the problems (DETAIL, split) of a refused statement."""
    refused = support.refusal(conn.execute, query, params)
    return refused.sqlstate, set((refused.diag.message_detail or "").split())


def count(database, table):
    return database.scalar(f"select count(*) from app.{table}")


# --- every bad field at once -------------------------------------------------------------------------------

def test_sign_up_refuses_every_bad_field_at_once_and_creates_nothing(database):
    before = count(database, "users")
    with database.app() as conn:
        state, problems = refusal(conn, "select app.sign_up_customer(p_email => 'not-an-email', p_password => 'short', "
                                        "p_name => 'Casey', p_timezone => 'Mars/Olympus', p_phone => 'abc', "
                                        "p_postal_code => 'ZZZZZZZZZZ')")
    assert state == "UV000"
    assert problems == {"users_email_format", "UV062:password", "users_timezone_fkey", "users_phone_format",
                        "customers_postal_code_format"}
    assert count(database, "users") == before


def test_one_bad_field_is_refused_with_its_own_constraint_as_before(database):
    make_customer(database)
    with database.app() as conn:
        with pytest.raises(psycopg.Error) as taken:
            conn.execute("select app.sign_up_customer(p_email => 'CASEY@example.com', p_password => %s, "
                         "p_name => 'Casey', p_timezone => %s)", [PASSWORD, TO])
        with pytest.raises(psycopg.Error) as phone:
            conn.execute("select app.sign_up_customer(p_email => 'new@example.com', p_password => %s, "
                         "p_name => 'New', p_timezone => %s, p_phone => '((((((((')", [PASSWORD, TO])
    assert (taken.value.sqlstate, taken.value.diag.constraint_name) == ("23505", "users_email_key")
    assert (phone.value.sqlstate, phone.value.diag.constraint_name) == ("23514", "users_phone_format")


def test_a_vehicle_refuses_year_odometer_and_vin_at_once(database):
    customer = make_customer(database)
    with database.acting(customer) as conn:
        state, problems = refusal(conn, "select app.add_vehicle(p_actor => %s, p_year => 1800, p_make => 'Kia', "
                                        "p_model => 'Rio', p_vin => '1HGCM82633A00435X', p_odometer_km => -5, "
                                        "p_plate => 'bad plate!!')", [customer])
    assert state == "UV000"
    assert problems == {"vehicles_year_range", "vehicles_vin_valid", "vehicles_odometer_range", "vehicles_plate_format"}
    assert count(database, "vehicles") == 0


def test_workshop_hours_refuse_every_bad_day_at_once_and_keep_the_old_ones(database, shop):  # noqa: F811 (the fixture)
    workshop, admin, _ = shop
    before = database.scalar("select json_agg(h order by weekday) from app.workshop_availability h where workshop_id = %s",
                             [workshop])
    days = week(day2={"opens": "17:00", "closes": "09:00"}, day5={"opens": "9am", "break_end": "noon"},
                day6={"break_start": "16:30", "break_end": "17:30"})
    with database.acting(admin) as conn:
        state, problems = refusal(conn, "select app.set_workshop_hours(%s, %s, %s)", [admin, workshop, Jsonb(days)])
    assert state == "UV000"
    assert problems == {"UV051:day2_closes", "UV050:day5_opens", "UV050:day5_break_end", "UV052:day6_break_end"}
    assert database.scalar("select json_agg(h order by weekday) from app.workshop_availability h where workshop_id = %s",
                           [workshop]) == before


def test_workshop_settings_refuse_every_bad_field_at_once(database, shop):  # noqa: F811 (the fixture)
    workshop, admin, _ = shop
    with database.acting(admin) as conn:
        state, problems = refusal(conn, "select app.update_workshop(%s, %s, ' ', '1 Main St', 'Toronto', 'ON', "
                                        "'ZZZZZZZZZZ', 'abc', %s, 0)", [admin, workshop, TO])
    assert state == "UV000"
    assert problems == {"UV057:name", "UV059:postal_code", "UV058:phone", "UV054:capacity"}


def test_a_new_workshop_refuses_every_bad_field_at_once(database):
    admin = make_staff(database, "admin", "root@example.com")
    with database.acting(admin) as conn:
        state, problems = refusal(conn, "select app.create_workshop(p_actor => %s, p_name => 'Shop', p_street => '', "
                                        "p_city => 'Toronto', p_province => 'ON', p_postal_code => 'D1A 1A1', "
                                        "p_timezone => %s, p_phone => '12-34', p_stripe_account_id => 'sk_1')", [admin, TO])
    assert state == "UV000"
    assert problems == {"UV057:street", "UV059:postal_code", "UV058:phone", "UV085:stripe_account_id"}
    assert count(database, "workshops") == 0


def test_mechanic_settings_refuse_every_bad_field_at_once(database):
    mechanic = make_staff(database, "mechanic", "maria@example.com")
    with database.acting(mechanic) as conn:
        state, problems = refusal(conn, "select * from app.update_mechanic_settings(%s, 300, -1, 0, true)", [mechanic])
    assert state == "UV000"
    assert problems == {"UV026:buffer_minutes", "UV027:min_notice_minutes", "UV028:max_advance_days"}


def test_time_off_refuses_every_bad_field_at_once(database):
    database.set_clock(NOW)
    mechanic = make_staff(database, "mechanic", "maria@example.com")
    with database.acting(mechanic) as conn:
        state, problems = refusal(conn, "select * from app.add_time_off(%s, '2026-11-01', '2026-11-02', %s)",
                                  [mechanic, "x" * 201])
    assert state == "UV000"
    assert problems == {"UV024:start_date", "UV025:reason"}


def test_a_new_staff_account_refuses_every_bad_field_at_once(database):
    admin = make_staff(database, "admin", "root@example.com")
    workshop = make_workshop(database)
    with database.acting(admin) as conn:
        state, problems = refusal(conn, "select app.invite_staff_account(p_actor => %s, p_role => 'mechanic', "
                                        "p_email => 'root@example.com', p_name => ' ', p_timezone => 'Nowhere/Else', "
                                        "p_workshop_id => %s, p_mechanic_type => 'virtual_only', "
                                        "p_years_experience => 99)", [admin, workshop])
    assert state == "UV000"
    assert problems == {"UV082:workshop_id", "UC080:email", "users_name_present", "users_timezone_fkey",
                        "mechanics_years_experience_range"}
    assert count(database, "users") == 1


# --- phone numbers and postal codes ------------------------------------------------------------------------

@pytest.mark.parametrize("phone, valid", [
    ("abc", False), ("((((((((", False), ("--- ---", False), ("416.555.0199", False), ("555 01", False),
    ("1234567890123456", False), ("+1 (416) 555-0199", True), ("555-0199", True), ("+44 20 7946 0958", True),
])
def test_a_phone_has_7_to_15_digits_with_spaces_dashes_and_brackets(database, phone, valid):
    assert database.scalar("select app.phone_is_valid(%s)", [phone]) is valid


@pytest.mark.parametrize("code, country, valid", [
    ("ZZZZZZZZZZ", "CA", False), ("D1A 1A1", "CA", False), ("M5V 2TO", "CA", False), ("12345", "CA", False),
    ("M5V 2T6", "CA", True), ("K1A 0B1", "CA", True), ("10001", "US", True), ("M5V 2T6", "US", False),
])
def test_a_postal_code_is_canadian_in_canada_and_a_zip_code_in_the_united_states(database, code, country, valid):
    assert database.scalar("select app.postal_code_is_valid(%s, %s)", [code, country]) is valid


def test_every_table_that_stores_a_phone_or_postal_code_checks_it(database):
    workshop = make_workshop(database)
    customer = make_customer(database)
    for statement, constraint in (
            ("update app.workshops set phone = 'abc' where id = %(workshop)s", "workshops_phone_format"),
            ("update app.workshops set postal_code = 'ZZZZZZZZZZ' where id = %(workshop)s", "workshops_postal_code_format"),
            ("update app.users set phone = '((((((((' where id = %(customer)s", "users_phone_format"),
            ("update app.customers set postal_code = 'ZZZZZZZZZZ' where id = %(customer)s", "customers_postal_code_format")):
        with database.owner() as conn:
            with pytest.raises(psycopg.errors.CheckViolation) as refused:
                conn.execute(statement, {"workshop": workshop, "customer": customer})
        assert refused.value.diag.constraint_name == constraint


def test_a_search_location_with_a_bad_postal_code_is_refused_where_it_is_used_and_kept(database):
    customer = make_customer(database)
    with database.acting(customer) as conn:
        for query in ("select * from app.find_mechanics_now(p_actor => %s, p_postal_code => 'ZZZZZZZZZZ')",
                      "select app.draft_choose_location(%s, 'book', null, 'ZZZZZZZZZZ', 'all')"):
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(query, [customer])
            assert (refused.value.sqlstate, refused.value.diag.column_name) == ("UV059", "postal_code")
        conn.execute("select * from app.find_mechanics_now(p_actor => %s, p_postal_code => 'm5v2t6')", [customer])
        conn.execute("select app.draft_choose_location(%s, 'book', null, 'M5V 2T6', 'all')", [customer])


# --- refusals say why ----------------------------------------------------------------------------------------

@pytest.fixture
def marcus(world):
    """A mechanic bookable all week at no notice, up to 30 days ahead; a customer; the clock at NOW."""
    return world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), world.customer()


@pytest.mark.parametrize("start, detail, sentence", [
    (datetime(2020, 3, 2, 15, 0, tzinfo=timezone.utc), "too_soon", "That time is in the past."),
    (datetime(2099, 3, 2, 15, 0, tzinfo=timezone.utc), "too_far",
     "That is beyond the 30 days ahead you can book with this mechanic."),
])
def test_a_time_that_cannot_be_held_says_why_in_the_hint(world, marcus, start, detail, sentence):
    mechanic, customer = marcus
    with pytest.raises(psycopg.Error) as refused:
        world.conn.execute("select * from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, start])
    diag = refused.value.diag
    assert (refused.value.sqlstate, diag.message_detail, diag.message_hint) == ("UR002", detail, sentence)
    [answer] = world.conn.execute("select * from app.slot_availability(%s, %s, %s + interval '30 minutes')",
                                  [mechanic, start, start]).fetchall()
    assert (answer["reason"], answer["message"]) == (detail, sentence)


def test_too_soon_names_the_mechanics_notice(world):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=120)
    assert world.value("select app.availability_reason_message('too_soon', %s, %s)",
                       [mechanic, local(TO, "2026-11-23 10:00")]) == "Too soon: this mechanic takes bookings from 2 hours ahead."
    assert world.value("select app.availability_reason_message('booked')") == "Already booked."


@pytest.mark.parametrize("day, sentence", [
    (date(2020, 1, 6), "That day is in the past."),
    (date(2026, 11, 22), "That day is in the past."),
    (date(2026, 11, 23), None),  # today: its times say why
    (date(2026, 12, 23), None),
    (date(2026, 12, 24), "That day is beyond the 30 days ahead you can book with this mechanic."),
    (date(2099, 1, 5), "That day is beyond the 30 days ahead you can book with this mechanic."),
])
def test_a_day_out_of_reach_says_why(world, marcus, day, sentence):
    mechanic, _ = marcus
    assert world.value("select app.day_refusal_message(%s, %s, %s)", [mechanic, day, TO]) == sentence
    assert world.value("select app.day_refusal_message(null, %s, %s)", [day, TO]) == (
        sentence if sentence and "past" in sentence else None)
