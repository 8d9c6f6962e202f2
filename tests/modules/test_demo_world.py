"""The demo world is believable and complete: every mechanic type, three zones, people online, time off, and
paid bookings in the coming days made as the app makes them; and eight weeks of history before today, lived
through the product's functions with the clock moved to each moment, that leaves nothing for the jobs to do."""
import logging
import time
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.rows import dict_row

import demo
from availability_world import local
from conftest import NOW, clone_database, drop_database

pytestmark = pytest.mark.slow  # seeds the whole demo world

# the whole seed, present world and history; about 13 s on an idle 2-core machine, 16 s beside the browser tests
SEED_SECONDS = 20
TORONTO = ZoneInfo("America/Toronto")
TODAY = datetime.combine(NOW.astimezone(TORONTO).date(), datetime.min.time(), TORONTO)  # where history ends
# the present-day bookings: made while seeding, today (the history ends before today's midnight in Toronto)
PRESENT = "s.created_at >= (app.app_now() at time zone 'America/Toronto')::date::timestamp at time zone 'America/Toronto'"


def test_demo_world_has_every_kind_of_thing(database):
    demo.seed(database.url)
    with database.owner() as conn:
        zones = conn.execute("select array_agg(distinct timezone order by timezone) as z from app.workshops").fetchone()["z"]
        types = {r["kind"]: r["n"] for r in conn.execute(
            "select app.mechanic_type_of(workshop_id, account_type) as kind, count(*) as n from app.mechanics group by 1")}
        online = conn.execute("select count(*) as n from app.mechanics where currently_on_shift").fetchone()["n"]
        without_blocks = conn.execute(
            "select count(*) as n from app.mechanics m where m.workshop_id is null "
            "and not exists (select 1 from app.mechanic_availability b where b.mechanic_id = m.id)").fetchone()["n"]
        affiliated_with_blocks = conn.execute(
            "select count(*) as n from app.mechanics m where m.account_type = 'workshop_mechanic' "
            "and exists (select 1 from app.mechanic_availability b where b.mechanic_id = m.id)").fetchone()["n"]
        counts = conn.execute(
            "select (select count(*) from app.customers) as customers, (select count(*) from app.vehicles) as vehicles, "
            "(select count(*) from app.mechanic_time_off) as time_off, (select count(*) from app.favorites) as favorites, "
            "(select count(*) from app.workshop_availability where break_start is not null) as breaks, "
            "(select count(*) from app.workshop_admins) as workshop_admins, "
            "(select count(*) from app.users where role = 'admin') as admins").fetchone()
    assert zones == ["America/Halifax", "America/Toronto", "America/Vancouver"]
    assert set(types) == {"virtual_only", "independent_workshop", "workshop_affiliated"}
    assert sum(types.values()) == 20
    assert 3 <= online <= 6
    assert without_blocks == 0 and affiliated_with_blocks == 0
    assert counts["customers"] >= 3 and counts["vehicles"] >= 3 and counts["time_off"] >= 3
    assert counts["favorites"] >= 2 and counts["breaks"] >= 10
    assert counts["workshop_admins"] == 3 and counts["admins"] == 1
    assert not demo.is_empty(database.url)


def test_generated_vins_carry_a_correct_check_digit(database):
    with database.owner() as conn:
        for prefix, serial in (("2HGFC2F5", "JA000018"), ("1FTFW1EF", "CA201012"), ("4S4BSANC", "GA100016")):
            vin = demo.vin_with_check_digit(prefix, serial)
            assert len(vin) == 17
            assert conn.execute("select app.vin_is_valid(%s) as ok", [vin]).fetchone()["ok"]


