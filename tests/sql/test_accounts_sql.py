"""Account functions: sign-up, log-in rate limiting, the acting user's rights, and the clock."""
import re
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

import errors
import migrate
from conftest import PASSWORD, make_customer, make_staff

T0 = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)


def test_sign_up_stores_a_normalized_customer(database):
    user = make_customer(database, email="  Ana@Example.com ")
    with database.owner() as conn:
        row = conn.execute("select u.email, u.role, c.postal_code, c.country from app.users u "
                           "join app.customers c using (id) where u.id = %s", [user]).fetchone()
    assert row == {"email": "Ana@Example.com", "role": "customer", "postal_code": "M5V 2T6", "country": "CA"}


def test_app_now_follows_the_frozen_clock(database):
    database.set_clock(T0)
    assert database.scalar("select app.app_now()") == T0
    database.set_clock(None)
    assert abs(database.scalar("select app.app_now() - now()")) < timedelta(seconds=1)


def allowed(conn, email, ip="192.0.2.1"):
    """Whether a log-in for this email from this address would be tried now (log_in checks it first)."""
    try:
        conn.execute("select app.check_login_throttle(%s, %s)", [email, ip])
    except psycopg.Error as refused:
        return refused.sqlstate
    return True


def fail(conn, email, ip="192.0.2.1", times=1):
    for _ in range(times):
        assert conn.execute("select outcome from app.log_in(%s, 'a wrong password', %s, null)",
                            [email, ip]).fetchone()["outcome"] == "wrong"


def test_failures_for_an_email_make_that_address_wait_longer_each_time_and_nobody_else(database):
    make_customer(database, email="kim@example.com")
    database.set_clock(T0)
    with database.owner() as conn:
        fail(conn, "kim@example.com", times=2)
        assert allowed(conn, "KIM@example.com") is True
        fail(conn, "Kim@Example.com")  # the third: 15 s to wait
        assert allowed(conn, "kim@example.com") == "UL004"
        # the owner, from anywhere else, is never locked out by someone's guesses
        for n in range(20):
            fail(conn, "kim@example.com", ip=f"203.0.113.{n}")
        assert allowed(conn, "kim@example.com", ip="198.51.100.50") is True
    for wait, then_refused in ((14, True), (15, False)):
        database.set_clock(T0 + timedelta(seconds=wait))
        with database.owner() as conn:
            assert allowed(conn, "kim@example.com") == ("UL004" if then_refused else True)
    with database.owner() as conn:  # a fourth failure doubles the wait
        fail(conn, "kim@example.com")
    for wait, then_refused in ((44, True), (45, False)):
        database.set_clock(T0 + timedelta(seconds=wait))
        with database.owner() as conn:
            assert allowed(conn, "kim@example.com") == ("UL004" if then_refused else True)


def test_thirty_failures_from_one_address_lock_that_address_only(database):
    database.set_clock(T0)
    with database.owner() as conn:
        for n in range(29):
            fail(conn, f"guess{n}@example.com", ip="198.51.100.7")
        assert allowed(conn, "someone@example.com", ip="198.51.100.7") is True
        fail(conn, "guess29@example.com", ip="198.51.100.7")
        assert allowed(conn, "someone@example.com", ip="198.51.100.7") == "UL001"
        assert allowed(conn, "someone@example.com", ip="198.51.100.8") is True
    database.set_clock(T0 + timedelta(minutes=15, seconds=1))
    with database.owner() as conn:
        assert allowed(conn, "someone@example.com", ip="198.51.100.7") is True


def test_a_success_forgives_earlier_failures(database):
    make_customer(database, email="kim@example.com")
    database.set_clock(T0)
    with database.owner() as conn:
        fail(conn, "kim@example.com", times=3)
        assert allowed(conn, "kim@example.com") == "UL004"
    database.set_clock(T0 + timedelta(minutes=5))
    with database.app() as conn:
        assert conn.execute("select outcome from app.log_in('kim@example.com', %s, '192.0.2.1', null)",
                            [PASSWORD]).fetchone()["outcome"] == "ok"
        fail(conn, "kim@example.com", times=2)
    with database.owner() as conn:
        assert allowed(conn, "kim@example.com") is True


