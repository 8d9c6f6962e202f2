"""Least privilege: the app role owns nothing, touches no table directly, creates nothing, and may execute
only the functions granted to it; SECURITY DEFINER functions pin their search_path."""
import psycopg
import pytest

from migrate import APP_ROLE, OWNER_ROLE


def tables(database):
    with database.owner() as conn:
        return conn.execute(
            "select c.oid::regclass::text as name, "
            "       (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 "
            "        and not a.attisdropped and a.attidentity = '' and a.attgenerated = '' "
            "        order by a.attnum limit 1) as first_column "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')").fetchall()


def test_app_role_has_no_table_privileges(database):
    with database.owner() as conn:
        granted = conn.execute(
            "select c.oid::regclass::text from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where c.relkind in ('r', 'p', 'v', 'm') and n.nspname not in ('pg_catalog', 'information_schema') "
            "and has_table_privilege(%s, c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER')",
            [APP_ROLE]).fetchall()
    assert granted == []


@pytest.mark.parametrize("statement", [
    "insert into {table} default values",
    "update {table} set {column} = {column}",
    "delete from {table}",
])
def test_app_role_cannot_write_any_table(database, statement):
    all_tables = tables(database)
    assert len(all_tables) > 10
    with database.app() as conn:
        for table in all_tables:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement.format(table=table["name"], column=table["first_column"]))


@pytest.mark.parametrize("statement", [
    "create table app.intruder (id int)",
    "create table public.intruder (id int)",
    "create temporary table intruder (id int)",
    "create schema intruder",
    "create function app.intruder() returns int language sql as 'select 1'",
    "create view app.intruder as select 1",
])
def test_app_role_cannot_create_objects(database, statement):
    with database.app() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_app_role_owns_nothing(database):
    with database.owner() as conn:
        owned = conn.execute(
            "select 'relation' from pg_class where relowner = %(r)s::regrole "
            "union all select 'function' from pg_proc where proowner = %(r)s::regrole "
            "union all select 'schema' from pg_namespace where nspowner = %(r)s::regrole "
            "union all select 'type' from pg_type where typowner = %(r)s::regrole",
            {"r": APP_ROLE}).fetchall()
        role = conn.execute("select rolsuper, rolcreatedb, rolcreaterole, rolbypassrls from pg_roles "
                            "where rolname = %s", [APP_ROLE]).fetchone()
    assert owned == []
    assert not any(role.values())


# PostgreSQL 15 makes a range type's constructor functions (app.timerange(time, time) ...) belong to the
# bootstrap superuser and executable by PUBLIC, whoever creates the type; they only build values.
NOT_A_RANGE_CONSTRUCTOR = (
    "not exists (select 1 from pg_range r where p.prorettype in (r.rngtypid, r.rngmultitypid))")


def test_schema_objects_belong_to_the_owner_role(database):
    with database.owner() as conn:
        owners = conn.execute(
            "select distinct pg_get_userbyid(c.relowner) as owner from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'app' "
            "union select distinct pg_get_userbyid(p.proowner) from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app' and "
            + NOT_A_RANGE_CONSTRUCTOR).fetchall()
    assert [o["owner"] for o in owners] == [OWNER_ROLE]


def test_security_definer_functions_pin_search_path(database):
    with database.owner() as conn:
        definers = conn.execute(
            "select p.oid::regprocedure::text as name, p.proconfig from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app' and p.prosecdef").fetchall()
    assert len(definers) > 5
    unpinned = [d["name"] for d in definers
                if not any(setting.startswith("search_path=") for setting in d["proconfig"] or [])]
    assert unpinned == []


def test_public_cannot_execute_any_app_function(database):
    with database.owner() as conn:
        open_to_public = conn.execute(
            "select p.oid::regprocedure::text as name from pg_proc p "
            "join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app' "
            "and (p.proacl is null or exists (select 1 from aclexplode(p.proacl) a "
            "     where a.grantee = 0 and a.privilege_type = 'EXECUTE')) and " + NOT_A_RANGE_CONSTRUCTOR).fetchall()
    assert open_to_public == []


def test_app_role_executes_granted_functions_only(database):
    with database.app() as conn:
        assert [r["code"] for r in conn.execute("select code from app.list_plans()")] == [
            "standard", "extended", "premium"]
        for forbidden in ("select app.set_app_clock(now())",
                          "select app.require_role(1, 'admin')",
                          "select app.create_staff_account('admin', 'x@example.com', repeat('h', 30), 'X', 'UTC')"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(forbidden)
    with database.owner() as conn:
        assert conn.execute("select count(*) as n from app.users").fetchone()["n"] == 0
