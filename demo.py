"""The demo world: three workshops in three zones, twenty mechanics of all three types with real-looking weekly
blocks, breaks, time off, ratings, specialties and brands (a few online), customers with vehicles, and paid
bookings in the coming days (online sessions, visits at Queen West Auto Care, a request, a hold).

Loaded by `flask seed-demo`, and by `flask serve` into an empty database. Every login's password is
DEMO_PASSWORD (README.md lists the logins).
"""
import datetime as dt

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from werkzeug.security import generate_password_hash

import payments

DEMO_PASSWORD = "autodoctor-demo"

WEEKDAYS = range(1, 8)
WORKSHOPS = [
    # name, street, city, province, postal code, zone, phone, weekday hours, Saturday hours, capacity
    dict(key="toronto", name="Queen West Auto Care", street="812 Queen St W", city="Toronto", province="ON",
         postal_code="M6J 1G3", timezone="America/Toronto", phone="+1 416 555 0142",
         weekday=("08:00", "18:00", "12:00", "13:00"), saturday=("09:00", "15:00"), capacity=5,
         admin=("Priya Raman", "priya@queenwestauto.example")),
    dict(key="vancouver", name="Main Street Garage", street="3415 Main St", city="Vancouver", province="BC",
         postal_code="V5V 3M9", timezone="America/Vancouver", phone="+1 604 555 0178",
         weekday=("07:30", "17:00", "12:00", "12:30"), saturday=None, capacity=3,
         admin=("Graham Oduya", "graham@mainstreetgarage.example")),
    dict(key="halifax", name="Harbourside Motors", street="2150 Gottingen St", city="Halifax", province="NS",
         postal_code="B3K 3B4", timezone="America/Halifax", phone="+1 902 555 0119",
         weekday=("08:30", "17:30", "12:30", "13:15"), saturday=("10:00", "14:00"), capacity=4,
         admin=("Siobhan MacLeod", "siobhan@harboursidemotors.example")),
]

