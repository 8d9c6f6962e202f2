"""Passwords and log-in sessions inside PostgreSQL, and an actor the app role cannot forge (issue 16 §1):
log_in checks the password and returns a token stored only as its hash; authenticate binds that token's person
to the transaction with a signed value; every function that acts for a person acts only for that one."""
import hashlib
import statistics
import time
from datetime import timedelta

import psycopg
import pytest
from werkzeug.security import generate_password_hash

import conftest
import jobs
from conftest import NOW, PASSWORD, PASSWORD_HASH, make_customer, make_staff
from support import sqlstate
from test_privileges import NOT_A_RANGE_CONSTRUCTOR


def log_in(conn, email, password=PASSWORD, ip="192.0.2.10", proof=None):
    return conn.execute("select * from app.log_in(%s, %s, %s, 'Firefox on a test bench', %s)",
                        [email, password, ip, proof]).fetchone()


def token_for(database, email, password=PASSWORD):
    with database.app() as conn:
        answer = log_in(conn, email, password)
    assert answer["outcome"] == "ok", answer
    return answer["token"]


def bound_user(database, token):
    with database.app() as conn:
        row = conn.execute("select id from app.authenticate(%s)", [token]).fetchone()
    return row and row["id"]


# ---- log-in -------------------------------------------------------------------------------------------------

def test_a_log_in_checks_the_password_in_the_database_and_keeps_only_the_tokens_hash(database):
    database.set_clock(NOW)
    customer = make_customer(database, email="kim@example.com")
    with database.app() as conn:
        answer = log_in(conn, "KIM@example.com ")
        assert (answer["outcome"], answer["role"]) == ("ok", "customer")
        assert len(answer["token"]) == 64 and int(answer["token"], 16)
        assert log_in(conn, "kim@example.com", "wrong password!")["outcome"] == "wrong"
    with database.owner() as conn:
        stored = conn.execute("select * from app.login_sessions").fetchall()
        hashed = conn.execute("select password_hash from app.users where id = %s", [customer]).fetchone()["password_hash"]
    assert [(s["user_id"], bytes(s["token_hash"]), str(s["ip"]), s["user_agent"], s["revoked_at"]) for s in stored] == [
        (customer, hashlib.sha256(answer["token"].encode()).digest(), "192.0.2.10", "Firefox on a test bench", None)]
    assert stored[0]["expires_at"] == NOW + timedelta(days=30)
    assert answer["token"] not in str(stored)
    assert hashed.startswith("$2a$04$")  # bcrypt, at the test template's cost


def test_unknown_emails_passwords_never_set_and_deactivated_accounts_get_no_session(database):
    database.set_clock(NOW)
    admin = make_staff(database, "admin", "root@example.com")
    gone = make_customer(database, email="gone@example.com")
    with database.owner() as conn:
        invited = conn.execute("select app.invite_staff_account(p_actor => %s, p_role => 'admin', "
                               "p_email => 'new@example.com', p_name => 'New', p_timezone => 'UTC') as id", [admin]).fetchone()["id"]
        conn.execute("select app.deactivate_account(%s, %s)", [admin, gone])
    with database.app() as conn:
        assert log_in(conn, "nobody@example.com")["outcome"] == "wrong"
        assert log_in(conn, "new@example.com")["outcome"] == "wrong"
        assert log_in(conn, "gone@example.com", "wrong password!")["outcome"] == "wrong"
        # only someone who knows the password learns that the account is deactivated
        assert log_in(conn, "gone@example.com") == {"outcome": "deactivated", "token": None, "role": None,
                                                    "legacy_scheme": None}
    assert invited and database.scalar("select count(*) from app.login_sessions") == 0
    assert database.scalar("select count(*) from app.login_attempts where succeeded") == 0


