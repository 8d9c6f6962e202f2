"""The demo world: three workshops in three zones, twenty mechanics of all three types with real-looking weekly
blocks, breaks, time off, ratings, specialties and brands (a few online), customers with vehicles, and paid
bookings in the coming days (online sessions, visits at Queen West Auto Care, a request, a hold); then eight
weeks of history before today, lived through the product's own functions with the database clock moved to
each moment (see "The past weeks" below), so that analytics and ledgers have something real to show.

What the world holds is demo_data.py's; this module builds it as the people would have, through the functions
the app calls for them: the platform admin creates the workshops and the staff, each workshop's admin sets its
capacity and hours, mechanics their weekly blocks, time off and settings, customers sign up, add their cars,
star their favorites and book. The payment gateway (the offline test gateway) is called only between two
transactions, as payments.py calls it: the seed commits before each charge or refund and records the answer in
the next transaction, and gives the clock back as it found it, also when it fails.

Loaded by `flask seed-demo`, and by `flask serve` into an empty database. Every login's password is
DEMO_PASSWORD (README.md lists the logins).
"""
import bisect
import collections
import datetime as dt
import heapq
import itertools
import logging
import random
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

import offline_gateway
from demo_data import (BOOK_NOW_HOURS, BOOK_NOW_PER_DAY, BOOKING_HOURS, BOOKINGS, CATEGORY_WEIGHTS, CONCERNS,
                       CUSTOMER_REASONS, CUSTOMERS, DECLINE_REASONS, DEMAND, DEMO_PASSWORD, FAVORITES, HISTORY_DAYS,
                       HISTORY_SEED, HOLDS, LEAD_HOURS, MECHANIC_REASONS, MECHANICS, OUTCOMES, PAST_CUSTOMERS,
                       PLAN_WEIGHTS, REQUESTS_ONLY, SHIFTS, SHORT_NOTICE, SUMMARIES, TIME_OFF, USER_AGENTS,
                       WEEKDAY_DEMAND, WORKSHOP_PROVINCE, WORKSHOP_REASONS, WORKSHOPS)

# the mechanic type (SPEC §1) each partnership of MECHANICS stands for
MECHANIC_TYPES = {None: "virtual_only", "owner": "independent_workshop", "employee": "workshop_affiliated",
                  "contractor": "workshop_affiliated"}


def vin_with_check_digit(prefix8, serial):
    """A 17-character VIN with a correct check digit (position 9) for a manufacturer prefix and a serial."""
    values = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9]))
    weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    body = prefix8 + "0" + serial
    total = sum((int(c) if c.isdigit() else values[c]) * w for c, w in zip(body, weights))
    check = "X" if total % 11 == 10 else str(total % 11)
    return prefix8 + check + serial


def is_empty(dsn):
    with psycopg.connect(dsn) as conn:
        return not conn.execute("select exists (select 1 from app.users)").fetchone()[0]


def seed(dsn, gateway=None):
    """Loads the demo world; its charges and refunds go through `gateway` (the app's test gateway, so that the app
    can refund them later; by default one of its own)."""
    password = DEMO_PASSWORD
    with psycopg.connect(dsn) as conn:
        frozen = conn.execute("select frozen_at from app.app_clock").fetchone()[0]
        try:
            admin_id = _seed(conn, password, gateway or offline_gateway.TestGateway())
        except BaseException:
            # what was committed before the failure stays; the clock the walk moved does not
            conn.rollback()
            conn.execute("select app.set_app_clock(%s)", [frozen])
            conn.commit()
            raise
    return admin_id


def _seed(conn, password, gateway):
    today = conn.execute("select (app.app_now() at time zone 'America/Toronto')::date").fetchone()[0]
    admin_id = _staff(conn, "admin", "admin@autodoctor.example", password, "Morgan Ellis", "America/Toronto")
    workshops = {w["key"]: _workshop(conn, w, admin_id, password) for w in WORKSHOPS}
    mechanics = {m[1]: _mechanic(conn, m, workshops, password) for m in MECHANICS}
    for email, first, last, reason in TIME_OFF:
        conn.execute("select app.add_time_off(%s, %s, %s, %s)",
                     [mechanics[email], today + dt.timedelta(first), today + dt.timedelta(last), reason])
    customers = {c[1]: _customer(conn, c, password, serial) for serial, c in enumerate(CUSTOMERS)}
    for customer, mechanic in FAVORITES:
        conn.execute("select app.set_favorite(%s, %s, true)", [customers[customer], mechanics[mechanic]])
    for email in REQUESTS_ONLY:
        conn.execute("select app.update_mechanic_settings(s.mechanic_id, s.buffer_minutes, s.min_notice_minutes, "
                     "s.max_advance_days, false) from app.mechanic_settings s where s.mechanic_id = %s",
                     [mechanics[email]])
    for email in SHORT_NOTICE:
        conn.execute("select app.update_mechanic_settings(%s, 15, 60, 30, true)", [mechanics[email]])
    _book(conn, gateway, customers, mechanics)
    for customer, mechanic, service, plan, nth_day, earliest in HOLDS:
        _hold(conn, customers[customer], mechanics[mechanic], service, plan, nth_day, earliest)
    _history(conn, gateway, today, password, workshops)
    _presence(conn, [mechanics[m[1]] for m in MECHANICS if m[-1]], [mechanics[m[1]] for m in MECHANICS if not m[-1]])
    conn.commit()
    return admin_id


def _staff(conn, role, email, password, name, zone, workshop_id=None, partnership=None, **mechanic):
    """A staff account with the demo password (create_staff_account, as `flask users create` makes one);
    `mechanic`: a mechanic's type, specialties, brands and years of experience."""
    return conn.execute(
        "select app.create_staff_account(p_role => %s, p_email => %s, p_password => %s, p_name => %s, "
        "p_timezone => %s, p_workshop_id => %s, p_partnership_type => %s, p_mechanic_type => %s, "
        "p_specialties => %s, p_brands => %s, p_years_experience => %s)",
        [role, email, password, name, zone, workshop_id, partnership, mechanic.get("mechanic_type"),
         mechanic.get("specialties", []), mechanic.get("brands", []), mechanic.get("years", 0)]).fetchone()[0]


