"""Schema management: migrations applied once with a checksum, edits refused, functions re-applied."""
import shutil

import psycopg
import pytest
from psycopg.rows import dict_row

import migrate


@pytest.fixture
def sql_copy(tmp_path, monkeypatch):
    """A copy of sql/ that a test may edit, used by migrate in place of the real one."""
    copy = tmp_path / "sql"
    shutil.copytree(migrate.SQL_DIR, copy)
    monkeypatch.setattr(migrate, "SQL_DIR", copy)
    return copy


def test_database_built_from_scratch_has_every_function(empty_database):
    applied = migrate.upgrade(empty_database)
    assert applied == [m.name for m in migrate.migrations()]
    with psycopg.connect(empty_database) as conn:
        defined = {row[0] for row in conn.execute(
            "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app'")}
    assert {path.stem for path in migrate.function_files()} <= defined


def test_migrations_are_applied_once_and_recorded_with_checksums(empty_database):
    migrate.upgrade(empty_database)
    assert migrate.upgrade(empty_database) == []
    with psycopg.connect(empty_database) as conn:
        recorded = conn.execute("select name, checksum from app.schema_migrations order by version").fetchall()
    assert recorded == [(m.name, m.checksum) for m in migrate.migrations()]
    assert all(state == "applied" for _, state in migrate.status(empty_database))


def test_an_edited_applied_migration_is_refused(empty_database, sql_copy):
    migrate.upgrade(empty_database)
    first = sorted((sql_copy / "migrations").glob("*.sql"))[0]
    first.write_text(first.read_text() + "\ncreate table app.sneaky (id int);\n")
    with pytest.raises(migrate.MigrationError, match="edited after it was applied"):
        migrate.upgrade(empty_database)
    assert ("0001_core.sql", "changed") in migrate.status(empty_database)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("select to_regclass('app.sneaky')").fetchone()[0] is None


def test_a_new_migration_is_applied_after_the_others(empty_database, sql_copy):
    migrate.upgrade(empty_database)
    (sql_copy / "migrations" / "0999_add_note.sql").write_text("alter table app.plans add column note text;")
    assert ("0999_add_note.sql", "pending") in migrate.status(empty_database)
    assert migrate.upgrade(empty_database) == ["0999_add_note.sql"]
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("select count(note) from app.plans").fetchone()[0] == 0


def test_a_failing_migration_changes_nothing(empty_database, sql_copy):
    migrate.upgrade(empty_database)
    (sql_copy / "migrations" / "0998_half.sql").write_text(
        "create table app.half (id int); select no_such_function();")
    with pytest.raises(migrate.MigrationError, match="0998_half.sql failed"):
        migrate.upgrade(empty_database)
    with psycopg.connect(empty_database) as conn:
        assert conn.execute("select to_regclass('app.half')").fetchone()[0] is None
        assert conn.execute("select count(*) from app.schema_migrations where name = '0998_half.sql'").fetchone()[0] == 0


def test_badly_named_migration_is_refused(sql_copy):
    (sql_copy / "migrations" / "2-oops.sql").write_text("select 1;")
    with pytest.raises(migrate.MigrationError, match="NNNN_lowercase_words"):
        migrate.migrations()


def test_function_files_are_reapplied_on_every_upgrade(empty_database, sql_copy):
    migrate.upgrade(empty_database)
    plans = sql_copy / "functions" / "availability" / "list_plans.sql"
    plans.write_text(plans.read_text().replace("where p.active", "where p.active and p.price_cents > 5000"))
    assert migrate.upgrade(empty_database) == []
    with psycopg.connect(empty_database) as conn:
        assert [r[0] for r in conn.execute("select code from app.list_plans()")] == ["premium"]