def test_a_werkzeug_hash_from_before_is_checked_without_leaving_the_database_then_upgraded(database):
    database.set_clock(NOW)
    customer = make_customer(database, email="old@example.com")
    with database.owner() as conn:
        conn.execute("update app.users set password_hash = %s where id = %s", [PASSWORD_HASH, customer])
    method, salt, digest = PASSWORD_HASH.split("$")
    with database.app() as conn:
        first = log_in(conn, "old@example.com")
        assert (first["outcome"], first["token"], first["legacy_scheme"]) == ("legacy", None, f"{method}${salt}")
        assert digest not in str(first)
        wrong_proof = generate_password_hash("another password", method=method).split("$")[2]
        assert log_in(conn, "old@example.com", proof=wrong_proof)["outcome"] == "wrong"
        from werkzeug.security import _hash_internal
        proof = _hash_internal(method, salt, PASSWORD)[0]
        assert log_in(conn, "old@example.com", proof=proof)["outcome"] == "ok"
        assert log_in(conn, "old@example.com")["outcome"] == "ok"  # bcrypt from now on: one call
    assert database.scalar("select password_hash from app.users where id = %s", [customer]).startswith("$2a$")


def test_no_granted_function_hands_a_password_hash_to_the_app(database):
    with database.owner() as conn:
        columns = conn.execute(
            "select p.proname, a.name from pg_proc p "
            "cross join lateral unnest(p.proargnames, p.proargmodes) as a(name, mode) "
            "where p.pronamespace = 'app'::regnamespace and has_function_privilege(%s, p.oid, 'execute') "
            "and a.mode in ('o', 't', 'b') and a.name like '%%hash%%'",
            ["autodoctor_app"]).fetchall()
        returns_users = conn.execute(
            "select proname from pg_proc where pronamespace = 'app'::regnamespace "
            "and has_function_privilege(%s, oid, 'execute') and prorettype = 'app.users'::regtype",
            ["autodoctor_app"]).fetchall()
    assert columns == [] and returns_users == []
    assert database.scalar("select to_regproc('app.login_lookup')") is None


def test_a_log_in_at_the_production_cost_takes_between_50_and_500_ms(database):
    make_customer(database, email="kim@example.com")
    with database.owner() as conn:
        conn.execute("update app.login_policy set bcrypt_cost = %s", [conftest.PRODUCTION_BCRYPT_COST])
        conn.execute("update app.users set password_hash = app.hash_password(%s)", [PASSWORD])
    timings = []
    with database.app() as conn:
        for _ in range(7):
            started = time.perf_counter()
            assert log_in(conn, "kim@example.com")["outcome"] == "ok"
            timings.append((time.perf_counter() - started) * 1000)
    print(f"\nlog-in at bcrypt cost {conftest.PRODUCTION_BCRYPT_COST}: p50 {statistics.median(timings):.1f} ms")
    assert 50 <= statistics.median(timings) <= 500


@pytest.mark.slow  # a timing, measured over many calls
def test_binding_the_actor_adds_little_to_a_call(database):
    """A call as the app makes it for a logged-in person (one statement, the actor argument being
    acting_user(token)) against the same statement with the actor named by the owner, who needs no binding, and
    against the call as the app made it before (a transaction around an unbound call). The figures go in the
    note; the assertion leaves room for a busy machine."""
    kim = make_customer(database, email="kim@example.com")
    call = "select * from app.my_vehicles(p_actor => {})"
    with database.app() as conn, database.owner() as owner:
        token = log_in(conn, "kim@example.com")["token"]

        def before():
            with owner.transaction():
                owner.execute(call.format("%s"), [kim]).fetchall()

        ways = {"unbound, in a transaction (before)": before,
                "unbound, one statement": lambda: owner.execute(call.format("%s"), [kim]).fetchall(),
                "bound (now)": lambda: conn.execute(call.format("app.acting_user(%s)"), [token]).fetchall()}
        runs = {name: [] for name in ways}
        for _ in range(500):
            for name, way in ways.items():
                started = time.perf_counter()
                way()
                runs[name].append((time.perf_counter() - started) * 1000)
    p50 = {name: statistics.median(timings) for name, timings in runs.items()}
    print("\n" + "; ".join(f"{name}: p50 {ms:.3f} ms" for name, ms in p50.items()))
    assert p50["bound (now)"] - p50["unbound, one statement"] < 1.0


# ---- the session's life -------------------------------------------------------------------------------------