@pytest.mark.parametrize("clock", [None, "2026-11-28 22:30"], ids=["today", "saturday-night"])
def test_demo_bookings_are_current_paid_and_add_up(database, clock):
    if clock:
        database.set_clock(local("America/Toronto", clock))
    demo.seed(database.url)
    with database.owner() as conn:
        now = conn.execute("select app.app_now() as now").fetchone()["now"]
        sessions = conn.execute(
            "select s.status, s.service_type, s.scheduled_for, m.email as mechanic, w.name as workshop, "
            "       pl.price_cents, r.status as claim, "
            "       (select sum(p.amount_cents) from app.payments p where p.session_id = s.id and p.status = 'succeeded') as paid "
            "from app.sessions s join app.users m on m.id = s.mechanic_id join app.plans pl on pl.code = s.plan_code "
            "join app.slot_reservations r on r.id = s.reservation_id left join app.workshops w on w.id = s.workshop_id "
            f"where {PRESENT} order by s.scheduled_for").fetchall()
        holds = conn.execute("select u.email, r.expires_at from app.slot_reservations r join app.users u on u.id = r.mechanic_id "
                             "where r.status = 'reserved'").fetchall()
        audit = conn.execute("select * from app.money_audit()").fetchall()
        frozen = conn.execute("select frozen_at from app.app_clock").fetchone()["frozen_at"]
        marcus = conn.execute("select id, timezone from app.mechanics where id = (select id from app.users "
                              "where email = 'marcus.chen@autodoctor.example')").fetchone()
        first = next(s["scheduled_for"] for s in sessions if s["mechanic"] == "marcus.chen@autodoctor.example")
        calendar = conn.execute("select kind, session_id from app.mechanic_week(%s, %s)",
                                [marcus["id"], first.astimezone(ZoneInfo(marcus["timezone"])).date()]).fetchall()
    assert len(sessions) == len(demo.BOOKINGS)
    assert sorted(s["status"] for s in sessions) == ["requested"] + ["scheduled"] * (len(demo.BOOKINGS) - 1)
    assert {s["mechanic"] for s in sessions if s["status"] == "requested"} == set(demo.REQUESTS_ONLY)
    assert all(now + timedelta(hours=2) <= s["scheduled_for"] <= now + timedelta(days=14) for s in sessions)
    assert all(s["claim"] == "confirmed" for s in sessions)
    in_person = [s for s in sessions if s["service_type"] == "in_person"]
    assert len(in_person) >= 2 and {s["workshop"] for s in in_person} == {"Queen West Auto Care"}
    assert all(s["paid"] == (1500 if s["service_type"] == "in_person" else s["price_cents"]) for s in sessions)
    assert [h["email"] for h in holds] == ["marcus.chen@autodoctor.example"] and holds[0]["expires_at"] > now
    assert audit == []
    assert frozen == (local("America/Toronto", clock) if clock else None)  # the history gave the clock back
    kinds = {row["kind"] for row in calendar}
    assert {"session", "block"} <= kinds


# --- the past weeks --------------------------------------------------------------------------------------------

class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def seeded(pg_server, template_database):
    """The demo world seeded once, with the clock frozen at conftest.NOW, for the history tests (which only read
    it, or roll back): the database, how long seeding took, and what demo.py warned about."""
    database = clone_database(pg_server, template_database)
    database.set_clock(NOW)
    warnings = _Warnings()
    logging.getLogger("demo").addHandler(warnings)
    try:
        started = time.perf_counter()
        demo.seed(database.url)
        seconds = time.perf_counter() - started
    finally:
        logging.getLogger("demo").removeHandler(warnings)
    yield SimpleNamespace(database=database, seconds=seconds, warnings=warnings.messages)
    drop_database(pg_server, database.name)


def rows(seeded, query, params=None):
    with seeded.database.owner() as conn:
        return conn.execute(query, params).fetchall()


def one(seeded, query, params=None):
    return rows(seeded, query, params)[0]


def test_seeding_the_history_is_quick_refused_nothing_and_gives_the_clock_back(seeded):
    assert seeded.seconds < SEED_SECONDS, f"seeding took {seeded.seconds:.1f} s"
    assert seeded.warnings == []  # no booking function refused a booking the walk thought free
    clock = one(seeded, "select frozen_at, app.app_now() as now from app.app_clock")
    assert clock["frozen_at"] == NOW and clock["now"] == NOW


