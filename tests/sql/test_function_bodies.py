"""Every function body names what exists: migrate.py applies the function files with check_function_bodies off (a
body may call a function from a later file), so a renamed column or a typo would otherwise fail only when a request
reached it. PL/pgSQL bodies go through plpgsql_check (created here, in the test database only: production need not
have it), and every LANGUAGE SQL body is created again with check_function_bodies on."""
import psycopg
import pytest

# plpgsql_check's warnings that mean a statement would fail or do what it does not say; the rest ("never read
# variable", "unused parameter", a dynamic statement it cannot see into) say nothing about a body's correctness
REAL_WARNINGS = (
    "target type is different type than source type",
    "too few attributes for target variables",
    "too many attributes for target variables",
    "too few attributes for composite variable",
    "too many attributes for composite variable",
    "control reached end of function without RETURN",
    'unused parameters of function "format"',
)


@pytest.fixture
def checker(database):
    with database.owner() as conn:
        conn.execute("create extension if not exists plpgsql_check")
        yield conn


def plpgsql_problems(conn):
    """'function [on table]: line N: message' for every error and real warning in a PL/pgSQL function of app; a
    trigger function is checked on each table a trigger of it is on."""
    targets = conn.execute("""
        select p.oid, p.oid::regprocedure::text as function, p.prorettype = 'trigger'::regtype as is_trigger,
               coalesce(t.tgrelid, 0) as relid, t.tgrelid::regclass::text as tablename, t.tgoldtable as oldtable,
               t.tgnewtable as newtable
          from pg_proc p
          join pg_language l on l.oid = p.prolang and l.lanname = 'plpgsql'
          left join pg_trigger t on t.tgfoid = p.oid and not t.tgisinternal
         where p.pronamespace = 'app'::regnamespace
         order by p.oid::regprocedure::text, t.tgrelid::regclass::text""").fetchall()
    problems = []
    for target in targets:
        if target["is_trigger"] and target["tablename"] is None:
            problems.append(f"{target['function']}: a trigger function that no trigger runs")
            continue
        found = conn.execute("""
            select lineno, level, message, detail from plpgsql_check_function_tb(
                %(oid)s::oid::regprocedure, %(relid)s::oid::regclass, fatal_errors => false, oldtable => %(oldtable)s,
                newtable => %(newtable)s)
             where level = 'error' or message = any(%(real)s)
             order by lineno""", {**target, "real": list(REAL_WARNINGS)}).fetchall()
        name = target["function"] + (f" on {target['tablename']}" if target["tablename"] else "")
        problems += [f"{name}: line {row['lineno']}: {row['level']}: {row['message']}"
                     + (f" ({row['detail']})" if row["detail"] else "") for row in found]
    return problems


def sql_body_problems(conn):
    """'function: error' for every LANGUAGE SQL function of app whose body does not compile: each is created again
    from its own definition with check_function_bodies on, in a transaction rolled back."""
    functions = conn.execute("""
        select p.oid::regprocedure as function, pg_get_functiondef(p.oid) as definition
          from pg_proc p join pg_language l on l.oid = p.prolang and l.lanname = 'sql'
         where p.pronamespace = 'app'::regnamespace
         order by p.oid::regprocedure::text""").fetchall()
    problems = []
    for function in functions:
        try:
            with conn.transaction(force_rollback=True):
                conn.execute("set local check_function_bodies = on")
                conn.execute(function["definition"])
        except psycopg.Error as failure:
            problems.append(f"{function['function']}: {failure.sqlstate}: {failure.diag.message_primary}")
    return problems


def test_every_plpgsql_body_passes_plpgsql_check(checker):
    problems = plpgsql_problems(checker)
    assert problems == [], "\n".join(problems)


def test_every_sql_body_compiles(database):
    with database.owner() as conn:
        problems = sql_body_problems(conn)
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_a_renamed_column_and_a_typo(checker):
    """The checks above would fail on a broken body: a column renamed under a PL/pgSQL and an SQL function; typos
    in new functions of each kind and in a trigger function (checked on the table its trigger is on); text put in
    an integer by a cast at run time; while an unused variable is no problem."""
    plpgsql_before, sql_before = plpgsql_problems(checker), sql_body_problems(checker)
    checker.execute("alter table app.plans rename column sort_order to display_order")
    checker.execute("set check_function_bodies = off")
    checker.execute("""
        create function app.broken_plpgsql() returns integer language plpgsql as $$
        declare
            v_unused integer;
        begin
            perform app.no_such_function();
            return (select count(*) from app.sessions where stauts = 'confirmed');
        end $$""")
    checker.execute("""
        create function app.lossy_plpgsql() returns integer language plpgsql as $$
        declare
            v_day integer;
        begin
            v_day := to_char(app.app_now(), 'DD');
            return v_day;
        end $$""")
    checker.execute("create function app.broken_sql() returns bigint language sql "
                    "as $$ select count(*) from app.sessions where stauts = 'confirmed' $$")
    checker.execute("""
        create function app.tg_plans__broken() returns trigger language plpgsql as $$
        begin
            new.prise_cents := new.price_cents;
            return new;
        end $$""")
    checker.execute("create trigger tg_plans__broken before update on app.plans "
                    "for each row execute function app.tg_plans__broken()")
    checker.execute("create function app.tg_nowhere() returns trigger language plpgsql as 'begin return new; end'")
    plpgsql = [problem for problem in plpgsql_problems(checker) if problem not in plpgsql_before]
    assert [problem.split("(")[0] for problem in plpgsql] == [
        "app.analytics_no_shows", "app.broken_plpgsql", "app.broken_plpgsql", "app.lossy_plpgsql", "app.tg_nowhere",
        "app.tg_plans__broken"], plpgsql
    assert ["pl.sort_order does not exist" in plpgsql[0], "no_such_function" in plpgsql[1],
            '"stauts" does not exist' in plpgsql[2], 'cast "text" value to "integer"' in plpgsql[3],
            "no trigger runs" in plpgsql[4],
            'on app.plans: line 3: error: record "new" has no field "prise_cents"' in plpgsql[5]] == [True] * 6, plpgsql
    sql_bodies = [problem for problem in sql_body_problems(checker) if problem not in sql_before]
    assert sql_bodies == ['app.broken_sql(): 42703: column "stauts" does not exist',
                          'app.list_plans(): 42703: column p.sort_order does not exist'], sql_bodies