def test_a_session_ends_when_idle_too_long_at_its_absolute_lifetime_and_at_log_out(database):
    database.set_clock(NOW)
    customer = make_customer(database, email="kim@example.com")
    token = token_for(database, "kim@example.com")
    for days in (1, 7, 13, 19, 25):  # used every 6 days: never idle 7
        database.set_clock(NOW + timedelta(days=days))
        assert bound_user(database, token) == customer
    database.set_clock(NOW + timedelta(days=30))  # 30 days after the log-in, however busy
    assert bound_user(database, token) is None

    database.set_clock(NOW)
    idle = token_for(database, "kim@example.com")
    database.set_clock(NOW + timedelta(days=7, seconds=-1))
    assert bound_user(database, idle) == customer
    database.set_clock(NOW + timedelta(days=14, seconds=-2))
    assert bound_user(database, idle) == customer
    database.set_clock(NOW + timedelta(days=21))
    assert bound_user(database, idle) is None

    database.set_clock(NOW)
    out = token_for(database, "kim@example.com")
    with database.app() as conn:
        conn.execute("select app.log_out(%s)", [out])
    assert bound_user(database, out) is None
    assert database.scalar("select revoked_why from app.login_sessions where token_hash = sha256(convert_to(%s, 'UTF8'))",
                           [out]) == "logged_out"


def test_last_use_is_written_at_most_once_a_minute(database):
    database.set_clock(NOW)
    make_customer(database, email="kim@example.com")
    token = token_for(database, "kim@example.com")
    database.set_clock(NOW + timedelta(seconds=59))
    bound_user(database, token)
    assert database.scalar("select last_seen_at from app.login_sessions") == NOW
    database.set_clock(NOW + timedelta(seconds=61))
    bound_user(database, token)
    assert database.scalar("select last_seen_at from app.login_sessions") == NOW + timedelta(seconds=61)


def test_deactivation_and_a_new_password_end_every_session(database):
    database.set_clock(NOW)
    admin = make_staff(database, "admin", "root@example.com")
    customer = make_customer(database, email="kim@example.com")
    phone, laptop = token_for(database, "kim@example.com"), token_for(database, "kim@example.com")
    with database.app() as conn, conn.transaction():
        keep = conn.execute("select login_session_id from app.authenticate(%s)", [laptop]).fetchone()["login_session_id"]
        conn.execute("select app.change_password(%s, %s, %s, %s)", [customer, PASSWORD, "a new long passphrase", keep])
    assert (bound_user(database, phone), bound_user(database, laptop)) == (None, customer)
    with database.acting(admin) as conn:
        conn.execute("select app.deactivate_account(%s, %s)", [admin, customer])
    assert bound_user(database, laptop) is None
    assert database.scalar("select array_agg(revoked_why order by id) from app.login_sessions where user_id = %s",
                           [customer]) == [
        "password_changed", "revoked_by_admin"]


def test_a_password_set_through_a_link_ends_every_session(database):
    database.set_clock(NOW)
    admin = make_staff(database, "admin", "root@example.com")
    customer = make_customer(database, email="kim@example.com")
    phone, laptop = token_for(database, "kim@example.com"), token_for(database, "kim@example.com")
    with database.acting(admin) as conn:
        conn.execute("select app.issue_password_token(%s, %s)", [admin, customer])
    link = database.scalar("select payload->>'token' from app.outbox where user_id = %s and payload ? 'token'", [customer])
    with database.app() as conn:
        conn.execute("select app.set_password_with_token(%s, 'a brand new passphrase')", [link])
    assert (bound_user(database, phone), bound_user(database, laptop)) == (None, None)
    assert database.scalar("select array_agg(distinct revoked_why) from app.login_sessions where user_id = %s",
                           [customer]) == ["password_changed"]


def test_a_wrong_current_password_changes_nothing(database):
    customer = make_customer(database, email="kim@example.com")
    token = token_for(database, "kim@example.com")
    before = database.scalar("select password_hash from app.users where id = %s", [customer])
    with database.acting(customer) as conn:
        assert sqlstate(conn.execute, "select app.change_password(%s, 'not my password', 'a new long passphrase', null)",
                        [customer]) == "UV063"
        assert sqlstate(conn.execute, "select app.change_password(%s, %s, 'short', null)", [customer, PASSWORD]) == "UV062"
    assert database.scalar("select password_hash from app.users where id = %s", [customer]) == before
    assert bound_user(database, token) == customer


