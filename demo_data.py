"""The demo world's data, as plain literals: who is in it, what they booked, and what the eight weeks of
history are made of (how often people book, when, what becomes of a booking, what they write). demo.py builds
the world from it through the product's functions; README.md lists the logins.
"""

DEMO_PASSWORD = "autodoctor-demo"  # every login's

# --- The present world ------------------------------------------------------------------------------------------

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
# a minimum notice of one hour instead of the default two: they take bookings at short notice
SHORT_NOTICE = ["ravi.sandhu@autodoctor.example", "sofia.marchetti@autodoctor.example",
                "beatriz.alves@autodoctor.example"]

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

# --- The past weeks ---------------------------------------------------------------------------------------------
# what demo.py's walk through the eight weeks before today draws from (see "The past weeks" there)

HISTORY_DAYS = 56
HISTORY_SEED = 15  # the walk is the same every time for a given today

# customers of the past weeks: name, email, zone, city, province, postal code, phone, vehicles (as CUSTOMERS)
PAST_CUSTOMERS = [
    ("Ben Carter", "ben.carter@example.com", "America/Toronto", "Toronto", "ON", "M4E 1A1", "+1 416 555 0150",
     [(2019, "Mazda", "CX-5", "JM3KFBDM", 61200, "CBNM 402")]),
    ("Sara Nguyen", "sara.nguyen@example.com", "America/Toronto", "Toronto", "ON", "M6H 2P4", None,
     [(2020, "Toyota", "Corolla", "2T1BURHE", 45800, "CDLR 117")]),
    ("Daniel Rossi", "daniel.rossi@example.com", "America/Toronto", "Toronto", "ON", "M6G 1K8", "+1 416 555 0163",
     [(2015, "Ford", "Escape", "1FMCU9GD", 168300, "BXRT 559"), (2022, "Hyundai", "Ioniq 5", "KM8KRDAF", 22400, "CKPW 730")]),
    ("Priya Shah", "priya.shah@example.com", "America/Toronto", "Mississauga", "ON", "L5M 4Z5", None,
     [(2017, "Honda", "CR-V", "2HKRW2H8", 121000, "CAJD 846")]),
    ("Owen MacDonald", "owen.macdonald@example.com", "America/Toronto", "Toronto", "ON", "M4L 3T2", None,
     [(2011, "Chevrolet", "Silverado", "1GCUYDED", 242000, "AT52 217")]),
    ("Fatima Hassan", "fatima.hassan@example.com", "America/Toronto", "Toronto", "ON", "M5T 1R9", "+1 647 555 0178",
     [(2018, "Nissan", "Rogue", "JN8AT2MV", 98700, "CBWE 361")]),
    ("Emily Wong", "emily.wong@example.com", "America/Toronto", "Toronto", "ON", "M5R 2E3", None,
     [(2021, "Tesla", "Model 3", "5YJ3E1EA", 38900, "CMDX 218")]),
    ("Marco DeLuca", "marco.deluca@example.com", "America/Toronto", "Vaughan", "ON", "L4L 8N6", None,
     [(2014, "BMW", "328i", "WBA5R1C5", 176000, "BVKM 650")]),
    ("Grace Okonkwo", "grace.okonkwo@example.com", "America/Toronto", "Toronto", "ON", "M3H 5T8", None, []),
    ("Ryan Kowalczyk", "ryan.kowalczyk@example.com", "America/Toronto", "Hamilton", "ON", "L8P 4R5", None,
     [(2013, "Dodge", "Grand Caravan", "2C4RDGBG", 201400, "BHTN 337")]),
    ("Mei Lin", "mei.lin@example.com", "America/Toronto", "Markham", "ON", "L3R 9W5", "+1 905 555 0121",
     [(2019, "Lexus", "RX 350", "2T2BZMCA", 72100, "CAFV 981")]),
    ("Mohammed Ali", "mohammed.ali@example.com", "America/Toronto", "Ottawa", "ON", "K2P 0K5", None,
     [(2019, "Kia", "Sorento", "5XYPG4A3", 77000, "CFHR 310")]),
    ("Ethan Clarke", "ethan.clarke@example.com", "America/Vancouver", "Vancouver", "BC", "V5L 3X2", None,
     [(2018, "Subaru", "Forester", "JF2SKAEC", 93300, "LK4 81T")]),
    ("Harpreet Gill", "harpreet.gill@example.com", "America/Vancouver", "Surrey", "BC", "V3W 1H2", "+1 604 555 0191",
     [(2016, "Toyota", "Tacoma", "3TMCZ5AN", 154600, "RD3 02M")]),
    ("Chloe Martin", "chloe.martin@example.com", "America/Vancouver", "Burnaby", "BC", "V5H 2E6", None,
     [(2020, "Kia", "Niro", "KNDCE3LC", 51700, "SJ7 44K")]),
    ("Jun Park", "jun.park@example.com", "America/Vancouver", "Vancouver", "BC", "V6K 2G8", None,
     [(2017, "Mazda", "Mazda3", "JM1BN1U7", 104300, "MF8 27B")]),
    ("Olivia Thompson", "olivia.thompson@example.com", "America/Vancouver", "North Vancouver", "BC", "V7L 1B5", None,
     [(2012, "Honda", "Civic", "2HGFB2F5", 188000, "EP9 12W")]),
    ("Amir Rahimi", "amir.rahimi@example.com", "America/Vancouver", "Richmond", "BC", "V6X 1A6", None,
     [(2022, "Tesla", "Model Y", "7SAYGDEE", 19800, "RB5 63N")]),
    ("Nicole Fraser", "nicole.fraser@example.com", "America/Vancouver", "Vancouver", "BC", "V5Z 1M9", None,
     [(2015, "Volkswagen", "Tiguan", "3VV2B7AX", 139000, "KX2 98P")]),
    ("Kevin Lau", "kevin.lau@example.com", "America/Vancouver", "Vancouver", "BC", "V6B 3K9", None, []),
    ("Connor Murphy", "connor.murphy@example.com", "America/Halifax", "Halifax", "NS", "B3H 2Y9", "+1 902 555 0144",
     [(2014, "Ford", "F-150", "1FTFW1EF", 219000, "FJK 318")]),
    ("Emma Boudreau", "emma.boudreau@example.com", "America/Halifax", "Dartmouth", "NS", "B2W 3N2", None,
     [(2019, "Chevrolet", "Equinox", "2GNAXUEV", 84500, "GBH 726")]),
    ("Isaac MacKinnon", "isaac.mackinnon@example.com", "America/Halifax", "Halifax", "NS", "B3L 2C4", None,
     [(2010, "Toyota", "Corolla", "2T1BU4EE", 251000, "EZR 904")]),
    ("Ava LeBlanc", "ava.leblanc@example.com", "America/Halifax", "Bedford", "NS", "B4A 1E4", None,
     [(2021, "Hyundai", "Elantra", "KMHLM4AG", 31200, "HAD 552")]),
    ("Jacob Sampson", "jacob.sampson@example.com", "America/Halifax", "Halifax", "NS", "B3K 5X5", None,
     [(2017, "Ram", "1500", "1C6RR7LT", 132000, "FTN 417")]),
    ("Zoe Morrison", "zoe.morrison@example.com", "America/Halifax", "Halifax", "NS", "B3J 1T2", None, []),
    ("Camille Roy", "camille.roy@example.com", "America/Toronto", "Montréal", "QC", "H2J 2L1", None,
     [(2018, "Audi", "Q5", "WA1BNAFY", 87500, "F45 KPR")]),
    ("Julien Côté", "julien.cote@example.com", "America/Toronto", "Québec", "QC", "G1R 2B5", None,
     [(2015, "Subaru", "Impreza", "JF1GPAA6", 158000, "G73 DHN")]),
    ("Tyler Johnson", "tyler.johnson@example.com", "America/Edmonton", "Calgary", "AB", "T2N 1N4", None,
     [(2017, "GMC", "Sierra", "3GTU2NEC", 166000, "CKR 4412")]),
    ("Jessica Kaur", "jessica.kaur@example.com", "America/Edmonton", "Edmonton", "AB", "T5K 0L3", None,
     [(2020, "Toyota", "RAV4", "2T3W1RFV", 63000, "CHT 8821")]),
    ("Noah Friesen", "noah.friesen@example.com", "America/Winnipeg", "Winnipeg", "MB", "R3M 2S1", None,
     [(2013, "Chevrolet", "Cruze", "1G1PC5SB", 197000, "JCW 112")]),
    ("Megan Power", "megan.power@example.com", "America/St_Johns", "St. John's", "NL", "A1C 2T3", None,
     [(2016, "Honda", "Civic", "2HGFC2F5", 118000, "HKT 221")]),
    ("Dylan Whitford", "dylan.whitford@example.com", "America/Regina", "Regina", "SK", "S4S 0A2", None,
     [(2012, "Ford", "Focus", "1FAHP3F2", 203000, "512 KTP")]),
    ("Sophie Girard", "sophie.girard@example.com", "America/Toronto", "Gatineau", "QC", "J8X 3X2", None, []),
]
# the customers a workshop sees in person: those of its province
WORKSHOP_PROVINCE = {"toronto": "ON", "vancouver": "BC", "halifax": "NS"}