def test_the_history_has_every_kind_of_session(seeded):
    kinds = {(r["kind"], r["service_type"], r["status"]): r["n"] for r in rows(
        seeded, "select kind, service_type, status, count(*) as n from app.sessions where created_at < %s "
                "group by 1, 2, 3", [TODAY])}
    assert 250 <= sum(kinds.values()) <= 700  # a few hundred
    assert kinds[("scheduled", "online", "completed")] >= 60
    assert kinds[("scheduled", "in_person", "completed")] >= 40
    assert kinds[("immediate", "online", "completed")] >= 30  # Book Now, taken and held
    assert kinds[("scheduled", "online", "no_show")] >= 3 and kinds[("scheduled", "in_person", "no_show")] >= 3
    assert kinds[("scheduled", "online", "cancelled")] >= 10 and kinds[("scheduled", "in_person", "cancelled")] >= 10
    assert kinds[("immediate", "online", "expired")] >= 3  # nobody took it in ten minutes

    # each session that ended by the policy, with its tier (SPEC §9)
    tiers = {(r["tier"], r["decided_by"], r["kind"]): r["n"] for r in rows(
        seeded, "select o.tier, o.decided_by, s.kind, count(*) as n from app.policy_outcomes o "
                "join app.sessions s on s.id = o.session_id group by 1, 2, 3")}
    for tier in ("early", "mid", "late"):
        assert tiers.get((tier, "customer", "scheduled"), 0) >= 3, tier
    assert tiers[("no_show", "no_show", "scheduled")] >= 6
    assert tiers[("provider_cancelled", "mechanic", "scheduled")] >= 1  # the re-match job found nobody
    assert tiers[("provider_cancelled", "workshop", "scheduled")] >= 1
    assert tiers[("not_accepted", "customer", "immediate")] >= 3

    # completed visits had their balance charged; completed sessions were shared 70 / 30
    unpaid = one(seeded, "select count(*) as n from app.sessions s where s.status = 'completed' and s.service_type = 'in_person' "
                         "and not exists (select 1 from app.payments p where p.session_id = s.id and p.kind = 'balance' "
                         "and p.status = 'succeeded')")
    unshared = one(seeded, "select count(*) as n from app.sessions s where s.status = 'completed' "
                           "and not exists (select 1 from app.payouts y where y.session_id = s.id and y.payee = 'platform')")
    assert unpaid["n"] == 0 and unshared["n"] == 0
    # an expired Book Now request was given back whole, and the refund sent
    expired = rows(seeded, "select (select sum(p.amount_cents) from app.payments p where p.session_id = s.id) as paid, "
                           "       (select sum(r.amount_cents) from app.refunds r "
                           "        where r.session_id = s.id and r.status = 'succeeded') as back "
                           "from app.sessions s where s.kind = 'immediate' and s.status = 'expired'")
    assert all(e["paid"] == e["back"] for e in expired)
    # the booked mechanic's cancellation went through the re-match job; a request was confirmed by the workshop
    assert one(seeded, "select count(*) as n from app.session_rematches where resolved_at is not null")["n"] >= 1
    assert one(seeded, "select count(*) as n from app.session_events e join app.users u on u.id = e.actor_id "
                       "where e.from_status = 'requested' and e.to_status = 'scheduled' and u.role = 'workshop_admin'")["n"] >= 1


def test_the_history_is_spread_like_real_use(seeded):
    # booked from an hour to two weeks ahead, at many hours of the day
    leads = {r["bucket"]: r["n"] for r in rows(
        seeded, "select width_bucket(extract(epoch from scheduled_for - created_at) / 3600, array[2, 24, 72, 168, 336]) "
                "as bucket, count(*) as n from app.sessions where kind = 'scheduled' and created_at < %s group by 1", [TODAY])}
    assert leads.get(0, 0) >= 1 and all(leads.get(bucket, 0) >= 20 for bucket in range(1, 5)) and leads.get(5, 0) == 0
    assert min(r["lead"] for r in rows(seeded, "select min(scheduled_for - created_at) as lead from app.sessions "
                                               "where kind = 'scheduled' and created_at < %s", [TODAY])) >= timedelta(hours=1)
    hours = one(seeded, "select count(distinct extract(hour from created_at at time zone 'America/Toronto')) as n "
                        "from app.sessions where created_at < %s", [TODAY])
    assert hours["n"] >= 14
    # Book Now requests taken within seconds and after minutes
    waits = one(seeded, "select min(accepted_at - created_at) as fast, max(accepted_at - created_at) as slow "
                        "from app.sessions where kind = 'immediate' and accepted_at is not null")
    assert waits["fast"] < timedelta(seconds=30) and timedelta(minutes=5) < waits["slow"] < timedelta(minutes=10)
    # eight weeks, all before today in Toronto
    span = one(seeded, "select min(s.created_at) as first, max(e.at) as last from app.sessions s "
                       "join app.session_events e on e.session_id = s.id where s.created_at < %s", [TODAY])
    assert TODAY - timedelta(days=71) <= span["first"] <= TODAY - timedelta(days=50) and span["last"] < TODAY
    # the waitlist: woken by a mechanic coming online, then booked (or not), or run out
    waitlist = {r["outcome"]: r["entries"] for r in rows(
        seeded, "select * from app.analytics_waitlist((select id from app.users where email = 'admin@autodoctor.example'), "
                "%s, %s, 'America/Toronto')", [(TODAY - timedelta(days=60)).date(), TODAY.date()])}
    assert waitlist["converted"] >= 3 and waitlist["notified"] >= 1 and waitlist["expired"] >= 3
    assert waitlist["pending"] == 0