def test_an_upgrade_refuses_a_function_that_no_file_defines(empty_database, sql_copy):
    migrate.upgrade(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as conn:  # a file dropped, its function left behind
        conn.execute("create function app.forgotten_rule(integer) returns boolean language sql as 'select true'")
    with pytest.raises(migrate.MigrationError, match=r"forgotten_rule \(app\.forgotten_rule\(integer\)\)"):
        migrate.upgrade(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as conn:  # an old signature of a function that has a file
        conn.execute("drop function app.forgotten_rule(integer)")
        conn.execute("create function app.list_plans(integer) returns boolean language sql as 'select true'")
    with pytest.raises(migrate.MigrationError, match=r"list_plans \(app\.list_plans\(\), app\.list_plans\(integer\)\)"):
        migrate.upgrade(empty_database)
    (sql_copy / "migrations" / "0997_drop_old_list_plans.sql").write_text("drop function app.list_plans(integer);")
    assert migrate.upgrade(empty_database) == ["0997_drop_old_list_plans.sql"]


def test_function_files_sit_by_domain_and_only_the_callable_ones_grant(empty_database):
    """sql/functions/<domain>/ holds what a login role may call (jobs/ what the job runner runs); <domain>/internal/
    the helpers and triggers, which grant nothing."""
    import jobs
    root = migrate.SQL_DIR / "functions"
    job_names = {job.name for job in jobs.JOBS.values() if job.in_sql}
    for path in migrate.function_files():
        place = path.relative_to(root).parts
        grants = "grant execute" in path.read_text()
        assert len(place) in (2, 3) and (len(place) == 2 or place[1] == "internal"), path
        if place[0] == "jobs":
            assert len(place) == 2 and path.stem in job_names and not grants, path
        else:
            assert grants == (len(place) == 2), path
    assert job_names == {path.stem for path in (root / "jobs").glob("*.sql")}


def test_reapplying_functions_is_idempotent(database):
    with database.owner() as conn:
        before = conn.execute(
            "select count(*) as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname = 'app'").fetchone()["n"]
    migrate.upgrade(database.url)
    migrate.upgrade(database.url)
    with database.owner() as conn:
        after = conn.execute(
            "select count(*) as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace "
            "where n.nspname = 'app'").fetchone()["n"]
    assert after == before


def test_an_older_database_upgrades_past_changed_signatures_and_keeps_no_stale_versions(empty_database, sql_copy):
    stale_drops = sql_copy / "migrations" / "0007_drop_stale_functions.sql"
    held_back = stale_drops.read_text()
    stale_drops.unlink()
    migrate.upgrade(empty_database)
    with psycopg.connect(empty_database, autocommit=True) as conn:  # what earlier commits left behind
        conn.execute("drop function app.complete_payment(bigint)")
        conn.execute("create function app.complete_payment(bigint) returns app.payments language sql "
                     "as 'select null::app.payments'")
        conn.execute("create function app.mechanic_type(bigint, text) returns text language sql as 'select null::text'")
    stale_drops.write_text(held_back)
    assert migrate.upgrade(empty_database) == ["0007_drop_stale_functions.sql"]
    with psycopg.connect(empty_database) as conn:
        overloaded = conn.execute(
            "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app' "
            "and p.proname = any(%s) group by 1 having count(*) > 1",
            [[path.stem for path in migrate.function_files()]]).fetchall()
        returns = conn.execute("select pg_get_function_result('app.complete_payment(bigint)'::regprocedure)").fetchone()[0]
    assert overloaded == [] and returns == "void"


def test_overlapping_time_off_already_saved_is_joined_before_entries_may_not_overlap(empty_database, sql_copy):
    from availability_world import World
    joining = sql_copy / "migrations" / "0026_waiver_kinds_and_time_off_overlap.sql"
    held_back = joining.read_text()
    joining.unlink()
    migrate.upgrade(empty_database)
    with psycopg.connect(empty_database, autocommit=True, row_factory=dict_row) as conn:  # saved before the rule
        world = World(conn)
        mechanic, other = world.mechanic(), world.mechanic()
        for first, last, reason, status in (("2026-12-01", "2026-12-05", None, "approved"),
                                            ("2026-12-04", "2026-12-10", "Vacation", "approved"),
                                            ("2026-12-11", "2026-12-12", None, "approved"),  # continues it
                                            ("2026-12-02", "2026-12-03", None, "cancelled"),
                                            ("2026-12-20", "2026-12-21", None, "approved")):
            conn.execute("insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason, status) "
                         "values (%s, %s, %s, %s, %s)", [mechanic, first, last, reason, status])
        world.time_off(other, "2026-12-01", "2026-12-05")
    joining.write_text(held_back)
    assert migrate.upgrade(empty_database) == [joining.name]
    with psycopg.connect(empty_database) as conn:
        rows = conn.execute("select mechanic_id, start_date::text, end_date::text, reason, status "
                            "from app.mechanic_time_off order by id").fetchall()
    assert rows == [(mechanic, "2026-12-01", "2026-12-12", "Vacation", "approved"),
                    (mechanic, "2026-12-04", "2026-12-10", "Vacation", "cancelled"),
                    (mechanic, "2026-12-11", "2026-12-12", None, "cancelled"),
                    (mechanic, "2026-12-02", "2026-12-03", None, "cancelled"),
                    (mechanic, "2026-12-20", "2026-12-21", None, "approved"),
                    (other, "2026-12-01", "2026-12-05", None, "approved")]