# name, email, workshop key or None, partnership, zone, city, province, postal code, years, rating (count),
# specialties, brands, headline, weekly blocks {weekdays: [(start, end), ...]}, online now
MECHANICS = [
    ("Marcus Chen", "marcus.chen@autodoctor.example", None, None, "America/Toronto", "Toronto", "ON", "M4C 1B5",
     14, 4.9, 212, ["engine", "diagnostics", "electrical"], ["Toyota", "Lexus", "Honda"],
     "Red Seal technician; check-engine lights and hybrid systems",
     {(1, 2, 3, 4, 5): [("09:00", "12:00"), ("13:00", "17:00")]}, True),
    ("Amélie Tremblay", "amelie.tremblay@autodoctor.example", None, None, "America/Toronto", "Montréal", "QC",
     "H2T 1S6", 9, 4.8, 167, ["transmission", "diagnostics", "maintenance"], ["Volkswagen", "Audi", "Subaru"],
     "Dealer-trained on VW and Audi; DSG and CVT questions welcome",
     {(1, 3, 5): [("08:00", "11:30")], (2, 4): [("16:00", "21:00")], (6,): [("10:00", "14:00")]}, True),
    ("Daniel Okafor", "daniel.okafor@autodoctor.example", None, None, "America/Winnipeg", "Winnipeg", "MB",
     "R3L 0Y1", 6, 4.6, 88, ["brakes", "suspension", "maintenance"], ["Ford", "Chevrolet", "Ram"],
     "Trucks and winter-worn suspensions; honest second opinions on quotes",
     {(1, 2, 3, 4): [("07:00", "11:00"), ("12:00", "15:00")]}, False),
    ("Hannah Kowalski", "hannah.kowalski@autodoctor.example", None, None, "America/Edmonton", "Edmonton", "AB",
     "T6E 2A3", 11, 4.7, 140, ["diesel", "engine", "towing"], ["Ram", "GMC", "Ford"],
     "Heavy-duty diesel technician; emissions systems and towing setups",
     {(2, 3, 4, 5, 6): [("10:00", "18:00")]}, False),
    ("Ravi Sandhu", "ravi.sandhu@autodoctor.example", None, None, "America/Vancouver", "Surrey", "BC", "V3T 0K3",
     4, 4.3, 41, ["ev", "electrical", "hybrid"], ["Tesla", "Hyundai", "Kia"],
     "EV and hybrid specialist: charging faults, battery health, range worries",
     {(1, 2, 3, 4, 5): [("17:00", "21:00")], (6, 7): [("09:00", "13:00")]}, True),
    ("Chloé Gagnon", "chloe.gagnon@autodoctor.example", None, None, "America/Toronto", "Québec", "QC", "G1R 4P5",
     7, 4.5, 73, ["air conditioning", "electrical", "diagnostics"], ["Nissan", "Mazda", "Honda"],
     "Electrical gremlins, A/C and comfort systems",
     {(1, 2, 3, 4, 5): [("08:30", "12:30")], (3,): [("18:00", "20:00")]}, False),
    ("Tom Whitehorse", "tom.whitehorse@autodoctor.example", None, None, "America/Regina", "Regina", "SK",
     "S4P 3Y2", 22, 5.0, 301, ["engine", "transmission", "diagnostics"], ["Chevrolet", "GMC", "Toyota"],
     "Thirty years under the hood; pre-purchase inspections over video",
     {(1, 2, 3, 4, 5): [("08:00", "12:00"), ("13:00", "16:00")]}, False),
    ("Sofia Marchetti", "sofia.marchetti@autodoctor.example", None, None, "America/Toronto", "Ottawa", "ON",
     "K1S 3W2", 3, 4.1, 19, ["maintenance", "brakes", "tires"], ["Hyundai", "Kia", "Toyota"],
     "New-driver friendly: maintenance schedules and what a quote really means",
     {(1, 3, 5): [("18:00", "22:00")], (7,): [("11:00", "16:00")]}, False),
    ("Nathan Brooks", "nathan.brooks@autodoctor.example", None, None, "America/Halifax", "Moncton", "NB",
     "E1C 4M3", 12, 4.4, 96, ["rust", "suspension", "exhaust"], ["Ford", "Honda", "Subaru"],
     "Maritime rust and undercarriage problems, exhaust and suspension",
     {(2, 4): [("09:00", "17:00")], (6,): [("09:00", "12:00")]}, False),
    ("Leila Haddad", "leila.haddad@autodoctor.example", None, None, "America/Toronto", "Mississauga", "ON",
     "L5B 2C9", 8, 4.8, 122, ["european", "electrical", "diagnostics"], ["BMW", "Mercedes-Benz", "Audi"],
     "German-car specialist: coding, warning lights and electrical faults",
     {(1, 2, 3, 4): [("12:00", "20:00")]}, False),
    ("Jordan Lee", "jordan.lee@autodoctor.example", None, None, "America/St_Johns", "St. John's", "NL",
     "A1C 5M2", 5, 3.9, 27, ["maintenance", "brakes", "cooling"], ["Toyota", "Nissan", "Ford"],
     "Cooling systems, brakes and everyday maintenance",
     {(1, 2, 3, 4, 5): [("09:00", "13:00")]}, False),
    # Queen West Auto Care (Toronto): employees and a contractor; the workshop's hours are their hours
    ("Miguel Santos", "miguel.santos@queenwestauto.example", "toronto", "employee", "America/Toronto", "Toronto",
     "ON", "M6J 1G3", 10, 4.7, 133, ["engine", "brakes", "diagnostics"], ["Honda", "Acura", "Toyota"],
     "Lead technician at Queen West Auto Care", {}, True),
    ("Grace Kim", "grace.kim@queenwestauto.example", "toronto", "employee", "America/Toronto", "Toronto", "ON",
     "M6J 1G3", 5, 4.5, 58, ["electrical", "hybrid", "maintenance"], ["Hyundai", "Kia", "Toyota"],
     "Hybrid and electrical work at Queen West", {}, False),
    ("Omar Farouk", "omar.farouk@queenwestauto.example", "toronto", "contractor", "America/Toronto", "Toronto",
     "ON", "M6J 1G3", 16, 4.9, 188, ["transmission", "drivetrain"], ["Ford", "Chevrolet", "BMW"],
     "Transmission rebuilds; contractor with Queen West", {}, False),
    ("Ella Novak", "ella.novak@queenwestauto.example", "toronto", "employee", "America/Toronto", "Toronto", "ON",
     "M6J 1G3", 2, None, 0, ["maintenance", "tires"], [], "Apprentice technician, maintenance and tires", {},
     False),
    # Main Street Garage (Vancouver): owned by an independent mechanic, with one employee
    ("Kenji Watanabe", "kenji@mainstreetgarage.example", "vancouver", "owner", "America/Vancouver", "Vancouver",
     "BC", "V5V 3M9", 19, 4.9, 254, ["engine", "diagnostics", "performance"], ["Subaru", "Mazda", "Toyota"],
     "Owner of Main Street Garage; Subaru and Mazda specialist",
     {(1, 2, 3, 4): [("08:00", "16:00")], (5,): [("08:00", "12:00")]}, False),
    ("Aisha Bello", "aisha@mainstreetgarage.example", "vancouver", "employee", "America/Vancouver", "Vancouver",
     "BC", "V5V 3M9", 6, 4.6, 64, ["brakes", "suspension", "alignment"], ["Honda", "Toyota"],
     "Brakes, suspension and alignments at Main Street Garage", {}, False),
    # Harbourside Motors (Halifax): owned by an independent mechanic, with a contractor
    ("Fiona Doucette", "fiona@harboursidemotors.example", "halifax", "owner", "America/Halifax", "Halifax", "NS",
     "B3K 3B4", 13, 4.8, 149, ["diagnostics", "electrical", "rust"], ["Ford", "Chevrolet", "Nissan"],
     "Owner of Harbourside Motors; diagnostics and electrical",
     {(1, 2, 3, 4, 5): [("09:00", "15:00")], (6,): [("10:00", "13:00")]}, True),
    ("Patrick O'Neill", "patrick@harboursidemotors.example", "halifax", "contractor", "America/Halifax",
     "Dartmouth", "NS", "B2Y 4C6", 25, 4.6, 205, ["diesel", "engine", "inspection"], ["Ram", "GMC", "Ford"],
     "Diesel and safety inspections; contractor with Harbourside", {}, False),
    ("Beatriz Alves", "beatriz.alves@autodoctor.example", None, None, "America/Vancouver", "Victoria", "BC",
     "V8W 1P6", 9, 4.7, 110, ["ev", "maintenance", "diagnostics"], ["Tesla", "Volkswagen", "Chevrolet"],
     "EVs and plug-in hybrids; buying-used advice",
     {(2, 3, 4, 5): [("06:00", "10:00")], (7,): [("14:00", "18:00")]}, False),
]

