"""The analytics summaries (issue 15): refresh_analytics sums ended days, today and changed days with the same
functions a page uses for the rest, so every measure answers the same from the summaries as from the rows — on
the demo world's eight weeks, for every viewer, in a zone half an hour off the hour — and a page reads them; a
late change makes its day stale only until the next run; the job backfills 31 days a run, newest first."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

import demo
from conftest import NOW, clone_database, drop_database
from support import set_clock

TO, KOLKATA = "America/Toronto", "Asia/Kolkata"
MEASURES = ["utilization", "no_shows", "peak_hours", "lead_times", "revenue", "waitlist", "offer_acceptance"]
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


def measures(conn, viewer, first, last, zone, **filters):
    """Every measure, as the page asks for it."""
    args = {"p_actor": viewer, "p_from": first, "p_to": last, "p_zone": zone}
    args.update({f"p_{name}": value for name, value in filters.items()})
    call = ", ".join(f"{name} => %({name})s" for name in args)
    answer = {m: conn.execute(f"select * from app.analytics_{m}({call})", args).fetchall() for m in MEASURES}
    answer["revenue (weeks)"] = conn.execute(f"select * from app.analytics_revenue({call}, p_bucket => 'week')", args).fetchall()
    return answer


def refresh_until_summed(conn, runs=4):
    return [conn.execute("select app.refresh_analytics() as days").fetchone()["days"] for _ in range(runs)]


@pytest.fixture(scope="module")
def demo_world(pg_server, template_database):
    """The demo world with its history, and a platform admin in Kolkata (UTC+5:30), clock at conftest.NOW."""
    database = clone_database(pg_server, template_database)
    database.set_clock(NOW)
    demo.seed(database.url)
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute("select app.create_staff_account(p_role => 'admin', p_email => 'kolkata@example.com', "
                     "p_password => repeat('x', 40), p_name => 'Kolkata Admin', p_timezone => %s)", [KOLKATA])
    yield database
    drop_database(pg_server, database.name)


@pytest.fixture
def conn(demo_world):
    """An owner connection in a transaction rolled back afterwards: the summaries made here vanish."""
    with psycopg.connect(demo_world.url, row_factory=dict_row) as connection:
        yield connection
        connection.rollback()


def viewers(conn):
    one = lambda sql: conn.execute(sql).fetchone()["id"]  # noqa: E731
    admin = one("select id from app.users where role = 'admin' and timezone = 'America/Toronto' order by id limit 1")
    workshop = one("select workshop_id as id from app.workshop_admins order by workshop_id limit 1")
    mechanic = one("select mechanic_id as id from app.sessions where mechanic_id is not null "
                   "group by 1 order by count(*) desc limit 1")
    return [
        ("admin", admin, TO, {}),
        ("admin in Kolkata", one("select id from app.users where email = 'kolkata@example.com'"), KOLKATA, {}),
        ("admin, one workshop", admin, TO, {"workshop": workshop}),
        ("admin, one mechanic", admin, TO, {"mechanic": mechanic}),
        ("workshop admin", one(f"select user_id as id from app.workshop_admins where workshop_id = {workshop} limit 1"),
         TO, {}),
        ("mechanic", mechanic, TO, {}),
    ]


@pytest.mark.slow  # on the demo world
def test_every_measure_answers_the_same_from_the_summaries_as_from_the_rows(conn):
    today = NOW.astimezone(timezone.utc).date()
    ranges = [(today - timedelta(days=60), today), (today - timedelta(days=40), today - timedelta(days=12)),
              (today - timedelta(days=3), today + timedelta(days=7))]  # the last one reaches days not yet summed
    who = viewers(conn)
    before = {(name, r): measures(conn, viewer, *r, zone, **filters) for name, viewer, zone, filters in who for r in ranges}
    assert conn.execute("select count(*) as n from app.analytics_summaries").fetchone()["n"] == 0

    summed = refresh_until_summed(conn)
    assert summed[0] > 0 and conn.execute(
        "select count(distinct zone) as n from app.analytics_summaries").fetchone()["n"] >= 2  # Toronto and Kolkata
    for name, viewer, zone, filters in who:
        for r in ranges:
            after = measures(conn, viewer, *r, zone, **filters)
            for measure, rows in before[(name, r)].items():
                assert after[measure] == rows, (name, r, measure)
    # something to compare: the demo's history shows in every measure for the admin over 60 days
    assert all(before[("admin", ranges[0])][m] for m in MEASURES)


@pytest.mark.slow  # on the demo world
def test_a_page_reads_the_summaries_and_says_up_to_when(conn):
    admin, first, last = viewers(conn)[0][1], NOW.date() - timedelta(days=30), NOW.date() - timedelta(days=2)
    as_of = "select app.analytics_as_of(%s, %s, %s, %s) as at"
    assert conn.execute(as_of, [admin, first, last, TO]).fetchone()["at"] is None  # every day from the rows
    refresh_until_summed(conn, runs=2)
    assert conn.execute(as_of, [admin, first, last, TO]).fetchone()["at"] == NOW

    def charged():
        return sum(r["charged_cents"] for r in measures(conn, admin, first, last, TO)["revenue"] if r["level"] == "total")

    def booked():
        return [r for r in measures(conn, admin, first, last, TO)["utilization"] if r["level"] == "total"][0]["booked_minutes"]

    summed_charged, summed_booked = charged(), booked()
    conn.execute("update app.analytics_days set charged_cents = charged_cents + 100000, booked_minutes = booked_minutes + 60 "
                 "where zone = %s and day = %s and mechanic_id is not null and "
                 "mechanic_id = (select min(mechanic_id) from app.analytics_days where zone = %s and day = %s)",
                 [TO, first, TO, first])
    assert charged() == summed_charged + 100000 and booked() == summed_booked + 60


@pytest.mark.slow  # on the demo world
def test_customers_get_no_summary_times(conn):
    customer = conn.execute("select id from app.users where role = 'customer' limit 1").fetchone()["id"]
    with pytest.raises(psycopg.Error) as refused:
        conn.execute("select app.analytics_as_of(%s, %s, %s, %s)", [customer, NOW.date(), NOW.date(), TO])
    assert refused.value.sqlstate == "UP001"


# --- changes and runs on a small world -------------------------------------------------------------------------

def day_of(moment, zone=TO):
    return moment.astimezone(ZoneInfo(zone)).date()


def summaries(world):
    """{day: summarized_at} of the Toronto summaries."""
    return {r["day"]: r["summarized_at"]
            for r in world.conn.execute("select day, summarized_at from app.analytics_summaries where zone = %s", [TO])}


def test_a_late_change_is_counted_again_at_the_next_run_and_only_its_days(world):
    admin = world.value("select app.create_staff_account(p_role => 'admin', p_email => 'ops@example.com', "
                        "p_password => repeat('x', 40), p_name => 'Ops', p_timezone => %s)", [TO])
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    start = datetime(2026, 11, 10, 15, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Toronto
    set_clock(world, start - timedelta(days=3))
    session = world.book(world.customer(), mechanic, start)
    set_clock(world, start + timedelta(days=2))  # Thursday: Tuesday has ended
    first, last = day_of(start) - timedelta(days=5), day_of(start) + timedelta(days=2)

    def missed():
        return world.value("select no_shows from app.analytics_no_shows(%s, %s, %s, %s) where level = 'total'",
                           [admin, first, last, TO])

    world.conn.execute("select app.refresh_analytics()")
    assert missed() == 0
    summed = summaries(world)
    assert day_of(start) in summed and day_of(start + timedelta(days=2)) in summed  # the day and today

    # Tuesday's session is marked missed on Thursday: the summary keeps Tuesday's count until the next run
    world.conn.execute("update app.sessions set status = 'no_show' where id = %s", [session])
    assert missed() == 0
    changed = [r["at"] for r in world.conn.execute("select at from app.analytics_changes").fetchall()]
    assert start in changed
    set_clock(world, start + timedelta(days=2, minutes=5))
    world.conn.execute("select app.refresh_analytics()")
    assert missed() == 1
    resummed = summaries(world)
    # of the days summed before, only the changed ones (the session's day, the day it was booked) and today again
    again = {d for d in summed if resummed[d] != summed[d]}
    assert again == {day_of(start), day_of(start - timedelta(days=3)), day_of(start + timedelta(days=2))}
    assert world.value("select count(*) from app.analytics_changes") == 0


def test_the_job_backfills_newest_first_and_a_day_summed_before_it_ended_is_summed_after(world):
    world.value("select app.create_staff_account(p_role => 'admin', p_email => 'ops@example.com', "
                "p_password => repeat('x', 40), p_name => 'Ops', p_timezone => %s)", [TO])
    now = datetime(2026, 11, 12, 17, 0, tzinfo=timezone.utc)
    set_clock(world, now)
    today = day_of(now)

    def days():
        return sorted(summaries(world))

    assert world.value("select app.refresh_analytics()") == 32  # today and the 31 days before it
    assert days() == [today - timedelta(days=n) for n in range(31, -1, -1)]
    assert world.value("select app.refresh_analytics()") == 32  # today again and the 31 days before those
    assert days()[0] == today - timedelta(days=62)
    # tomorrow: today is summed once more, now that it has ended, with the new today and 31 older days
    set_clock(world, now + timedelta(days=1))
    world.conn.execute("select app.refresh_analytics()")
    ended = world.value("select summarized_at from app.analytics_summaries where zone = %s and day = %s", [TO, today])
    assert ended == now + timedelta(days=1)
    world.conn.execute("select app.refresh_analytics()")
    again = world.value("select summarized_at from app.analytics_summaries where zone = %s and day = %s", [TO, today])
    assert again == ended  # not summed again once it ended and nothing changed
    # only zones of people who see numbers: a customer's (UTC) is not summed
    world.customer()
    world.conn.execute("select app.refresh_analytics()")
    assert world.value("select array_agg(distinct zone) from app.analytics_summaries") == [TO]
