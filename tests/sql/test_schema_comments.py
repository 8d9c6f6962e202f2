"""Every table says what a row of it is (COMMENT ON TABLE), where psql's \\dt+ and schema browsers show it."""


def test_every_table_of_the_app_schema_has_a_comment(database):
    with database.owner() as conn:
        tables = conn.execute("""
            select c.oid::regclass::text as name, obj_description(c.oid, 'pg_class') as comment
              from pg_class c
             where c.relnamespace = 'app'::regnamespace and c.relkind in ('r', 'p')
             order by 1""").fetchall()
    assert len(tables) > 40  # the schema is there: an empty list would prove nothing
    assert [t["name"] for t in tables if not (t["comment"] or "").strip()] == []
