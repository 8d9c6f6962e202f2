"""The DBA's and operator's commands: db status|upgrade, seed-demo, users create."""
import pytest

import demo


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_db_status_and_upgrade(app):
    result = run(app, "db", "status")
    assert result.exit_code == 0 and "applied  0001_core.sql" in result.output
    result = run(app, "db", "upgrade")
    assert result.exit_code == 0 and "no pending migrations; functions re-applied" in result.output


def test_users_create_makes_a_staff_account_with_a_hashed_password(app, database):
    workshop = database.scalar("insert into app.workshops (name, street, city, province, postal_code, timezone) "
                               "values ('W', '1 St', 'Halifax', 'NS', 'B3K 3B4', 'America/Halifax') returning id")
    result = run(app, "users", "create", "--role", "mechanic", "--email", "new@example.com", "--name", "New Mech",
                 "--timezone", "America/Halifax", "--workshop-id", str(workshop), "--partnership", "contractor",
                 "--password", "a fine password")
    assert result.exit_code == 0, result.output
    with database.owner() as conn:
        row = conn.execute("select u.password_hash = public.crypt('a fine password', u.password_hash) as matches, "
                           "m.partnership_type, app.mechanic_type_of(m.workshop_id, m.account_type) "
                           "as kind from app.users u join app.mechanics m using (id) where u.email = 'new@example.com'"
                           ).fetchone()
    assert row["matches"]
    assert row["kind"] == "workshop_affiliated" and row["partnership_type"] == "contractor"


def test_users_create_refuses_bad_input_clearly(app, database):
    result = run(app, "users", "create", "--role", "mechanic", "--email", "x@example.com", "--name", "X",
                 "--timezone", "Mars/Base", "--password", "a fine password")
    assert result.exit_code != 0 and "not created" in result.output
    result = run(app, "users", "create", "--role", "workshop_admin", "--email", "y@example.com", "--name", "Y",
                 "--password", "a fine password")
    assert result.exit_code != 0 and "not created" in result.output
    assert database.scalar("select count(*) from app.users") == 0


@pytest.mark.slow  # loads the demo world
def test_seed_demo_loads_once(app, database):
    assert run(app, "seed-demo").exit_code == 0
    users = database.scalar("select count(*) from app.users")
    again = run(app, "seed-demo")
    assert again.exit_code != 0 and "already has accounts" in again.output
    assert database.scalar("select count(*) from app.users") == users
    assert not demo.is_empty(database.url)


def test_jobs_run_once_from_the_command_line(app, database):
    listed = run(app, "jobs", "list")
    assert listed.exit_code == 0 and "handle_no_shows" in listed.output and "every 5 min" in listed.output
    result = run(app, "jobs", "run", "release_expired_reservations", "reconcile_payments")
    assert result.exit_code == 0, result.output
    assert "release_expired_reservations: 0" in result.output and "reconcile_payments: 0" in result.output
    assert run(app, "jobs", "run", "no_such_job").exit_code != 0