# time off: mechanic email, days from today (first, last), reason
TIME_OFF = [
    ("daniel.okafor@autodoctor.example", 3, 5, "Family event"),
    ("leila.haddad@autodoctor.example", 10, 17, "Vacation"),
    ("kenji@mainstreetgarage.example", 1, 1, "Parts supplier visit"),
    ("tom.whitehorse@autodoctor.example", 20, 24, "Training course"),
]

CUSTOMERS = [
    # name, email, zone, city, province, postal code, phone, vehicles (year, make, model, VIN wmi+vds, km, plate)
    ("Alex Martin", "alex@example.com", "America/Toronto", "Toronto", "ON", "M5V 2T6", "+1 416 555 0101",
     [(2018, "Honda", "Civic", "2HGFC2F5", 84200, "CBXK 214"), (2021, "Toyota", "RAV4", "2T3W1RFV", 31050, "CRTM 882")]),
    ("Jasmine Patel", "jasmine@example.com", "America/Vancouver", "Vancouver", "BC", "V6B 1A1", None,
     [(2016, "Subaru", "Outback", "4S4BSANC", 142000, "KV7 39P")]),
    ("Liam O'Brien", "liam@example.com", "America/Halifax", "Halifax", "NS", "B3H 1A1", "+1 902 555 0133",
     [(2012, "Ford", "F-150", "1FTFW1EF", 238900, "HFL 442")]),
    ("Noor Aziz", "noor@example.com", "America/Edmonton", "Calgary", "AB", "T2P 1J9", None, []),
]
# instant booking off: each booking with them is a request they accept or decline
REQUESTS_ONLY = ["omar.farouk@queenwestauto.example"]