def test_the_owner_lists_and_ends_their_sessions_and_the_admin_anyones(database):
    database.set_clock(NOW)
    admin = make_staff(database, "admin", "root@example.com")
    customer = make_customer(database, email="kim@example.com")
    other = make_customer(database, email="other@example.com")
    tokens = [token_for(database, "kim@example.com") for _ in range(3)]
    token_for(database, "other@example.com")
    with database.acting(customer) as conn:
        mine = [s["id"] for s in conn.execute("select * from app.my_login_sessions(%s)", [customer])]
        assert len(mine) == 4  # three log-ins and the acting connection's own
        assert sqlstate(conn.execute, "select * from app.my_login_sessions(%s, %s)", [customer, other]) == "UP001"
        others = database.scalar("select id from app.login_sessions where user_id = %s", [other])
        assert sqlstate(conn.execute, "select app.end_my_login_sessions(%s, p_session => %s)", [customer, others]) == "UN001"
        conn.execute("select app.end_my_login_sessions(%s, p_session => %s)", [customer, min(mine)])
        assert [bound_user(database, t) for t in tokens] == [None, customer, customer]
        keep = database.scalar("select id from app.login_sessions where token_hash = sha256(convert_to(%s, 'UTF8'))",
                               [tokens[2]])
        assert conn.execute("select app.end_my_login_sessions(%s, p_keep => %s) as n", [customer, keep]).fetchone()["n"] == 2
    assert [bound_user(database, t) for t in tokens] == [None, None, customer]
    with database.acting(admin) as conn:
        assert [s["user_agent"] for s in conn.execute("select * from app.my_login_sessions(%s, %s)", [admin, customer])] == [
            "Firefox on a test bench"]
        assert conn.execute("select app.end_my_login_sessions(%s, p_user => %s) as n", [admin, customer]).fetchone()["n"] == 1
    assert bound_user(database, tokens[2]) is None
    assert database.scalar("select revoked_by from app.login_sessions where revoked_why = 'revoked_by_admin'") == admin


# ---- the actor the app cannot forge -------------------------------------------------------------------------

@pytest.fixture
def two_customers(database):
    database.set_clock(NOW)
    return make_customer(database, email="kim@example.com"), make_customer(database, email="lee@example.com")


def test_the_app_role_cannot_read_anothers_appointments_or_cancel_as_them(database, two_customers):
    kim, lee = two_customers
    with database.app() as conn:  # nobody bound
        assert sqlstate(conn.execute, "select * from app.my_appointments(%s)", [lee]) == "UA001"
        assert sqlstate(conn.execute, "select * from app.cancel_session(%s, 1)", [lee]) == "UA001"
    with database.acting(kim) as conn:  # Kim bound, asking as Lee
        assert sqlstate(conn.execute, "select * from app.my_appointments(%s)", [lee]) == "UA001"
        assert sqlstate(conn.execute, "select * from app.cancel_session(%s, 1)", [lee]) == "UA001"
        assert conn.execute("select count(*) as n from app.my_appointments(%s)", [kim]).fetchone()["n"] == 0


def test_a_binding_set_by_hand_or_replayed_from_another_transaction_binds_nobody(database, two_customers):
    kim, lee = two_customers
    token = token_for(database, "kim@example.com")
    with database.app() as conn:
        with conn.transaction():
            conn.execute("select from app.authenticate(%s)", [token])
            signed = conn.execute("select current_setting('autodoctor.actor') as v").fetchone()["v"]
            assert signed.startswith(f"{kim}:")
        forged = f"{lee}:{signed.split(':')[1]}"
        for value in (signed, forged, f"{lee}:" + "0" * 64, str(lee)):
            with conn.transaction():
                conn.execute("select set_config('autodoctor.actor', %s, true)", [value])
                assert sqlstate(conn.execute, "select * from app.my_appointments(%s)", [kim]) == "UA001"
    with database.app() as other:  # nor in another connection within the same second
        with other.transaction():
            other.execute("select set_config('autodoctor.actor', %s, true)", [signed])
            assert sqlstate(other.execute, "select * from app.my_appointments(%s)", [kim]) == "UA001"