def _workshop(conn, w, admin_id, password):
    """The platform admin creates the workshop and its admin's account; that admin sets its capacity and hours."""
    workshop_id = conn.execute(
        "select app.create_workshop(p_actor => %s, p_name => %s, p_street => %s, p_city => %s, p_province => %s, "
        "p_postal_code => %s, p_timezone => %s, p_phone => %s)",
        [admin_id, w["name"], w["street"], w["city"], w["province"], w["postal_code"], w["timezone"],
         w["phone"]]).fetchone()[0]
    workshop_admin = _staff(conn, "workshop_admin", w["admin"][1], password, w["admin"][0], w["timezone"], workshop_id)
    conn.execute("select app.update_workshop(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                 [workshop_admin, workshop_id, w["name"], w["street"], w["city"], w["province"], w["postal_code"],
                  w["phone"], w["timezone"], w["capacity"]])
    conn.execute("select app.set_workshop_hours(%s, %s, %s)", [workshop_admin, workshop_id, Jsonb(_week(w))])
    return workshop_id


def _week(w):
    """A workshop's hours as set_workshop_hours takes them: weekdays with a break, Saturday's if it opens."""
    opens, closes, break_start, break_end = w["weekday"]
    days = [dict(weekday=weekday, opens=opens, closes=closes, break_start=break_start, break_end=break_end)
            for weekday in range(1, 6)]
    saturday = dict(opens=w["saturday"][0], closes=w["saturday"][1]) if w["saturday"] else dict(closed=True)
    return days + [dict(weekday=6, **saturday), dict(weekday=7, closed=True)]


def _mechanic(conn, m, workshops, password):
    (name, email, workshop, partnership, zone, city, province, postal_code, years, rating, rating_count,
     specialties, brands, headline, blocks, _online) = m
    mechanic_id = _staff(conn, "mechanic", email, password, name, zone, workshops.get(workshop), partnership,
                         mechanic_type=MECHANIC_TYPES[partnership], specialties=specialties, brands=brands,
                         years=years)
    # where they work from (a workshop's mechanic may live elsewhere), their headline and the ratings they
    # brought along: no function writes these
    conn.execute(
        "update app.mechanics set city = %s, province = %s, postal_code = %s, rating = %s, rating_count = %s, "
        "headline = %s where id = %s", [city, province, postal_code, rating, rating_count, headline, mechanic_id])
    days = collections.defaultdict(list)
    for weekdays, spans in blocks.items():
        for weekday in weekdays:
            days[weekday] += [(dt.time.fromisoformat(start), dt.time.fromisoformat(end)) for start, end in spans]
    for weekday, spans in sorted(days.items()):
        starts, ends = map(list, zip(*sorted(spans)))
        conn.execute("select app.set_weekly_blocks(%s, %s, %s, %s)", [mechanic_id, weekday, starts, ends])
    return mechanic_id


def _presence(conn, online, offline):
    """Who is online now is the present world's, whatever the walk's last shifts were: `online` went online now,
    `offline` went offline three hours ago (with the clock there for a moment)."""
    now, frozen = conn.execute("select app.app_now(), frozen_at from app.app_clock").fetchone()
    conn.execute("select app.set_app_clock(%s)", [now - 3 * HOUR])
    for mechanic_id in offline:
        conn.execute("select app.set_on_shift(%s, false)", [mechanic_id])
    conn.execute("select app.set_app_clock(%s)", [frozen])
    for mechanic_id in online:
        conn.execute("select app.set_on_shift(%s, true)", [mechanic_id])


def _customer(conn, c, password, serial):
    name, email, zone, city, province, postal_code, phone, vehicles = c
    customer_id = conn.execute(
        "select app.sign_up_customer(p_email => %s, p_password => %s, p_name => %s, p_timezone => %s, "
        "p_city => %s, p_province => %s, p_postal_code => %s, p_phone => %s)",
        [email, password, name, zone, city, province, postal_code, phone]).fetchone()[0]
    for number, (year, make, model, prefix, km, plate) in enumerate(vehicles):
        model_year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 1980) % 30]
        vin = vin_with_check_digit(prefix, f"{model_year_code}A{serial:02d}{number}{year % 1000:03d}")
        conn.execute("select app.add_vehicle(p_actor => %s, p_year => %s, p_make => %s, p_model => %s, p_vin => %s, "
                     "p_odometer_km => %s, p_plate => %s)", [customer_id, year, make, model, vin, km, plate])
    return customer_id


def _hold(conn, customer, mechanic, service, plan, nth_day, earliest):
    """A hold on the first free start from `earliest` (local) on the mechanic's n-th day with free time."""
    start = conn.execute(
        "with free as (select s.slot_start, s.slot_start at time zone m.timezone as local "
        "              from app.mechanics m, app.available_slots(m.id, (app.app_now() at time zone m.timezone)::date, "
        "                  (app.app_now() at time zone m.timezone)::date + 14, %(plan)s, %(service)s, m.timezone, "
        "                  %(customer)s) s "
        "              where m.id = %(mechanic)s and s.available), "
        "     day as (select distinct local::date as d from free order by d offset %(nth_day)s limit 1) "
        "select slot_start from free join day on local::date = d "
        "order by local::time < %(earliest)s::time, slot_start limit 1",
        dict(mechanic=mechanic, customer=customer, plan=plan, service=service, nth_day=nth_day,
             earliest=earliest)).fetchone()[0]
    return conn.execute("select hold_id from app.reserve_slot(%s, %s, %s, %s, %s)",
                        [customer, mechanic, start, plan, service]).fetchone()[0]