# scheduled bookings a day a mechanic with time that day gets, on average (before the weekday and the growth)
DEMAND = {
    "marcus.chen@autodoctor.example": 1.2, "amelie.tremblay@autodoctor.example": 0.3,
    "daniel.okafor@autodoctor.example": 0.2, "hannah.kowalski@autodoctor.example": 0.2,
    "ravi.sandhu@autodoctor.example": 0.35, "chloe.gagnon@autodoctor.example": 0.15,
    "tom.whitehorse@autodoctor.example": 0.3, "sofia.marchetti@autodoctor.example": 0.25,
    "nathan.brooks@autodoctor.example": 0.15, "leila.haddad@autodoctor.example": 0.25,
    "jordan.lee@autodoctor.example": 0.1, "miguel.santos@queenwestauto.example": 1.0,
    "grace.kim@queenwestauto.example": 0.3, "omar.farouk@queenwestauto.example": 0.25,
    "ella.novak@queenwestauto.example": 0.15, "kenji@mainstreetgarage.example": 0.9,
    "aisha@mainstreetgarage.example": 0.3, "fiona@harboursidemotors.example": 0.5,
    "patrick@harboursidemotors.example": 0.25, "beatriz.alves@autodoctor.example": 0.25,
}
WEEKDAY_DEMAND = {1: 1.15, 2: 1.0, 3: 1.0, 4: 1.05, 5: 0.9, 6: 1.2, 7: 0.8}
# the chance that a mechanic goes online for a while on a day they work (Book Now and the waitlist need them)
SHIFTS = {
    "marcus.chen@autodoctor.example": 0.85, "amelie.tremblay@autodoctor.example": 0.7,
    "ravi.sandhu@autodoctor.example": 0.8, "miguel.santos@queenwestauto.example": 0.7,
    "fiona@harboursidemotors.example": 0.7, "kenji@mainstreetgarage.example": 0.6,
    "tom.whitehorse@autodoctor.example": 0.6, "leila.haddad@autodoctor.example": 0.7,
    "beatriz.alves@autodoctor.example": 0.6, "hannah.kowalski@autodoctor.example": 0.6,
    "grace.kim@queenwestauto.example": 0.4, "daniel.okafor@autodoctor.example": 0.5,
    "sofia.marchetti@autodoctor.example": 0.7, "chloe.gagnon@autodoctor.example": 0.5,
    "nathan.brooks@autodoctor.example": 0.5, "aisha@mainstreetgarage.example": 0.4,
    "jordan.lee@autodoctor.example": 0.4, "patrick@harboursidemotors.example": 0.4,
}
BOOK_NOW_PER_DAY = 1.8
# when people press Book Now (Toronto's hour): early and late too, when few mechanics are online
BOOK_NOW_HOURS = {7: 5, 8: 7, 9: 6, 10: 6, 11: 6, 12: 7, 13: 6, 14: 5, 15: 5, 16: 5, 17: 6, 18: 7, 19: 7, 20: 7,
                  21: 5, 22: 4, 23: 2}
