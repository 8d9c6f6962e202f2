"""Analytics (SPEC §15) in SQL: each measure computed by hand on a small world — utilization across a DST
change and a workshop break, no-shows without cancellations, lead times and the heat map in two viewer zones,
revenue with a refund and a credit, waitlist conversion, Book Now acceptance — and who sees what: the platform,
a workshop's mechanics, a mechanic's own numbers; nobody else's; customers nothing."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import psycopg
import pytest
from psycopg.types.json import Jsonb

from availability_world import local
from conftest import NOW
from support import set_clock, sqlstate

TO, TOKYO = "America/Toronto", "Asia/Tokyo"
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
OPEN_ALL_DAY = {d: ("00:00", "24:00") for d in range(1, 8)}
MEASURES = ["utilization", "no_shows", "peak_hours", "lead_times", "revenue", "waitlist", "offer_acceptance"]
MINUTE, SECOND = timedelta(minutes=1), timedelta(seconds=1)


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def staff(world, role, workshop=None):
    return world.value("select app.create_staff_account(p_role => %s, p_email => %s, p_password => repeat('x', 40), "
                       "p_name => %s, p_timezone => %s, p_workshop_id => %s)",
                       [role, f"{role}{world.value('select count(*) from app.users')}@example.com", role, TO, workshop])


def named(world, person, name):
    world.conn.execute("update app.users set name = %s where id = %s", [name, person])
    return person


def analytics(conn, measure, actor, first, last=None, zone=TO, **filters):
    args = {"p_actor": actor, "p_from": first, "p_to": last or first, "p_zone": zone}
    args.update({f"p_{name}": value for name, value in filters.items()})
    call = ", ".join(f"{name} => %({name})s" for name in args)
    return conn.execute(f"select * from app.analytics_{measure}({call})", args).fetchall()


def book_at(world, mechanic, start, created, plan="standard"):
    """A scheduled session paid for at `created` by a new customer."""
    set_clock(world, created)
    return world.book(world.customer(), mechanic, start, plan=plan)


def immediate(world, customer, at):
    set_clock(world, at)
    return world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                       "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [customer])


def complete(world, mechanic, session, at):
    set_clock(world, at)
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic, session])


def by(rows, key):
    return {r[key]: r for r in rows}


# --- utilization -------------------------------------------------------------------------------------------

def test_utilization_counts_wall_clock_hours_across_the_fall_back_less_breaks_time_off_and_closures(world):
    # Saturday and Sunday 00:00-06:00 with a 03:00-03:30 break; Toronto falls back at 02:00 on Sunday 2026-11-01
    shop = world.workshop(hours={6: ("00:00", "06:00", "03:00", "03:30"), 7: ("00:00", "06:00", "03:00", "03:30")})
    employee = named(world, world.mechanic(workshop=shop, partnership="employee"), "Ann Employee")
    named(world, world.mechanic(blocks={7: [("00:00", "04:00")]}), "Ben Virtual")
    owner = named(world, world.mechanic(workshop=shop, partnership="owner", blocks={6: [("02:00", "05:00")],
                                                                                     7: [("02:00", "05:00")]}), "Cy Owner")
    world.time_off(owner, date(2026, 10, 31), date(2026, 10, 31))
    customer = world.customer()
    for start, minutes in (("2026-11-01 05:00", 30),    # 01:00 EDT, the first 01:00
                           ("2026-11-01 06:00", 30),    # 01:00 EST, the second
                           ("2026-11-01 07:45", 30),    # 02:45-03:15 EST: half of it in the break
                           ("2026-11-01 10:45", 30),    # 05:45-06:15 EST: half of it after closing
                           ("2026-10-31 09:00", 30)):   # Saturday 05:00 EDT
        world.claim(employee, customer, utc(start), minutes=minutes)
    world.claim(employee, world.customer(), utc("2026-11-01 09:00"), status="cancelled")
    world.claim(employee, world.customer(), utc("2026-10-31 05:00"), status="reserved")
    world.claim(owner, world.customer(), utc("2026-11-01 07:00"))    # 02:00-02:30 EST
    admin = staff(world, "admin")

    rows = analytics(world.conn, "utilization", admin, date(2026, 10, 31), date(2026, 11, 1))

    # Saturday: 6 h less the break = 330 min; Sunday: 7 real hours (01:00-02:00 twice) less the break = 390 min
    # Ben: Sunday 00:00-04:00 is 5 real hours; Cy: 02:00-05:00 EST less the break, Saturday off = 150 min
    assert [(r["level"], r["mechanic_name"], r["available_minutes"], r["booked_minutes"], r["bookings"],
             r["utilization"]) for r in rows] == [
        ("mechanic", "Ann Employee", 720, 120, 5, Decimal("0.1667")),
        ("mechanic", "Ben Virtual", 300, 0, 0, 0),
        ("mechanic", "Cy Owner", 150, 30, 1, Decimal("0.2000")),
        ("total", None, 1170, 150, 6, Decimal("0.1282")),
    ]
    assert by(rows, "mechanic_name")["Ann Employee"]["workshop_id"] == shop

    # a mechanic sees their own row and a total of it; a closed Saturday takes its hours and its booking away
    world.conn.execute("insert into app.workshop_closures (workshop_id, closed_on) values (%s, '2026-10-31')", [shop])
    mine = analytics(world.conn, "utilization", employee, date(2026, 10, 31), date(2026, 11, 1))
    assert [(r["level"], r["mechanic_id"], r["available_minutes"], r["booked_minutes"]) for r in mine] == [
        ("mechanic", employee, 390, 90), ("total", None, 390, 90)]


def test_utilization_follows_the_viewers_dates(world):
    mechanic = world.mechanic(blocks=ALL_DAY)
    world.claim(mechanic, world.customer(), utc("2026-11-24 03:00"))   # Monday 22:00 in Toronto, Tuesday in Tokyo
    monday = {zone: analytics(world.conn, "utilization", mechanic, date(2026, 11, 23), zone=zone)[0]
              for zone in (TO, TOKYO)}
    assert (monday[TO]["available_minutes"], monday[TO]["booked_minutes"]) == (1440, 30)
    assert (monday[TOKYO]["available_minutes"], monday[TOKYO]["booked_minutes"]) == (1440, 0)


# --- no-shows ----------------------------------------------------------------------------------------------

def test_no_show_rate_by_mechanic_and_plan_leaves_cancellations_out(world):
    ann = named(world, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), "Ann")
    ben = named(world, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), "Ben")
    tuesday = lambda hour: local(TO, f"2026-11-24 {hour}")  # noqa: E731
    done_1 = book_at(world, ann, tuesday("10:00"), NOW)
    absent_1 = book_at(world, ann, tuesday("11:00"), NOW, plan="premium")
    cancelled_1 = book_at(world, ann, tuesday("13:00"), NOW)
    done_2 = book_at(world, ann, tuesday("14:00"), NOW, plan="extended")
    book_at(world, ann, local(TO, "2026-11-25 10:00"), NOW)            # still to come: not due
    later = book_at(world, ann, local(TO, "2026-11-26 10:00"), NOW)    # after the range
    absent_2 = book_at(world, ben, tuesday("10:00"), NOW, plan="premium")
    cancelled_2 = book_at(world, ben, tuesday("12:00"), NOW)
    for session in (cancelled_1, cancelled_2):
        customer = world.value("select customer_id from app.sessions where id = %s", [session])
        world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    complete(world, ann, done_1, tuesday("10:00"))
    set_clock(world, tuesday("10:10"))
    world.conn.execute("select app.mark_no_show(%s, %s)", [ben, absent_2])
    set_clock(world, tuesday("11:10"))
    world.conn.execute("select app.mark_no_show(%s, %s)", [ann, absent_1])
    complete(world, ann, done_2, tuesday("14:00"))
    complete(world, ann, later, local(TO, "2026-11-26 10:00"))
    admin = staff(world, "admin")

    rows = analytics(world.conn, "no_shows", admin, date(2026, 11, 24), date(2026, 11, 25))

    summary = [(r["level"], r["mechanic_name"] or r["plan_code"], r["due"], r["completed"], r["no_shows"],
                r["cancelled"], r["no_show_rate"]) for r in rows]
    assert summary == [
        ("mechanic", "Ann", 3, 2, 1, 1, Decimal("0.3333")),
        ("mechanic", "Ben", 1, 0, 1, 1, Decimal("1.0000")),
        ("plan", "standard", 1, 1, 0, 2, Decimal("0.0000")),
        ("plan", "extended", 1, 1, 0, 0, Decimal("0.0000")),
        ("plan", "premium", 2, 0, 2, 0, Decimal("1.0000")),
        ("total", None, 4, 2, 2, 2, Decimal("0.5000")),
    ]
    wider = by(analytics(world.conn, "no_shows", ann, date(2026, 11, 24), date(2026, 11, 26)), "level")
    assert (wider["mechanic"]["due"], wider["mechanic"]["no_show_rate"]) == (4, Decimal("0.2500"))
    nothing_due = by(analytics(world.conn, "no_shows", ann, date(2026, 11, 25)), "level")["total"]
    assert (nothing_due["due"], nothing_due["no_show_rate"]) == (0, None)


# --- when bookings are made --------------------------------------------------------------------------------

def test_lead_times_fall_in_their_buckets_by_the_day_they_were_booked_in_the_viewers_zone(world):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0, max_advance_days=60)
    for created, lead in (("2026-11-10 03:00", timedelta(hours=1)),      # Nov 9 in Toronto, Nov 10 in Tokyo
                          ("2026-11-10 15:00", timedelta(hours=30)),     # Nov 10 in Toronto, Nov 11 00:00 in Tokyo
                          ("2026-11-10 12:00", timedelta(days=10)),
                          ("2026-11-10 12:30", timedelta(days=20)),
                          ("2026-11-10 13:00", timedelta(hours=2)),      # exactly 2 h: the second bucket
                          ("2026-11-10 13:30", timedelta(days=4)),
                          ("2026-11-10 13:40", timedelta(minutes=20))):
        book_at(world, mechanic, utc(created) + lead, utc(created))
    day = date(2026, 11, 10)

    toronto = analytics(world.conn, "lead_times", mechanic, day, zone=TO)
    tokyo = analytics(world.conn, "lead_times", mechanic, day, zone=TOKYO)

    assert [(r["bucket"], r["label"], r["min_hours"], r["max_hours"]) for r in toronto] == [
        (1, "< 2 h", 0, 2), (2, "2–24 h", 2, 24), (3, "1–3 days", 24, 72), (4, "3–7 days", 72, 168),
        (5, "1–2 weeks", 168, 336), (6, "> 2 weeks", 336, None)]
    assert [(r["sessions"], r["share"]) for r in toronto] == [(1, Decimal("0.1667"))] * 6
    assert [(r["sessions"], r["share"]) for r in tokyo] == [
        (2, Decimal("0.3333")), (1, Decimal("0.1667")), (0, Decimal("0.0000")), (1, Decimal("0.1667")),
        (1, Decimal("0.1667")), (1, Decimal("0.1667"))]
    assert [r["share"] for r in analytics(world.conn, "lead_times", mechanic, date(2026, 11, 12))] == [None] * 6


def test_the_heat_map_places_bookings_by_weekday_and_hour_of_the_viewers_zone(world):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    other = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    book_at(world, mechanic, utc("2026-11-20 15:00"), utc("2026-11-16 03:30"))  # Sun 22:30 Toronto, Mon 12:30 Tokyo
    book_at(world, mechanic, utc("2026-11-20 16:00"), utc("2026-11-16 16:10"))  # Mon 11:10 Toronto, Tue 01:10 Tokyo
    book_at(world, other, utc("2026-11-20 16:00"), utc("2026-11-16 16:20"))
    immediate(world, world.customer(), utc("2026-11-16 16:40"))                   # nobody took it
    admin = staff(world, "admin")

    def cells(rows):
        return {(r["weekday"], r["hour"]): (r["bookings"], r["immediate"], r["scheduled"]) for r in rows if r["bookings"]}

    toronto = analytics(world.conn, "peak_hours", admin, date(2026, 11, 15), date(2026, 11, 16), zone=TO)
    tokyo = analytics(world.conn, "peak_hours", admin, date(2026, 11, 16), date(2026, 11, 17), zone=TOKYO)
    assert [(r["weekday"], r["hour"]) for r in toronto] == [(d, h) for d in range(1, 8) for h in range(24)]
    assert cells(toronto) == {(7, 22): (1, 0, 1), (1, 11): (3, 1, 2)}
    assert cells(tokyo) == {(1, 12): (1, 0, 1), (2, 1): (3, 1, 2)}
    # a mechanic's map holds their own bookings only; the request nobody took is the platform's
    assert cells(analytics(world.conn, "peak_hours", mechanic, date(2026, 11, 15), date(2026, 11, 16))) == {
        (7, 22): (1, 0, 1), (1, 11): (1, 0, 1)}
    # the Toronto Sunday evening is not in a Tokyo range starting on Tuesday
    assert cells(analytics(world.conn, "peak_hours", admin, date(2026, 11, 17), zone=TOKYO)) == {(2, 1): (3, 1, 2)}


# --- money -------------------------------------------------------------------------------------------------

def test_revenue_by_day_counts_a_refund_when_it_is_sent_and_credit_when_it_is_granted(world):
    mo = named(world, world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), "Mo")
    shop = world.workshop(hours=OPEN_ALL_DAY)
    wu = named(world, world.mechanic(workshop=shop, partnership="employee", min_notice_minutes=0), "Wu")
    boss = staff(world, "workshop_admin", shop)
    day = lambda d, hour: local(TO, f"2026-11-{d} {hour}")  # noqa: E731
    early, late, done, kept = (book_at(world, mo, day(d, h), NOW) for d, h in (
        (27, "10:00"), (27, "12:00"), (24, "10:00"), (28, "10:00")))
    done_at_shop = book_at(world, wu, day(24, "11:00"), NOW)
    set_clock(world, NOW + timedelta(hours=1))
    for session in (early, kept):  # 24 h or more before: all back but the $5 fee, refunds decided now
        world.conn.execute("select * from app.cancel_session(%s, %s)",
                           [world.value("select customer_id from app.sessions where id = %s", [session]), session])
    set_clock(world, day(24, "09:00"))  # the gateway sends one refund the next morning; the other stays pending
    refund = world.value("select id from app.refunds where session_id = %s", [early])
    world.conn.execute("select app.record_refund(%s, %s)", [refund, Jsonb({"id": "re_analytics", "status": "succeeded"})])
    complete(world, mo, done, day(24, "10:00"))
    complete(world, wu, done_at_shop, day(24, "11:00"))
    set_clock(world, day(27, "11:00"))  # under 2 h before: half as account credit, half to the mechanic
    late_customer = world.value("select customer_id from app.sessions where id = %s", [late])
    world.conn.execute("select * from app.cancel_session(%s, %s)", [late_customer, late])
    # that credit pays half of a new booking whose card is declined: it comes back, neither charged nor granted
    world.pay(late_customer, mo, day(28, "14:00"), card="pm_card_chargeDeclined")
    assert world.value("select amount_cents from app.credit_entries where reason = 'payment_failed'") == 1450
    admin = staff(world, "admin")

    def table(rows):
        return [(r["bucket"].day, r["level"], r["mechanic_name"] or r["workshop_id"], r["charged_cents"],
                 r["refunded_cents"], r["refund_pending_cents"], r["credited_cents"], r["platform_cents"],
                 r["payee_cents"]) for r in rows]

    rows = analytics(world.conn, "revenue", admin, date(2026, 11, 23), date(2026, 11, 27))

    assert table(rows) == [
        (23, "mechanic", "Mo", 11600, 0, 2400, 0, 1000, 0),
        (23, "mechanic", "Wu", 2900, 0, 0, 0, 0, 0),
        (23, "workshop", shop, 2900, 0, 0, 0, 0, 0),
        (23, "total", None, 14500, 0, 2400, 0, 1000, 0),
        (24, "mechanic", "Mo", 0, 2400, 0, 0, 870, 2030),
        (24, "mechanic", "Wu", 0, 0, 0, 0, 870, 2030),
        (24, "workshop", shop, 0, 0, 0, 0, 870, 2030),
        (24, "total", None, 0, 2400, 0, 0, 1740, 4060),
        (25, "total", None, 0, 0, 0, 0, 0, 0),
        (26, "total", None, 0, 0, 0, 0, 0, 0),
        (27, "mechanic", "Mo", 0, 0, 0, 1450, 0, 1450),
        (27, "total", None, 0, 0, 0, 1450, 0, 1450),
    ]
    # one week: every cent charged is refunded, pending, credited or shared
    [week] = [r for r in analytics(world.conn, "revenue", admin, date(2026, 11, 23), date(2026, 11, 27), bucket="week")
              if r["level"] == "total"]
    assert (week["bucket"], week["charged_cents"]) == (date(2026, 11, 23), 14500)
    assert week["charged_cents"] == sum(week[k] for k in ("refunded_cents", "refund_pending_cents", "credited_cents",
                                                          "platform_cents", "payee_cents"))
    # the workshop's admin sees its mechanic's money only, the mechanic their own
    assert [row for row in table(analytics(world.conn, "revenue", boss, date(2026, 11, 23), date(2026, 11, 24)))
            if row[1] == "total"] == [(23, "total", None, 2900, 0, 0, 0, 0, 0), (24, "total", None, 0, 0, 0, 0, 870, 2030)]
    assert {row[2] for row in table(analytics(world.conn, "revenue", mo, date(2026, 11, 23), date(2026, 11, 27)))} == {
        "Mo", None}
    assert world.conn.execute("select * from app.money_audit()").fetchall() == []


# --- the waitlist and Book Now -----------------------------------------------------------------------------

def test_waitlist_conversion_is_a_book_now_session_within_two_hours_of_the_notice(world):
    def join(at):
        set_clock(world, at)
        customer = world.customer()
        world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [customer])
        return customer

    c1, c2, c3, c4, c5, c6, c7 = (join(NOW + n * MINUTE) for n in range(7))
    set_clock(world, NOW + 7 * MINUTE)
    world.conn.execute("select app.leave_waitlist(%s)", [c7])
    xena, yuri = world.mechanic(), world.mechanic()
    set_clock(world, NOW + 10 * MINUTE)
    world.conn.execute("select app.set_on_shift(%s, true)", [xena])   # wakes the three oldest: c1, c2, c3
    immediate(world, c1, NOW + 10 * MINUTE + timedelta(hours=2))       # two hours after the notice: converted
    immediate(world, c2, NOW + 10 * MINUTE + timedelta(hours=2) + SECOND)  # a second too late
    set_clock(world, NOW + timedelta(hours=2, minutes=4))
    assert world.value("select app.expire_waitlist_entries()") == 2   # c4, c5; c6 expires a minute later
    c9 = join(NOW + timedelta(hours=3))
    set_clock(world, NOW + timedelta(hours=3, minutes=1))
    world.conn.execute("select app.set_on_shift(%s, true)", [yuri])   # wakes c9
    join(NOW + timedelta(hours=3, minutes=5))                          # still waiting
    immediate(world, c9, NOW + timedelta(hours=3, minutes=6))
    set_clock(world, NOW + timedelta(hours=3, minutes=10))
    admin = staff(world, "admin")

    def outcomes(actor):
        rows = analytics(world.conn, "waitlist", actor, date(2026, 11, 23))
        assert len({r["conversion_rate"] for r in rows}) == 1
        return [(r["outcome"], r["entries"], r["share"]) for r in rows], rows[0]["conversion_rate"]

    assert outcomes(admin) == ([
        ("pending", 1, Decimal("0.1111")), ("notified", 2, Decimal("0.2222")), ("converted", 2, Decimal("0.2222")),
        ("expired", 3, Decimal("0.3333")), ("cancelled", 1, Decimal("0.1111"))], Decimal("0.5000"))
    # a mechanic's entries are those their coming online woke
    assert outcomes(xena) == ([
        ("pending", 0, 0), ("notified", 2, Decimal("0.6667")), ("converted", 1, Decimal("0.3333")),
        ("expired", 0, 0), ("cancelled", 0, 0)], Decimal("0.3333"))
    assert outcomes(yuri)[1] == 1
    assert outcomes(world.mechanic()) == ([(o, 0, None) for o in ("pending", "notified", "converted", "expired",
                                                                   "cancelled")], None)
    assert [r["entries"] for r in analytics(world.conn, "waitlist", admin, date(2026, 11, 24))] == [0] * 5


def test_offer_acceptance_times_percentiles_and_requests_nobody_took(world):
    pia, quinn = world.mechanic(), world.mechanic()
    for mechanic in (pia, quinn):
        world.conn.execute("select app.set_on_shift(%s, true)", [mechanic])

    def request(minutes, taken_by=None, after=None):
        session = immediate(world, world.customer(), NOW + minutes * MINUTE)
        if taken_by:
            set_clock(world, NOW + minutes * MINUTE + after)
            world.conn.execute("select app.accept_offer(%s, %s)", [taken_by, session])
        return session

    request(0, pia, 20 * SECOND)
    request(1, quinn, 90 * SECOND)
    request(2, pia, 4 * MINUTE)
    request(3)                                   # expired by the job
    left = request(4)
    set_clock(world, NOW + 5 * MINUTE)
    world.conn.execute("select * from app.cancel_session(%s, %s)",
                       [world.value("select customer_id from app.sessions where id = %s", [left]), left])
    request(5)                                   # past its 10 minutes when asked, the job not yet run
    set_clock(world, NOW + 13 * MINUTE)
    assert world.value("select app.expire_unanswered_sessions()") == 1
    request(14)                                  # still waiting
    set_clock(world, NOW + 16 * MINUTE)
    admin = staff(world, "admin")

    def seen(actor):
        rows = analytics(world.conn, "offer_acceptance", actor, date(2026, 11, 23))
        first = rows[0]
        return ([(r["sessions"], r["share"]) for r in rows],
                [first[k] for k in ("offered", "accepted", "never_accepted", "cancelled_unanswered", "waiting",
                                    "never_accepted_share", "p50_seconds", "p90_seconds")])

    third, none = Decimal("0.3333"), Decimal("0.0000")
    rows = analytics(world.conn, "offer_acceptance", admin, date(2026, 11, 23))
    assert [(r["bucket"], r["min_seconds"], r["max_seconds"]) for r in rows] == [
        (1, 0, 30), (2, 30, 60), (3, 60, 120), (4, 120, 300), (5, 300, 600), (6, 600, None)]
    assert seen(admin) == ([(1, third), (0, none), (1, third), (1, third), (0, none), (0, none)],
                           [7, 3, 2, 1, 1, Decimal("0.4000"), 90, 210])
    # a mechanic: the requests they took, and those offered to them by name that nobody took
    assert seen(pia)[1] == [6, 2, 2, 1, 1, Decimal("0.5000"), 130, 218]
    assert seen(quinn)[1] == [5, 1, 2, 1, 1, Decimal("0.6667"), 90, 90]


# --- who sees what -----------------------------------------------------------------------------------------

@pytest.fixture
def two_shops(world):
    """Two workshops, each with an admin and an employee who has one booking made today."""
    shops = []
    for name in ("North", "South"):
        shop = world.workshop(hours=OPEN_ALL_DAY)
        world.conn.execute("update app.workshops set name = %s where id = %s", [name, shop])
        mechanic = named(world, world.mechanic(workshop=shop, partnership="employee", min_notice_minutes=0), name + " Mech")
        world.book(world.customer(), mechanic, local(TO, "2026-11-24 10:00"))
        shops.append((shop, staff(world, "workshop_admin", shop), mechanic))
    return shops


def bookings(conn, actor, **filters):
    return sum(r["bookings"] for r in analytics(conn, "peak_hours", actor, date(2026, 11, 23), **filters))


def test_each_viewer_sees_their_own_scope_and_nothing_else(world, two_shops):
    (north, north_admin, north_mech), (south, south_admin, south_mech) = two_shops
    admin = staff(world, "admin")
    assert (bookings(world.conn, admin), bookings(world.conn, admin, workshop=south),
            bookings(world.conn, admin, mechanic=north_mech)) == (2, 1, 1)
    assert (bookings(world.conn, north_admin), bookings(world.conn, north_admin, workshop=north),
            bookings(world.conn, north_admin, mechanic=north_mech)) == (1, 1, 1)
    assert bookings(world.conn, south_mech) == 1
    util = analytics(world.conn, "utilization", north_admin, date(2026, 11, 24))
    assert [(r["level"], r["mechanic_id"]) for r in util] == [("mechanic", north_mech), ("total", None)]
    scope = {(r["kind"], r["id"], r["name"], r["workshop_id"]) for r in
             world.conn.execute("select * from app.analytics_scope(%s)", [north_admin])}
    assert scope == {("workshop", north, "North", north), ("mechanic", north_mech, "North Mech", north)}
    assert [(r["kind"], r["id"]) for r in world.conn.execute("select * from app.analytics_scope(%s)", [north_mech])] == [
        ("mechanic", north_mech)]
    assert [(r["kind"], r["name"]) for r in world.conn.execute("select * from app.analytics_scope(%s)", [admin])] == [
        ("workshop", "North"), ("workshop", "South"), ("mechanic", "North Mech"), ("mechanic", "South Mech")]


@pytest.mark.parametrize("measure", MEASURES)
def test_another_workshops_or_mechanics_numbers_are_not_found(world, two_shops, measure):
    (north, north_admin, north_mech), (south, south_admin, south_mech) = two_shops
    day, admin = date(2026, 11, 24), staff(world, "admin")
    for actor, filters in ((north_admin, {"workshop": south}), (north_admin, {"mechanic": south_mech}),
                           (north_mech, {"mechanic": south_mech}), (north_mech, {"workshop": north}),
                           (admin, {"workshop": south + 1000}), (admin, {"mechanic": north_admin})):
        assert sqlstate(lambda: analytics(world.conn, measure, actor, day, **filters)) == "UN001", (actor, filters)
    assert analytics(world.conn, measure, north_mech, day, mechanic=north_mech)


@pytest.mark.parametrize("measure", MEASURES)
def test_customers_get_nothing(world, measure):
    customer = world.customer()
    assert sqlstate(lambda: analytics(world.conn, measure, customer, date(2026, 11, 23))) == "UP001"
    assert sqlstate(lambda: analytics(world.conn, measure, 10**9, date(2026, 11, 23))) == "UP001"
    assert sqlstate(lambda: world.conn.execute("select * from app.analytics_scope(%s)", [customer])) == "UP001"


@pytest.mark.parametrize("measure", MEASURES)
def test_a_range_is_checked(world, measure):
    admin = staff(world, "admin")
    first = date(2026, 1, 1)
    for last, zone, state in ((first - timedelta(1), TO, "UV004"), (None, TO, "UV004"),
                              (first + timedelta(366), TO, "UV090"), (first, "Mars/Olympus", "UV006"),
                              (first, "EST", "UV006"), (first, None, "UV006")):
        args = [admin, first, last, zone]
        assert sqlstate(lambda: world.conn.execute(
            f"select * from app.analytics_{measure}(%s, %s, %s, %s)", args)) == state, (last, zone)
    assert analytics(world.conn, measure, admin, first, first + timedelta(365))  # 366 days, both ends counted


def test_revenue_buckets_are_days_or_weeks(world):
    admin = staff(world, "admin")
    assert sqlstate(lambda: analytics(world.conn, "revenue", admin, date(2026, 11, 23), bucket="month")) == "UV091"
    weeks = analytics(world.conn, "revenue", admin, date(2026, 11, 20), date(2026, 12, 1), bucket="week")
    assert [r["bucket"] for r in weeks] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]


def test_the_app_calls_them_but_not_the_helper(database, world):
    admin = staff(world, "admin")
    with database.acting(admin) as conn:
        for measure in MEASURES:
            assert analytics(conn, measure, admin, date(2026, 11, 23))
        assert conn.execute("select * from app.analytics_scope(%s)", [admin]).fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from app.analytics_request(%s, current_date, current_date, 'UTC', null, null)", [admin])