# paid bookings, made as the app makes them (hold, checkout, the test gateway's charge), on the mechanic's n-th
# day with free time from now (so the demo is always current), at the first free start from a local time:
# customer, mechanic, service, plan, n-th day, from, vehicle (index among theirs, None: Just Advice), category, concern
BOOKINGS = [
    ("alex@example.com", "marcus.chen@autodoctor.example", "online", "standard", 0, "10:00", 0, "diagnostic",
     "The check-engine light came on last week; my code reader shows P0420. Is it safe to keep driving?"),
    ("jasmine@example.com", "marcus.chen@autodoctor.example", "online", "premium", 0, "14:00", 0, "diagnostic",
     "The Outback idles rough on cold mornings and the oil light flickers at stops."),
    ("liam@example.com", "marcus.chen@autodoctor.example", "online", "extended", 1, "09:30", 0, "consultation",
     "The shop quoted $2,400 for a cam phaser job on the F-150. I would like a second opinion first."),
    ("alex@example.com", "miguel.santos@queenwestauto.example", "in_person", "extended", 1, "11:00", 1, "repair",
     "Grinding from the front left wheel of the RAV4 when braking; worse after rain."),
    ("noor@example.com", "miguel.santos@queenwestauto.example", "in_person", "standard", 2, "15:00", None,
     "inspection", "Pre-purchase inspection of a 2017 Mazda3 a seller will bring to the shop."),
    ("alex@example.com", "omar.farouk@queenwestauto.example", "in_person", "premium", 2, "09:00", 0, "repair",
     "The Civic's automatic slips between second and third gear when it is warm."),
]
# a customer in the middle of checkout: a 15-minute hold (customer, mechanic, service, plan, n-th day, from)
HOLDS = [("noor@example.com", "marcus.chen@autodoctor.example", "online", "standard", 1, "15:00")]

FAVORITES = [("alex@example.com", "marcus.chen@autodoctor.example"),
             ("alex@example.com", "miguel.santos@queenwestauto.example"),
             ("jasmine@example.com", "kenji@mainstreetgarage.example")]


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


def seed(dsn):
    password_hash = generate_password_hash(DEMO_PASSWORD)
    with psycopg.connect(dsn) as conn:
        today = conn.execute("select (app.app_now() at time zone 'America/Toronto')::date").fetchone()[0]
        admin_id = _staff(conn, "admin", "admin@autodoctor.example", password_hash, "Morgan Ellis", "America/Toronto")
        workshops = {w["key"]: _workshop(conn, w, password_hash) for w in WORKSHOPS}
        mechanics = {m[1]: _mechanic(conn, m, workshops, password_hash) for m in MECHANICS}
        for email, first, last, reason in TIME_OFF:
            conn.execute("insert into app.mechanic_time_off (mechanic_id, start_date, end_date, reason) "
                         "values (%s, %s, %s, %s)",
                         [mechanics[email], today + dt.timedelta(first), today + dt.timedelta(last), reason])
        customers = {c[1]: _customer(conn, c, password_hash, serial) for serial, c in enumerate(CUSTOMERS)}
        for customer, mechanic in FAVORITES:
            conn.execute("insert into app.favorites (customer_id, mechanic_id) values (%s, %s)",
                         [customers[customer], mechanics[mechanic]])
        conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = any (%s)",
                     [[mechanics[email] for email in REQUESTS_ONLY]])
        gateway = payments.TestGateway()
        for customer, mechanic, service, plan, nth_day, earliest, vehicle, category, concern in BOOKINGS:
            hold = _hold(conn, customers[customer], mechanics[mechanic], service, plan, nth_day, earliest)
            _pay(conn, gateway, customers[customer], hold, plan, vehicle, category, concern)
        for customer, mechanic, service, plan, nth_day, earliest in HOLDS:
            _hold(conn, customers[customer], mechanics[mechanic], service, plan, nth_day, earliest)
    return admin_id