def test_the_history_leaves_nothing_for_the_jobs_to_change(seeded):
    assert rows(seeded, "select * from app.money_audit()") == []
    left = one(seeded, """
        select (select count(*) from app.sessions where created_at < %(today)s
                and status in ('requested', 'scheduled', 'pending', 'live')) as sessions,
               (select count(*) from app.payments where status in ('pending', 'processing')) as payments,
               (select count(*) from app.refunds where status <> 'succeeded') as refunds,
               (select count(*) from app.session_rematches where resolved_at is null) as rematches,
               (select count(*) from app.customer_waitlist where status = 'pending') as waiting,
               (select count(*) from app.slot_reservations where status = 'reserved' and created_at < %(today)s) as holds,
               (select count(*) from app.outbox where status <> 'sent' and created_at < %(today)s) as outbox""",
               dict(today=TODAY))
    assert dict(left) == dict(sessions=0, payments=0, refunds=0, rematches=0, waiting=0, holds=0, outbox=0)
    # the jobs, run now, find nothing to do (rolled back: the world stays as seeded for the other tests)
    with psycopg.connect(seeded.database.url, row_factory=dict_row) as conn:
        done = conn.execute("select app.handle_no_shows() as no_shows, app.expire_unanswered_sessions() as expired, "
                            "app.rematch_sessions() as rematched, app.expire_waitlist_entries() as waitlist, "
                            "app.release_expired_reservations() as holds, app.open_join_windows() as opened").fetchone()
        conn.rollback()
    assert set(done.values()) == {0}


def test_the_demo_logins_keep_their_present_day_story(seeded):
    # the customers README.md names have no past: only today's bookings, no credit, no waitlist
    past = one(seeded, "select count(*) as n from app.sessions s join app.users c on c.id = s.customer_id "
                       "where c.email = any(%s) and s.created_at < %s", [[c[1] for c in demo.CUSTOMERS], TODAY])
    credit = one(seeded, "select coalesce(sum(e.amount_cents), 0) as cents from app.credit_entries e "
                         "join app.users c on c.id = e.customer_id where c.email = any(%s)", [[c[1] for c in demo.CUSTOMERS]])
    assert past["n"] == 0 and credit["cents"] == 0
    # who is online is the present world's, whatever the last shift of the walk was
    online = {r["email"] for r in rows(seeded, "select u.email from app.mechanics m join app.users u on u.id = m.id "
                                               "where m.currently_on_shift")}
    assert online == {m[1] for m in demo.MECHANICS if m[-1]}
    seen = one(seeded, "select max(last_seen_at) as last from app.mechanics")
    assert seen["last"] == NOW


@pytest.mark.parametrize("email", [
    "admin@autodoctor.example", "priya@queenwestauto.example", "graham@mainstreetgarage.example",
    "siobhan@harboursidemotors.example", "marcus.chen@autodoctor.example", "miguel.santos@queenwestauto.example",
    "kenji@mainstreetgarage.example"])
def test_the_numbers_pages_have_something_to_show(seeded, email):
    viewer = one(seeded, "select id from app.users where email = %s", [email])["id"]
    args = [viewer, (TODAY - timedelta(days=60)).date(), NOW.astimezone(TORONTO).date(), "America/Toronto"]

    def total(function, where="true"):
        return one(seeded, f"select * from app.{function}(%s, %s, %s, %s) where {where}", args)

    assert total("analytics_utilization", "level = 'total'")["booked_minutes"] > 0
    no_shows = total("analytics_no_shows", "level = 'total'")
    assert no_shows["due"] > 0 and no_shows["completed"] > 0
    assert one(seeded, "select sum(bookings) as n from app.analytics_peak_hours(%s, %s, %s, %s)", args)["n"] > 0
    assert one(seeded, "select sum(sessions) as n from app.analytics_lead_times(%s, %s, %s, %s)", args)["n"] > 0
    money = one(seeded, "select sum(charged_cents) as charged, sum(payee_cents) as payee, sum(platform_cents) as platform "
                        "from app.analytics_revenue(%s, %s, %s, %s) where level = 'total'", args)
    assert money["charged"] > 0 and money["payee"] > 0 and money["platform"] > 0
    assert total("analytics_offer_acceptance", "bucket = 1")["accepted"] > 0