# when people book (their local hour), and how far ahead: weight, hours from, hours to
BOOKING_HOURS = {7: 2, 8: 4, 9: 5, 10: 5, 11: 5, 12: 7, 13: 6, 14: 4, 15: 4, 16: 4, 17: 5, 18: 6, 19: 8, 20: 9,
                 21: 8, 22: 5, 23: 2}
LEAD_HOURS = [(25, 1, 2), (25, 2, 22), (27, 24, 72), (25, 72, 168), (15, 168, 336)]  # 1-2 h: SHORT_NOTICE only
PLAN_WEIGHTS = {"online": {"standard": 5, "extended": 3, "premium": 2},
                "in_person": {"standard": 3, "extended": 4, "premium": 3}}
CATEGORY_WEIGHTS = {"online": {"diagnostic": 5, "consultation": 3, "repair": 2, "maintenance": 2, "inspection": 1},
                    "in_person": {"repair": 5, "maintenance": 4, "inspection": 2, "diagnostic": 3}}
# what becomes of a scheduled booking once paid (a tier that its timing does not allow completes instead)
OUTCOMES = {"online": {"complete": 72, "no_show": 6, "early": 7, "mid": 5, "late": 4, "mechanic_late": 2.5,
                       "mechanic_early": 3.5},
            "in_person": {"complete": 74, "no_show": 6, "early": 7, "mid": 5, "late": 3, "workshop": 5}}