def _book(conn, gateway, customers, mechanics):
    """BOOKINGS, each held and checked out with a test card; then, with the checkouts committed, the gateway
    charges the cards, and their answers are applied together: the sessions are born (SPEC §9)."""
    rows = conn.cursor(row_factory=dict_row)
    begun = []
    for customer, mechanic, service, plan, nth_day, earliest, vehicle, category, concern in BOOKINGS:
        customer_id = customers[customer]
        hold = _hold(conn, customer_id, mechanics[mechanic], service, plan, nth_day, earliest)
        vehicles = [row[0] for row in conn.execute("select id from app.vehicles where customer_id = %s order by id",
                                                   [customer_id])]
        begun.append(rows.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => %s, "
            "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, p_advice_only => %s, "
            "p_concern_category => %s, p_concern => %s, p_intake => %s)",
            [customer_id, plan, hold, None if vehicle is None else vehicles[vehicle], vehicle is None, category,
             concern, Jsonb({"reminders": ["24h", "1h", "15min"]})]).fetchone())
    conn.commit()
    intents = [_charge(gateway, payment) for payment in begun]
    for payment, intent in zip(begun, intents):
        conn.execute("select app.apply_payment_intent(%s, %s)", [Jsonb(intent), payment["id"]])


def _charge(gateway, payment):
    """The gateway's answer for what a payment leaves for the card, asked as payments._charge asks it: only ever
    between two transactions."""
    return gateway.charge(amount_cents=payment["amount_cents"], currency=payment["currency"],
                          payment_method=payment["payment_method"], idempotency_key=payment["idempotency_key"],
                          metadata={"payment_id": payment["id"]},
                          description=f"Auto Doctor {payment['plan_code']} ({payment['kind']})")


# --- The past weeks -----------------------------------------------------------------------------------------
# Eight weeks before today, walked in time order with the database clock moved to each moment
# (app.set_app_clock), everything made through the product's functions as the people would have made it:
# bookings held and paid at varied lead times and hours, waivers signed, rooms joined, sessions started and
# completed with a summary, visits checked in on the tablet, completed and their balance charged; cancellations
# by customers at each policy tier, by mechanics (the re-match job) and by workshops; no-shows; Book Now requests
# taken by a mechanic online after seconds or minutes, or expired unanswered (the job, with a full refund);
# waitlist entries woken by a mechanic going online, some turned into a Book Now session, others expired (the
# job). Money goes through the offline test gateway between two transactions (the walk commits before each
# charge or refund), refunds are sent and the outbox delivered as the jobs would. The history ends before today
# (Toronto) and leaves nothing for the jobs to change. Its customers are people of their own: the demo logins
# keep the present-day story README.md tells.

UTC = dt.timezone.utc
SECOND = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
log = logging.getLogger(__name__)
PLAN_MINUTES = {"standard": 30, "extended": 45, "premium": 60}  # app.plans.duration_minutes
IN_PERSON_DEPOSIT = 1500
REFUSALS = {"UC001", "UC002", "UR002"}  # reserve_slot: taken, customer busy, not available


def _history(conn, gateway, today, password, workshops):
    """The past weeks before `today` (Toronto), then the clock as it was: frozen by a test, or following the
    real time (null). Returns what happened, counted."""
    frozen = conn.execute("select frozen_at from app.app_clock").fetchone()[0]
    walk = _Walk(conn, gateway, today, password, workshops)
    walk.plan()
    walk.run()
    conn.execute("select app.set_app_clock(%s)", [frozen])
    log.info("demo history: %s", dict(sorted(walk.counts.items())))
    return walk.counts


def _day(t):
    return int(t.timestamp()) // 86400