def test_a_customer_cannot_remove_someone_elses_vehicle(database):
    owner = make_customer(database, email="owner@example.com")
    intruder = make_customer(database, email="intruder@example.com")
    with database.acting(owner) as conn, database.acting(intruder) as other:
        vehicle = conn.execute("select app.add_vehicle(p_actor => %s, p_year => 2019, p_make => 'Mazda', "
                               "p_model => 'CX-5') as id", [owner]).fetchone()["id"]
        with pytest.raises(psycopg.Error) as refused:
            other.execute("select app.remove_vehicle(%s, %s)", [intruder, vehicle])
        assert refused.value.sqlstate == "UN001"
        with pytest.raises(psycopg.Error) as missing:
            conn.execute("select app.remove_vehicle(%s, %s)", [owner, vehicle + 1000])
        assert missing.value.sqlstate == "UN001"
        assert [v["id"] for v in conn.execute("select id from app.my_vehicles(%s)", [owner])] == [vehicle]
        assert other.execute("select count(*) as n from app.my_vehicles(%s)", [intruder]).fetchone()["n"] == 0


def test_a_vehicle_from_the_future_is_refused(database):
    customer = make_customer(database)
    database.set_clock(T0)
    with database.acting(customer) as conn:
        conn.execute("select app.add_vehicle(p_actor => %s, p_year => 2027, p_make => 'Kia', p_model => 'EV9')", [customer])
        with pytest.raises(psycopg.Error) as refused:
            conn.execute("select app.add_vehicle(p_actor => %s, p_year => 2028, p_make => 'Kia', p_model => 'EV9')", [customer])
        assert refused.value.sqlstate == "UV002"
        assert refused.value.diag.column_name == "year"


@pytest.mark.parametrize("function, role", [
    ("my_vehicles", "customer"), ("my_favorites", "customer"), ("mechanic_overview", "mechanic"),
    ("my_workshops", "workshop_admin"), ("admin_overview", "admin"),
])
def test_functions_acting_for_a_person_check_the_role(database, function, role):
    people = {"customer": make_customer(database),
              "mechanic": make_staff(database, "mechanic", "m@example.com"),
              "admin": make_staff(database, "admin", "a@example.com")}
    for other_role, person in people.items():
        with database.acting(person) as conn:
            if other_role == role:
                conn.execute(f"select * from app.{function}(%s)", [person])
                continue
            with pytest.raises(psycopg.Error) as refused:
                conn.execute(f"select * from app.{function}(%s)", [person])
            assert refused.value.sqlstate == "UP001"
    with database.owner() as conn, pytest.raises(psycopg.Error) as nobody:  # the owner acts for whoever it names
        conn.execute(f"select * from app.{function}(%s)", [999999])
    assert nobody.value.sqlstate == "UP001"


def test_staff_accounts_are_never_customers(database):
    with pytest.raises(psycopg.Error) as refused:
        make_staff(database, "customer", "c@example.com")
    assert refused.value.sqlstate == "UV001"
    with pytest.raises(psycopg.Error) as no_workshop:
        make_staff(database, "workshop_admin", "w@example.com")
    assert no_workshop.value.sqlstate == "UV001"


def test_every_error_code_raised_in_sql_is_listed_once_with_a_message():
    raised = set()
    for path in migrate.function_files():
        raised |= set(re.findall(r"errcode = '([A-Z0-9]{5})'", path.read_text()))
        raised |= set(re.findall(r"'(U[A-Z][0-9]{3}):", path.read_text()))  # a field's problem (refuse_fields)
    own = {code for code in raised if code[:2] in errors.STATUS_BY_CLASS}
    assert own == set(errors.CODES)
    assert all(errors.CODES.values())