CONCERNS = {
    "diagnostic": [
        "The check-engine light is on and the engine hesitates when I merge onto the highway.",
        "The battery light flickers at idle and the car started slowly twice this week.",
        "ABS and traction control lights came on together after I hit a pothole.",
        "Rough idle and a smell of fuel after cold starts.",
        "A whining noise that rises with engine speed, worse with the A/C on.",
        "The car pulls to the right and the steering wheel shakes above 90 km/h.",
    ],
    "repair": [
        "Squealing brakes and a softer pedal than usual; I think the pads are done.",
        "Coolant drips under the front of the car after it sits overnight.",
        "A clunk from the rear suspension over speed bumps.",
        "The exhaust got loud this week and rattles underneath at idle.",
        "The driver's power window stopped halfway and makes a grinding sound.",
    ],
    "maintenance": [
        "Due for an oil change and the tire swap; what else is due at this mileage?",
        "What should the 100,000 km service include, and what can wait?",
        "Getting ready for winter: battery test, coolant, wipers and snow tires.",
        "The dealer says the transmission fluid needs a flush. Is it worth it?",
    ],
    "inspection": [
        "Pre-purchase inspection of a used car I am looking at this weekend.",
        "A safety inspection before I transfer the ownership.",
        "Rust check of the underbody and brake lines before winter.",
    ],
    "consultation": [
        "Two quotes for the same brake job differ by $600. Which one makes sense?",
        "Is it worth fixing a 12-year-old car with a slipping transmission, or is it time to sell?",
        "Thinking about an EV for a long winter commute; what should I look out for?",
        "Which tires for mostly highway driving in a snowy city?",
    ],
}
SUMMARIES = {
    "diagnostic": [
        "Read the codes together: a lean condition on bank 1. Most likely a vacuum leak at the intake boot; "
        "check it before replacing any sensor.",
        "Weak battery (12.1 V at rest) and a healthy alternator output. Replace the battery; no need for more.",
        "Wheel speed sensor on the front left is the likely cause. Safe to drive carefully; book the repair soon.",
        "Sounds like the power steering pump. Top up the fluid, and have the belt and pump looked at this month.",
    ],
    "repair": [
        "Pads are at 2 mm and the rotors are scored: replace both on the front axle. Fair price is $350-450.",
        "The leak is from the lower radiator hose clamp. Cheap fix; do not drive far until it is done.",
        "Worn sway bar links on the rear. Not urgent, but replace them with the next service.",
        "A window regulator, not the motor: the part is about $90 and an hour of work.",
    ],
    "maintenance": [
        "Oil change and tire rotation are due; the cabin filter can wait until spring.",
        "At this mileage: spark plugs, coolant and brake fluid. The transmission flush is optional.",
        "Nothing urgent: follow the maintenance schedule and check the tire pressure monthly in winter.",
    ],
    "inspection": [
        "On video: no frame rust, two tires near the limit, a small oil seep at the valve cover. A fair buy at the "
        "asking price less the tires.",
        "The brake lines show surface rust only; have them checked on a lift at the next safety inspection.",
    ],
    "consultation": [
        "The cheaper quote leaves out the rotors, which do need replacing: compare like with like.",
        "A repair costs more than the car is worth; sell it as is and budget for a newer one.",
        "Winter tires on their own rims, and a block heater if you park outside.",
    ],
}
CUSTOMER_REASONS = ["Something came up at work.", "A shop nearby could take the car today.",
                    "The problem went away after a restart.", "I need to pick another day, sorry.", None]
MECHANIC_REASONS = ["A family emergency: sorry for the short notice.", "I am sick today.",
                    "My previous appointment is running long."]
WORKSHOP_REASONS = ["Our lift is out of service that day.", "The technician for this job is off sick.",
                    "The parts for this job will not arrive in time."]
DECLINE_REASONS = ["We have no transmission bay free that week; please try another day.",
                   "This job needs a dealer's tools; we cannot take it."]
USER_AGENTS = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1",
               "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
               "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"]
