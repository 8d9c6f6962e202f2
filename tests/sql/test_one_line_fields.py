"""One-line fields hold no control characters (issue 16): a name with a line break used to be stored and then
block every email to that person. Each such column has its check, with its message for the form."""
import psycopg
import pytest

import errors
from conftest import make_customer, make_workshop


def one_line_checks(database):
    with database.owner() as conn:
        return {r["conname"] for r in conn.execute(
            "select conname from pg_constraint where connamespace = 'app'::regnamespace and conname like '%one_line'")}


def test_every_one_line_check_has_a_message_for_its_field(database):
    checks = one_line_checks(database)
    assert len(checks) == 24
    assert checks == {name for name in errors.CONSTRAINTS if name.endswith("_one_line")}


@pytest.mark.parametrize("value", ["Robin\nDriver", "Robin\r\nBcc: all@example.com", "Robin\tDriver", "Robin\x1b[31m", "Robin\x7f"])
def test_a_name_with_a_control_character_is_refused(database, value):
    customer = make_customer(database)
    workshop = make_workshop(database)
    for table, row in (("users", customer), ("workshops", workshop)):
        with pytest.raises(psycopg.errors.CheckViolation) as refused, database.owner() as conn:
            conn.execute(f"update app.{table} set name = %s where id = %s", [value, row])
        assert refused.value.diag.constraint_name == f"{table}_name_one_line"
    assert database.scalar("select name from app.users where id = %s", [customer]) == "Casey Customer"