class _Walk:
    """The past weeks as a discrete-event simulation: each event happens at its moment, with the clock there,
    and may plan later ones (a booking plans its session's day, a mechanic going online wakes the waitlist)."""

    def __init__(self, conn, gateway, today, password, workshops):
        self.conn, self.gateway = conn, gateway
        self.rows = conn.cursor(row_factory=dict_row)
        self.rng = random.Random(HISTORY_SEED)
        toronto = ZoneInfo("America/Toronto")
        self.end = dt.datetime.combine(today, dt.time(0), toronto).astimezone(UTC)
        self.first = dt.datetime.combine(today - dt.timedelta(HISTORY_DAYS), dt.time(0), toronto).astimezone(UTC)
        # nothing happens before the cancellation policy and the waiver texts were in force
        self.floor = conn.execute(
            "select greatest((select min(effective_from) from app.cancellation_policies), "
            "                (select min(published_at) from app.waiver_versions)) + interval '1 day'").fetchone()[0]
        self.heap, self.order, self.clock = [], itertools.count(), None
        self.counts = collections.Counter()
        self.busy_m, self.busy_c, self.shop = {}, {}, {}  # (who, day) → [(from, to)]
        self.online = {}  # mechanic → end of their shift
        self.waiting = {}  # customer → when their waitlist entry runs out
        self._people(password, workshops)
        self._schedules()

    # -- the cast ---------------------------------------------------------------------------------------------

    def _people(self, password, workshops):
        self.customers = []
        for serial, c in enumerate(PAST_CUSTOMERS, start=10):
            customer_id = _customer(self.conn, c, password, serial)
            makes = dict(self.conn.execute(
                "select id, lower(make) from app.vehicles where customer_id = %s order by id", [customer_id]))
            self.customers.append(SimpleNamespace(id=customer_id, name=c[0], zone=ZoneInfo(c[2]), province=c[4],
                                                  vehicles=list(makes), makes=makes))
        self.admins = dict(self.conn.execute("select workshop_id, min(user_id) from app.workshop_admins group by 1"))
        self.capacity = dict(self.conn.execute(
            "select workshop_id, min(capacity) from app.workshop_availability group by 1"))
        self.province = {w_id: WORKSHOP_PROVINCE[key] for key, w_id in workshops.items()}

    def _schedules(self):
        """Each mechanic's bookable time over the walk, from the one truth the booking functions use
        (schedule_window: blocks, workshop hours, breaks, closed days, time off), and its starts on their grid."""
        self.mechanics = {}
        for m in self.rows.execute(
                "select m.id, u.email, m.timezone, m.workshop_id, s.buffer_minutes, s.min_notice_minutes, "
                "       s.instant_booking, s.slot_interval_minutes, "
                "       app.mechanic_type_of(m.workshop_id, m.account_type) as kind, "
                "       array(select lower(b) from unnest(m.brands) b) as brands, "
                "       w.source - w.workshop_breaks - w.workshop_closed - w.time_off as open "
                "from app.mechanics m join app.users u on u.id = m.id "
                "join app.mechanic_settings s on s.mechanic_id = m.id "
                "cross join lateral app.schedule_window(m.id, %s, %s) w order by m.id",
                [self.first - 2 * DAY, self.end + DAY]):
            zone = ZoneInfo(m["timezone"])
            grid = dt.timedelta(minutes=m["slot_interval_minutes"])
            spans = sorted((r.lower.astimezone(UTC), r.upper.astimezone(UTC)) for r in m["open"])
            starts = []
            for lo, hi in spans:
                # the grid counts real minutes from local midnight, as evaluate_slots does
                midnight = dt.datetime.combine(lo.astimezone(zone).date(), dt.time(0), zone).astimezone(UTC)
                at = midnight + grid * -((midnight - lo) // grid)
                while at + 30 * MINUTE <= hi:
                    starts.append((at, hi))
                    at += grid
            self.mechanics[m["id"]] = SimpleNamespace(
                id=m["id"], email=m["email"], zone=zone, workshop=m["workshop_id"], kind=m["kind"],
                buffer=dt.timedelta(minutes=m["buffer_minutes"]), notice=dt.timedelta(minutes=m["min_notice_minutes"]),
                requests_only=not m["instant_booking"], brands=set(m["brands"]), spans=spans, starts=starts,
                keys=[s for s, _ in starts])

    # -- planning ---------------------------------------------------------------------------------------------

    def plan(self):
        rng = self.rng
        for m in self.mechanics.values():
            by_day = collections.defaultdict(list)
            for start, _ in m.starts:
                if self.first <= start and start + 2 * HOUR <= self.end:
                    by_day[start.astimezone(m.zone).date()].append(start)
            for day, starts in sorted(by_day.items()):
                rate = DEMAND.get(m.email, 0) * WEEKDAY_DEMAND[day.isoweekday()] * self._growth(starts[0])
                for _ in range(self._poisson(rate)):
                    self._plan_booking(m, rng.choice(starts))
                self._plan_shifts(m, day)
        toronto = ZoneInfo("America/Toronto")
        day = self.first.astimezone(toronto).date()
        while (start := dt.datetime.combine(day, dt.time(0), toronto).astimezone(UTC)) < self.end:
            for _ in range(self._poisson(BOOK_NOW_PER_DAY * self._growth(start))):
                at = self._local_moment(day, toronto, BOOK_NOW_HOURS)
                if self.floor <= at and at + 3 * HOUR <= self.end:
                    self.at(at, self.book_now)
            day += DAY
        at = self.first - 15 * DAY
        while at < self.end:
            self.at(at, self.deliver)
            at += 12 * HOUR
        self.at(self.end - MINUTE, self.deliver)

    def _growth(self, at):
        """The platform grows: a third more bookings at the end of the walk than at its start."""
        return 0.85 + 0.3 * (at - self.first) / (self.end - self.first)

    def _poisson(self, rate):
        n, p, limit = 0, 1.0, 2.718281828459045 ** -rate
        while True:
            p *= self.rng.random()
            if p <= limit:
                return n
            n += 1

    def _pick(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _local_moment(self, day, zone, hours=BOOKING_HOURS):
        """A moment of a local day at an hour people book at."""
        wall = dt.time(self._pick(hours), self.rng.randrange(60), self.rng.randrange(60))
        return dt.datetime.combine(day, wall, zone).astimezone(UTC)

    def _plan_booking(self, m, target):
        rng = self.rng
        service = "online"
        if m.workshop and (m.requests_only or rng.random() < 0.75):
            service = "in_person"
        pool = [c for c in self.customers if service == "online" or c.province == self.province[m.workshop]]
        customer = rng.choice(pool)
        vehicle = rng.choice(customer.vehicles) if customer.vehicles and rng.random() < 0.85 else None
        category = self._pick(CATEGORY_WEIGHTS[service])
        # how far ahead: at least the mechanic's notice; a request is made a day ahead at least
        least = self._least(m)
        while True:
            _, lo, hi = rng.choices(LEAD_HOURS, weights=[w for w, _, _ in LEAD_HOURS])[0]
            if hi * HOUR > least:
                break
        lead = dt.timedelta(seconds=rng.uniform(max(lo * HOUR, least).total_seconds(), hi * 3600))
        created = target - lead
        local = created.astimezone(customer.zone)
        if lead >= 20 * HOUR:
            # made that day at an hour people book at
            moment = self._local_moment(local.date(), customer.zone)
            if target - moment >= least:
                created = moment
        elif local.hour < 7:
            # nobody books at night: the evening before
            created = dt.datetime.combine(local.date() - DAY, dt.time(rng.randrange(19, 23), rng.randrange(60)),
                                          customer.zone).astimezone(UTC)
        created = created.replace(microsecond=0)
        if created < self.floor:
            return
        story = SimpleNamespace(mechanic=m, customer=customer, service=service,
                                plan=self._pick(PLAN_WEIGHTS[service]), vehicle=vehicle, category=category,
                                concern=rng.choice(CONCERNS[category]), target=target, claims=[])
        self.at(created, self.book, story)

    @staticmethod
    def _least(m):
        """How far ahead a booking is made at least: the mechanic's notice; a request a day, to be answered."""
        return max(m.notice, DAY if m.requests_only else dt.timedelta(0)) + 5 * MINUTE

    def _plan_shifts(self, m, day):
        """Online for most of some of the day's blocks (a morning, an afternoon after the break): from a while
        after a block starts to a while before it ends."""
        for lo, hi in m.spans:
            if lo.astimezone(m.zone).date() != day or hi - lo < 2 * HOUR or hi > self.end - HOUR:
                continue
            if self.rng.random() >= SHIFTS.get(m.email, 0):
                continue
            # a workshop's own mechanics are there when it opens; the others log on when it suits them
            late = self.rng.uniform(0, 15) * MINUTE if m.kind == "workshop_affiliated" \
                else (hi - lo) * self.rng.uniform(0, 0.3)
            start = (lo + late).replace(second=0, microsecond=0)
            end = (hi - (hi - lo) * self.rng.uniform(0, 0.2)).replace(second=0, microsecond=0)
            if start >= self.floor and end - start >= 90 * MINUTE:
                self.at(start, self.go_online, m, end)
                self.at(end, self.go_offline, m)
                owners = [(c, v) for c in self.customers for v, make in c.makes.items() if make in m.brands]
                if owners and self.rng.random() < 0.07:
                    # someone wants a specialist in their car's make shortly before this one logs on
                    self.at(start - self.rng.uniform(3, 40) * MINUTE, self.book_now, None, None,
                            self.rng.choice(owners))

    # -- the walk ---------------------------------------------------------------------------------------------

    def at(self, when, action, *args):
        when = when.replace(microsecond=0)
        if self.clock is not None and when < self.clock:
            raise RuntimeError(f"demo history: {action.__name__} planned at {when}, before the clock ({self.clock})")
        heapq.heappush(self.heap, (when, next(self.order), action, args))

    def run(self):
        # pipelined: what the walk does not read back (the clock, most steps) does not wait for its answer
        with self.conn.pipeline():
            self._run()

    def _run(self):
        first = True
        while self.heap:
            when, _, action, args = heapq.heappop(self.heap)
            if when != self.clock:
                self.conn.execute("select app.set_app_clock(%s)", [when])
                self.clock = when
            if first:
                # the walk starts with everyone offline; who goes online when is the shifts'
                for m in self.mechanics:
                    self.conn.execute("select app.set_on_shift(%s, false)", [m])
                first = False
            action(*args)

    @property
    def now(self):
        return self.clock

    def later(self, low_seconds, high_seconds):
        """A moment between low and high seconds from now."""
        return self.now + dt.timedelta(seconds=self.rng.uniform(low_seconds, high_seconds))

    # -- who is free: the walk's own book of claims, so that what it asks the functions for is free ------------

    def _free(self, table, key, lo, hi, capacity=1):
        overlapping = 0
        for day in range(_day(lo), _day(hi) + 1):
            for a, b in table.get((key, day), ()):
                if a < hi and lo < b:
                    overlapping += 1
        return overlapping < capacity

    def _take(self, story, table, key, lo, hi):
        for day in range(_day(lo), _day(hi) + 1):
            table.setdefault((key, day), []).append((lo, hi))
        story.claims.append((table, key, lo, hi))

    def claim(self, story, since=None):
        """The session's time, as the functions will hold it (the mechanic's with its buffer after), or from
        `since` (a Book Now request, from the moment it is paid)."""
        m = story.mechanic
        self._take(story, self.busy_m, m.id, since or story.start, story.end + m.buffer)
        self._take(story, self.busy_c, story.customer.id, since or story.start, story.end)
        if story.service == "in_person":
            self._take(story, self.shop, m.workshop, story.start, story.end)

    def release(self, story):
        for table, key, lo, hi in story.claims:
            for day in range(_day(lo), _day(hi) + 1):
                table[(key, day)].remove((lo, hi))
        story.claims = []

    def _slot(self, story):
        """The free start nearest to the one the customer wanted, as the booking functions will see it."""
        m, c = story.mechanic, story.customer
        length = PLAN_MINUTES[story.plan] * MINUTE
        earliest, latest = self.now + self._least(m), min(self.now + 14 * DAY, self.end - length - HOUR)
        right = bisect.bisect_left(m.keys, story.target)
        left = right - 1
        while left >= 0 or right < len(m.starts):
            if right >= len(m.starts) or (left >= 0 and story.target - m.keys[left] < m.keys[right] - story.target):
                start, span_end = m.starts[left]
                left -= 1
            else:
                start, span_end = m.starts[right]
                right += 1
            if abs(start - story.target) > 3 * DAY:
                return None  # starts come nearest first: the rest are further still
            if not earliest <= start <= latest or start + length > span_end:
                continue
            if not self._free(self.busy_m, m.id, start, start + length + m.buffer):
                continue
            if not self._free(self.busy_c, c.id, start, start + length):
                continue
            if story.service == "in_person" and not self._free(self.shop, m.workshop, start, start + length,
                                                              self.capacity[m.workshop]):
                continue
            return start
        return None

    # -- money ------------------------------------------------------------------------------------------------

    def charge(self, payment):
        """What the card pays, through the test gateway between two transactions (payments._pay): what the walk
        did until the checkout is committed first."""
        if payment["status"] == "pending" and payment["amount_cents"] > 0:
            self.conn.commit()
            intent = _charge(self.gateway, payment)
            payment = self.rows.execute("select * from app.apply_payment_intent(%s, %s)",
                                        [Jsonb(intent), payment["id"]]).fetchone()
        if payment["status"] != "succeeded":
            raise RuntimeError(f"demo history: payment {payment['id']} is {payment['status']}")
        return payment

    def _credit(self, customer):
        return self.conn.execute("select app.credit_balance(%s)", [customer.id]).fetchone()[0]

    def refunds(self, session=None):
        """The refunds decided, sent as the app sends them right after (payments.send_refunds): the decision
        committed, the gateway asked for each, then their answers recorded."""
        pending = self.rows.execute("select * from app.pending_refunds(1000, %s)", [session]).fetchall()
        if not pending:
            return
        self.conn.commit()
        answers = [self.gateway.refund(intent_id=r["intent_id"], amount_cents=r["amount_cents"],
                                       idempotency_key=r["idempotency_key"],
                                       metadata={"refund_id": r["refund_id"], "reason": r["reason"]})
                   for r in pending]
        for r, answer in zip(pending, answers):
            self.conn.execute("select app.record_refund(%s, %s)", [r["refund_id"], Jsonb(answer)])

    def deliver(self):
        """The delivery job of the time: what the outbox held went out (email to the mailbox, texts recorded)."""
        self.conn.execute(
            "select count(app.record_delivery(o.id, case o.channel when 'email' then 'mailbox' "
            "                                            when 'sms' then 'recorded' else 'in_app' end)) "
            "from app.claim_outbox(100000) o")

    # -- scheduled bookings -----------------------------------------------------------------------------------

    def book(self, story):
        """The customer picks a time on the Schedule page (a 15-minute hold), then pays for it."""
        if story.service == "in_person" and self._credit(story.customer) >= IN_PERSON_DEPOSIT:
            # account credit would pay the whole deposit, and begin_balance_payment then finds no card for the
            # balance (UV012): someone else of the workshop's customers books this visit
            others = [c for c in self.customers if c.province == story.customer.province]
            story.customer = next((c for c in self.rng.sample(others, len(others))
                                   if self._credit(c) < IN_PERSON_DEPOSIT), None)
            if story.customer is None:
                self.counts["no_free_time"] += 1
                return
            story.vehicle = self.rng.choice(story.customer.vehicles) if story.customer.vehicles else None
        start = self._slot(story)
        if start is None:
            self.counts["no_free_time"] += 1
            return
        try:
            with self.conn.transaction():
                story.hold = self.conn.execute(
                    "select hold_id from app.reserve_slot(%s, %s, %s, %s, %s)",
                    [story.customer.id, story.mechanic.id, start, story.plan, story.service]).fetchone()[0]
        except psycopg.Error as refusal:
            if refusal.sqlstate not in REFUSALS:
                raise
            log.warning("demo history: reserve_slot refused %s for %s at %s: %s (%s)", story.mechanic.email,
                        story.customer.name, start, refusal.diag.message_primary, refusal.diag.message_detail)
            self.counts["refused"] += 1
            return
        story.start, story.end = start, start + PLAN_MINUTES[story.plan] * MINUTE
        self.claim(story)
        # review and pay: the session is born (a request, for a mechanic whose instant booking is off)
        payment = self.rows.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => %s, "
            "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, p_advice_only => %s, "
            "p_concern_category => %s, p_concern => %s, p_intake => %s)",
            [story.customer.id, story.plan, story.hold, story.vehicle, story.vehicle is None, story.category,
             story.concern, Jsonb({"reminders": self.rng.choice([["24h", "1h", "15min"], ["1h", "15min"], ["24h"]])})]
        ).fetchone()
        story.session = self.charge(payment)["session_id"]
        self.counts[f"booked_{story.service}"] += 1
        if story.mechanic.requests_only:
            self._answer(story)
        else:
            self._outcome(story)

    def _answer(self, story):
        """A request waits for the workshop: confirmed, declined, or left until it expires 2 h before."""
        deadline = story.start - 2 * HOUR
        r = self.rng.random()
        if r < 0.07:
            self.at(deadline + self.rng.uniform(30, 240) * SECOND, self.expire_unanswered, story)
            return
        answer = min(self.later(600, 6 * 3600), deadline - 20 * MINUTE)
        self.at(answer, self.decline if r < 0.14 else self.confirm, story)

    def _outcome(self, story):
        rng, m = self.rng, story.mechanic
        left = story.start - self.now
        weights = dict(OUTCOMES[story.service])
        feasible = {"early": left >= 25 * HOUR, "mid": left >= 2.5 * HOUR, "late": left >= 30 * MINUTE,
                    "mechanic_late": m.kind == "virtual_only" and left >= 70 * MINUTE,
                    "mechanic_early": m.kind == "virtual_only" and left >= 2 * DAY,
                    "workshop": left >= 4 * HOUR}
        for kind, ok in feasible.items():
            if kind in weights and not ok:
                weights["complete"] += weights.pop(kind)
        kind = self._pick(weights)
        start, since = story.start, self.now + 5 * MINUTE
        between = lambda lo, hi: lo + (hi - lo) * rng.random()  # noqa: E731
        if kind == "complete":
            self._run_session(story)
        elif kind == "no_show":
            if story.service == "online":
                self.at(start + between(10.5 * MINUTE, 14 * MINUTE), self.mark_no_show, story)
            else:
                self.at(start + between(15 * MINUTE, 20 * MINUTE), self.no_show_job, story)
        elif kind == "early":
            self.at(between(since, start - 24 * HOUR - 10 * MINUTE), self.cancel_by_customer, story, "early")
        elif kind == "mid":
            self.at(between(max(since, start - 24 * HOUR + 10 * MINUTE), start - 2 * HOUR - 10 * MINUTE),
                    self.cancel_by_customer, story, "mid")
        elif kind == "late":
            self.at(between(max(since, start - 2 * HOUR + 10 * MINUTE), start - 15 * MINUTE),
                    self.cancel_by_customer, story, "late")
        elif kind == "mechanic_late":
            # too close to the start for anyone else's notice: the re-match job gives everything back
            self.at(between(max(since, start - 55 * MINUTE), start - 25 * MINUTE), self.cancel_by_mechanic, story)
        elif kind == "mechanic_early":
            self.at(between(since + HOUR, start - 26 * HOUR), self.cancel_by_mechanic, story)
        else:
            self.at(between(since + 30 * MINUTE, start - 3 * HOUR), self.cancel_by_workshop, story)

    def _run_session(self, story):
        """The session happens: online, waiver and room then the mechanic; in person, the tablet then the work."""
        length = story.end - story.start
        if story.service == "online":
            self.at(story.start - self.rng.uniform(2, 14) * MINUTE, self.join, story)
            started = story.start + self.rng.uniform(0, 4) * MINUTE
            self.at(started, self.start, story)
            self.at(started + length + self.rng.uniform(-4, 8) * MINUTE, self.complete, story)
        else:
            self.at(story.start - self.rng.uniform(0, 12) * MINUTE, self.check_in, story)
            self.at(story.end + self.rng.uniform(0, 25) * MINUTE, self.finish_visit, story)

    def _sign(self, actor, story, mode):
        self.conn.execute("select app.sign_waiver(%s, %s, %s, null, %s, %s::inet, %s)",
                          [actor, story.session, mode, story.customer.name,
                           f"198.51.100.{10 + story.customer.id % 200}", self.rng.choice(USER_AGENTS)])

    def join(self, story):
        self._sign(story.customer.id, story, "online")
        self.conn.execute("select app.join_session(%s, %s)", [story.customer.id, story.session])

    def start(self, story):
        self.conn.execute("select app.start_session(%s, %s)", [story.mechanic.id, story.session])

    def complete(self, story):
        self.conn.execute("select app.complete_session(%s, %s, %s)",
                          [story.mechanic.id, story.session, self.rng.choice(SUMMARIES[story.category])])
        self.counts[f"completed_{story.service}"] += 1

    def check_in(self, story):
        self._sign(self.admins[story.mechanic.workshop], story, "in_person")

    def finish_visit(self, story):
        """The workshop completes the visit and charges the balance at once (blueprints/workshop/visits.py)."""
        admin = self.admins[story.mechanic.workshop]
        self.conn.execute("select app.complete_visit(%s, %s)", [admin, story.session])
        self.charge(self.rows.execute("select * from app.begin_balance_payment(%s, %s)",
                                      [admin, story.session]).fetchone())
        self.counts["completed_in_person"] += 1

    def confirm(self, story):
        self.conn.execute("select app.confirm_visit(%s, %s)", [self.admins[story.mechanic.workshop], story.session])
        self._outcome(story)

    def decline(self, story):
        self.conn.execute("select app.decline_visit(%s, %s, %s)",
                          [self.admins[story.mechanic.workshop], story.session, self.rng.choice(DECLINE_REASONS)])
        self._ended(story, "declined")

    def mark_no_show(self, story):
        self.conn.execute("select app.mark_no_show(%s, %s)", [story.mechanic.id, story.session])
        self.counts["no_show"] += 1

    def no_show_job(self, story):
        """handle_no_shows' work for this visit: nobody checked in 15 minutes after the start."""
        self.conn.execute("select app.set_actor(null, 'no-show: 15 minutes after the start')")
        if not self.conn.execute("select app.record_no_show(%s)", [story.session]).fetchone()[0]:
            raise RuntimeError(f"demo history: visit {story.session} was no no-show")
        self.counts["no_show"] += 1

    def cancel_by_customer(self, story, tier):
        self.conn.execute("select * from app.cancel_session(%s, %s, %s, %s)",
                          [story.customer.id, story.session, self.rng.choice(CUSTOMER_REASONS), tier])
        self._ended(story, f"cancelled_{tier}")

    def cancel_by_workshop(self, story):
        self.conn.execute("select * from app.cancel_session(%s, %s, %s)",
                          [self.admins[story.mechanic.workshop], story.session, self.rng.choice(WORKSHOP_REASONS)])
        self._ended(story, "cancelled_by_workshop")

    def cancel_by_mechanic(self, story):
        """The booked mechanic steps out; the re-match job runs a minute later."""
        self.conn.execute("select * from app.cancel_session(%s, %s, %s)",
                          [story.mechanic.id, story.session, self.rng.choice(MECHANIC_REASONS)])
        self.at(self.later(20, 70), self.rematch, story)

    def rematch(self, story):
        self.conn.execute("select app.rematch_sessions()")
        session = self.rows.execute("select status, mechanic_id from app.sessions where id = %s",
                                    [story.session]).fetchone()
        if session["status"] == "cancelled":
            self._ended(story, "cancelled_by_mechanic")
            return
        self.release(story)
        story.mechanic = self.mechanics[session["mechanic_id"]]
        self.claim(story)
        self.counts["rematched"] += 1
        self._run_session(story)

    def expire_unanswered(self, story):
        """The every-minute job: this request (or Book Now request) was not answered in time."""
        self.conn.execute("select app.expire_unanswered_sessions()")
        self._ended(story, "expired_book_now" if story.service == "book_now" else "expired_request")

    def _ended(self, story, what):
        self.refunds(story.session)
        self.release(story)
        self.counts[what] += 1

    # -- Book Now and the waitlist ----------------------------------------------------------------------------

    def go_online(self, m, until):
        self.conn.execute("select app.set_on_shift(%s, true)", [m.id])
        self.online[m.id] = until
        if not any(expires > self.now for expires in self.waiting.values()):
            return  # nobody waits: the trigger woke nobody
        for entry in self.rows.execute(
                "select customer_id, plan_code, vehicle_id, concern from app.customer_waitlist "
                "where notified_for = %s and notified_at = app.app_now() order by id", [m.id]).fetchall():
            self.waiting.pop(entry["customer_id"], None)
            self.counts["waitlist_notified"] += 1
            # some of those told come back and book within the two hours, while the mechanic is online
            room = (until - self.now).total_seconds() - 900
            if self.rng.random() < 0.5 and room > 180:
                self.at(self.later(120, min(room, 3000)), self.book_now, entry, m)

    def go_offline(self, m):
        self.conn.execute("select app.set_on_shift(%s, false)", [m.id])
        self.online.pop(m.id, None)

    def expire_waitlist(self):
        """The every-5-minutes job: entries nobody came online for in two hours."""
        expired = self.conn.execute("select app.expire_waitlist_entries()").fetchone()[0]
        self.counts["waitlist_expired"] += expired
        for customer, until in list(self.waiting.items()):
            if until <= self.now:
                del self.waiting[customer]

    def book_now(self, entry=None, notified_by=None, wish=None):
        """A customer presses Book Now: with a mechanic online, waiver, payment, and a mechanic takes it (or
        nobody does in ten minutes); with nobody online, the waitlist. `entry`: a waitlist entry woken by
        `notified_by`, its customer coming back; `wish`: a customer and vehicle looking for a specialist."""
        rng = self.rng
        busy_for = 2 * HOUR
        if entry is not None:
            customer = next(c for c in self.customers if c.id == entry["customer_id"])
            vehicle, plan, category, specialist = entry["vehicle_id"], entry["plan_code"], "diagnostic", False
            concern = entry["concern"] or rng.choice(CONCERNS[category])
        else:
            if wish is not None:
                customer, vehicle = wish
            else:
                free = [c for c in self.customers if c.id not in self.waiting
                        and self._free(self.busy_c, c.id, self.now, self.now + busy_for)]
                if not free:
                    return
                customer = rng.choice(free)
                vehicle = rng.choice(customer.vehicles) if customer.vehicles and rng.random() < 0.8 else None
            # Book Now's tabs: All, or Brand specialist (only those who list the car's make)
            specialist = vehicle is not None and (wish is not None or rng.random() < 0.2)
            plan = self._pick(PLAN_WEIGHTS["online"])
            category = self._pick(CATEGORY_WEIGHTS["online"])
            concern = rng.choice(CONCERNS[category])
        if customer.id in self.waiting and entry is None \
                or not self._free(self.busy_c, customer.id, self.now, self.now + busy_for):
            return
        online = [m for m, until in self.online.items() if until > self.now + 15 * MINUTE
                  and (not specialist or customer.makes[vehicle] in self.mechanics[m].brands)]
        if not online:
            # nobody (of the tab) online: the waitlist, for whoever comes online next
            if entry is None and (wish is not None or rng.random() < 0.8):
                expires = self.conn.execute(
                    "select expires_at from app.join_waitlist(%s, %s, %s, %s, %s)",
                    [customer.id, plan, vehicle, vehicle is None, concern]).fetchone()[0]
                self.waiting[customer.id] = expires
                self.counts["waitlist_joined"] += 1
                self.at(expires + rng.uniform(60, 360) * SECOND, self.expire_waitlist)
            return
        self.conn.execute("select app.sign_waiver(%s, null, 'online', null, %s, %s::inet, %s)",
                          [customer.id, customer.name, f"198.51.100.{10 + customer.id % 200}", rng.choice(USER_AGENTS)])
        payment = self.rows.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => %s, "
            "p_payment_method => 'pm_card_visa', p_vehicle_id => %s, p_advice_only => %s, p_request_type => %s, "
            "p_concern_category => %s, p_concern => %s, p_is_urgent => %s)",
            [customer.id, plan, vehicle, vehicle is None, "brand_specialist" if specialist else "general", category,
             concern, rng.random() < 0.2]).fetchone()
        story = SimpleNamespace(customer=customer, service="book_now", plan=plan, category=category, claims=[],
                                session=self.charge(payment)["session_id"])
        self.counts["booked_book_now"] += 1
        length = PLAN_MINUTES[plan] * MINUTE
        # how long until a mechanic takes it: mostly within a minute or two, sometimes several
        wait = rng.choices([(8, 30), (30, 60), (60, 120), (120, 300), (300, 560)], weights=[25, 25, 20, 20, 10])[0]
        wait = dt.timedelta(seconds=rng.uniform(*wait))
        takers = [m for m in online if self.online[m] > self.now + wait + 5 * MINUTE
                  and self._free(self.busy_m, m, self.now, self.now + wait + length + 15 * MINUTE)]
        r = rng.random()
        if r < 0.04:
            self._take(story, self.busy_c, customer.id, self.now, self.now + 15 * MINUTE)
            self.at(self.later(90, 420), self.give_up, story)
            return
        if r < 0.08 or not takers:
            self._take(story, self.busy_c, customer.id, self.now, self.now + 15 * MINUTE)
            self.at(self.now + 10 * MINUTE + rng.uniform(5, 55) * SECOND, self.expire_unanswered, story)
            return
        # the mechanic who woke the customer, or mostly one of the three it was offered to by name (SPEC §8)
        named = [row[0] for row in self.conn.execute(
            "select mechanic_id from app.session_offers where session_id = %s and kind = 'targeted'", [story.session])
            if row[0] in takers]
        if notified_by and notified_by.id in takers:
            taker = notified_by.id
        else:
            taker = rng.choice(named if named and rng.random() < 0.75 else takers)
        story.mechanic = self.mechanics[taker]
        story.start = self.now + wait + rng.uniform(40, 180) * SECOND
        story.end = story.start + length
        self.claim(story, since=self.now)
        self.at(self.now + wait, self.accept, story)

    def accept(self, story):
        self.conn.execute("select app.accept_offer(%s, %s)", [story.mechanic.id, story.session])
        self.at(story.start, self.start, story)
        self.at(story.end + self.rng.uniform(-5, 8) * MINUTE, self.complete, story)

    def give_up(self, story):
        """The customer stops waiting before anyone took it: everything back."""
        self.conn.execute("select * from app.cancel_session(%s, %s, %s, 'not_accepted')",
                          [story.customer.id, story.session, "I could not wait any longer."])
        self._ended(story, "cancelled_book_now")