def _staff(conn, role, email, password_hash, name, zone, workshop_id=None, partnership=None):
    return conn.execute(
        "select app.create_staff_account(p_role => %s, p_email => %s, p_password_hash => %s, p_name => %s, "
        "p_timezone => %s, p_workshop_id => %s, p_partnership_type => %s)",
        [role, email, password_hash, name, zone, workshop_id, partnership]).fetchone()[0]


def _workshop(conn, w, password_hash):
    workshop_id = conn.execute(
        "insert into app.workshops (name, street, city, province, postal_code, timezone, phone) "
        "values (%s, %s, %s, %s, %s, %s, %s) returning id",
        [w["name"], w["street"], w["city"], w["province"], w["postal_code"], w["timezone"], w["phone"]]).fetchone()[0]
    opens, closes, break_start, break_end = w["weekday"]
    for weekday in WEEKDAYS:
        if weekday <= 5:
            hours = (False, opens, closes, break_start, break_end)
        elif weekday == 6 and w["saturday"]:
            hours = (False, *w["saturday"], None, None)
        else:
            hours = (True, None, None, None, None)
        conn.execute("insert into app.workshop_availability (workshop_id, weekday, is_closed, opens_at, closes_at, "
                     "break_start, break_end, capacity) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                     [workshop_id, weekday, *hours, w["capacity"]])
    _staff(conn, "workshop_admin", w["admin"][1], password_hash, w["admin"][0], w["timezone"], workshop_id)
    return workshop_id


def _mechanic(conn, m, workshops, password_hash):
    (name, email, workshop, partnership, zone, city, province, postal_code, years, rating, rating_count,
     specialties, brands, headline, blocks, online) = m
    mechanic_id = _staff(conn, "mechanic", email, password_hash, name, zone, workshops.get(workshop), partnership)
    conn.execute(
        "update app.mechanics set city = %s, province = %s, postal_code = %s, years_experience = %s, rating = %s, "
        "rating_count = %s, specialties = %s, brands = %s, headline = %s, currently_on_shift = %s, "
        "last_seen_at = app.app_now() - case when %s then interval '0' else interval '3 hours' end where id = %s",
        [city, province, postal_code, years, rating, rating_count, specialties, brands, headline, online, online,
         mechanic_id])
    for weekdays, spans in blocks.items():
        for weekday in weekdays:
            for start, end in spans:
                conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                             "values (%s, %s, %s, %s)", [mechanic_id, weekday, start, end])
    return mechanic_id


def _customer(conn, c, password_hash, serial):
    name, email, zone, city, province, postal_code, phone, vehicles = c
    customer_id = conn.execute(
        "select app.sign_up_customer(p_email => %s, p_password_hash => %s, p_name => %s, p_timezone => %s, "
        "p_city => %s, p_province => %s, p_postal_code => %s, p_phone => %s)",
        [email, password_hash, name, zone, city, province, postal_code, phone]).fetchone()[0]
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


def _pay(conn, gateway, customer, hold, plan, vehicle, category, concern):
    """Checkout of a hold with a test card, the gateway's answer applied: the session is born (SPEC §9)."""
    vehicles = [row[0] for row in conn.execute("select id from app.vehicles where customer_id = %s order by id", [customer])]
    payment = conn.cursor(row_factory=dict_row).execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => %s, "
        "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, p_advice_only => %s, "
        "p_concern_category => %s, p_concern => %s, p_intake => %s)",
        [customer, plan, hold, None if vehicle is None else vehicles[vehicle], vehicle is None, category, concern,
         Jsonb({"reminders": ["24h", "1h", "15min"]})]).fetchone()
    intent = gateway.charge(amount_cents=payment["amount_cents"], currency=payment["currency"],
                            payment_method=payment["payment_method"], idempotency_key=payment["idempotency_key"],
                            metadata={"payment_id": payment["id"]}, description=f"Auto Doctor {plan} (scheduled)")
    conn.execute("select app.apply_payment_intent(%s, %s)", [Jsonb(intent), payment["id"]])