def test_the_web_role_cannot_mark_a_payment_succeeded_or_run_a_job(database):
    with database.owner() as conn:
        payments_only = [r["f"] for r in conn.execute(
            "select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'app'::regnamespace "
            "and has_function_privilege('autodoctor_payments', p.oid, 'execute') and " + NOT_A_RANGE_CONSTRUCTOR)]
        jobs = [r["f"] for r in conn.execute(
            "select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'app'::regnamespace "
            "and p.proname in (select unnest(%s::text[]))", [JOB_FUNCTIONS])]
        web = {r["f"] for r in conn.execute(
            "select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace = 'app'::regnamespace "
            "and has_function_privilege('autodoctor_app', p.oid, 'execute')")}
    assert sorted(f.split("(")[0] for f in payments_only) == [
        "app.apply_gateway_event", "app.apply_payment_intent", "app.note_reconcile_attempt", "app.note_refund_attempt",
        "app.payments_to_reconcile", "app.pending_refunds", "app.record_refund"]
    assert len(jobs) == len(JOB_FUNCTIONS)
    assert web.isdisjoint(payments_only) and web.isdisjoint(jobs)
    with database.app() as conn:
        assert sqlstate(conn.execute, "select * from app.apply_payment_intent("
                              "'{\"id\": \"pi_x\", \"status\": \"succeeded\"}'::jsonb, 1)") == "42501"
        assert sqlstate(conn.execute, "select app.handle_no_shows()") == "42501"


JOB_FUNCTIONS = [job.name for job in jobs.JOBS.values() if job.in_sql]  # the others run in Python

# Granted to the web role and callable by anyone: the catalogue, availability, and the ways in
PUBLIC = {
    "authenticate", "acting_user", "log_in", "log_out", "sign_up_customer", "note_signup_attempt", "check_password_token",
    "set_password_with_token", "list_plans", "list_time_zones", "platform_summary", "is_slot_available",
    "available_days", "available_slots", "slot_availability", "nearest_free_starts", "availability_reason_message",
    "day_refusal_message",
    "list_mechanics", "mechanic_profile", "mechanic_type", "rank_mechanics", "match_mechanics_at", "concern_categories",
    "concern_is_described", "draft_files_limit",
}


def granted_functions(database):
    """Every function the web role may execute: name, whether it takes p_actor, and a call of it in named
    notation with p_actor as a parameter and every other argument null."""
    with database.owner() as conn:
        rows = conn.execute(
            "select p.proname, p.proargnames, p.proargmodes, "
            "       array(select format_type(t, null) from unnest(p.proargtypes) t) as types, p.provariadic <> 0 as variadic "
            "from pg_proc p where p.pronamespace = 'app'::regnamespace "
            "and has_function_privilege('autodoctor_app', p.oid, 'execute') "
            "and " + NOT_A_RANGE_CONSTRUCTOR + " order by 1").fetchall()
    calls = []
    for row in rows:
        names = [n for n, m in zip(row["proargnames"] or [], row["proargmodes"] or ["i"] * len(row["types"]))
                 if m in ("i", "b", "v")]
        arguments = [f"{name} => %(actor)s" if name == "p_actor" else f"{name} => null::{kind}"
                     for name, kind in zip(names, row["types"])]
        assert not row["variadic"], row["proname"]
        calls.append((row["proname"], "p_actor" in names, f"select * from app.{row['proname']}({', '.join(arguments)})"))
    return calls


def test_every_granted_function_acts_only_for_the_bound_actor(database):
    database.set_clock(NOW)
    admin = make_staff(database, "admin", "root@example.com")
    customer = make_customer(database, email="kim@example.com")
    calls = granted_functions(database)
    assert len(calls) > 100
    unchecked = []
    with database.app() as nobody, database.acting(customer) as kim:
        for name, takes_actor, call in calls:
            if name in PUBLIC or not takes_actor:  # the public ones act for nobody, the others all name an actor
                assert name in PUBLIC and not takes_actor, name
                continue
            # nobody bound, or the customer bound while naming the admin: refused before anything else
            for conn in (nobody, kim):
                try:
                    conn.execute(call, {"actor": admin})
                    unchecked.append((name, "answered"))
                except psycopg.Error as refused:
                    if refused.sqlstate != "UA001":
                        unchecked.append((name, conn is kim, refused.sqlstate))
    assert unchecked == [], unchecked
