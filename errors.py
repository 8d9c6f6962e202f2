"""What users are told when the database refuses something: listed once, here.

CODES are the project's own SQLSTATEs, raised by sql/functions/*.sql (`raise exception using errcode = ...`).
Their first two letters give the HTTP status:
    UV bad input (400) · UP not allowed for this account (403) · UN not found or not yours (404: the same
    answer for both, so ids cannot be probed) · UC conflict (409) · UR refused by a rule (422) ·
    UL too many attempts (429).
CONSTRAINTS name the field a constraint guards and the message shown next to it; the HTTP status of a
constraint comes from its SQLSTATE class (unique and exclusion: 409, other integrity and data errors: 400).
"""

STATUS_BY_CLASS = {"UV": 400, "UP": 403, "UN": 404, "UC": 409, "UR": 422, "UL": 429}

CODES = {
    "UV001": "Please correct the highlighted field.",
    "UV002": "That vehicle year is not possible.",
    "UV003": "That plan is not on sale. Choose standard, extended or premium.",
    "UV004": "The end date must be on or after the start date.",
    "UV005": "Ask for at most 62 days at a time.",
    "UV006": "That time zone is not one we know. Use an IANA name such as America/Toronto.",
    "UV007": "A slot must end after it starts, within 8 hours.",
    "UV008": "A brand specialist request needs the vehicle's make.",
    "UV009": "Describe the concern in at least 10 characters (5 when it is urgent).",
    "UV010": "Choose a vehicle, or Just Advice.",
    "UV011": "Pick a time first: a scheduled session needs a held slot.",
    "UV012": "Enter a card: your account credit does not cover the whole amount.",
    "UV013": "Draw your signature or type your full name.",
    "UV014": "Only photos (JPEG, PNG, GIF, WebP) and videos (MP4, MOV, WebM) can be attached.",
    "UV015": "Attach at most 5 photos or videos.",
    "UP001": "Your account cannot do that.",
    "UN001": "We could not find that, or it is not yours.",
    "UN002": "There is no such mechanic.",
    "UN003": "We have no payment or refund matching that.",
    "UC001": "That time was just taken. Here are the nearest free times.",
    "UC002": "You already have a booking at that time.",
    "UC003": "Another mechanic has already taken this request.",
    "UC004": "You already have a live session request. Finish or cancel it first.",
    "UR001": "That change is not possible for this session now.",
    "UR002": "That time is not available.",
    "UR003": "Your hold on that time has expired. Please pick the time again.",
    "UR004": "This request was not offered to you.",
    "UR005": "A published version (of the cancellation policy or the waiver) cannot change: add a new version.",
    "UR006": "The payment does not match what was charged.",
    "UR007": "A no-show can be marked from 10 minutes after the start.",
    "UR008": "The waiver can be signed from 1 hour before the start.",
    "UR009": "The session opens 15 minutes before its start.",
    "UR010": "Sign the waiver first: a session needs it.",
    "UR011": "A session can be moved until 2 hours before its start. Cancel it instead?",
    "UL001": "Too many attempts to log in. Please wait 15 minutes and try again.",
}

CONSTRAINTS = {
    "users_email_key": ("email", "An account with this email already exists. Log in instead?"),
    "users_email_format": ("email", "Enter a valid email address."),
    "users_name_present": ("name", "Enter a name of 1 to 120 characters."),
    "users_phone_format": ("phone", "Enter a phone number of 7 to 20 digits."),
    "users_timezone_fkey": ("timezone", "Pick a time zone from the list."),
    "customers_postal_code_format": ("postal_code", "Enter a postal code like M5V 2T6, or a US ZIP code."),
    "customers_city_length": ("city", "Enter a city of at most 80 characters."),
    "customers_province_length": ("province", "Enter a province or state."),
    "customers_country_check": ("country", "Auto Doctor serves Canada and the United States."),
    "vehicles_year_range": ("year", "That vehicle year is not possible."),
    "vehicles_make_present": ("make", "Enter the make, for instance Toyota."),
    "vehicles_model_present": ("model", "Enter the model, for instance Corolla."),
    "vehicles_vin_valid": ("vin", "That VIN is not valid: 17 letters and digits (no I, O or Q) with a correct check digit."),
    "vehicles_vin_unique": ("vin", "You already saved a vehicle with this VIN."),
    "vehicles_odometer_range": ("odometer_km", "Enter the odometer in kilometres, 0 to 2,000,000."),
    "vehicles_plate_format": ("plate", "Enter the plate as letters, digits, spaces or dashes (at most 10)."),
    "sessions_one_active_immediate": ("kind", "You already have a live session request. Finish or cancel it first."),
    "slot_reservations_no_overlap": ("start", "That time was just taken. Here are the nearest free times."),
    "slot_reservations_customer_no_overlap": ("start", "You already have a booking at that time."),
    "mechanic_availability_no_overlap": ("start_time", "This block overlaps another block on the same day."),
    "mechanic_availability_order": ("end_time", "The block must end after it starts."),
    "mechanic_time_off_order": ("end_date", "Time off must end on or after its first day."),
    "workshop_availability_hours": ("closes_at", "Closing time must be after opening time."),
    "workshop_availability_break": ("break_start", "The break must lie inside opening hours and end after it starts."),
    "customer_waitlist_one_pending": ("plan", "You are already on the waitlist: we will tell you when a mechanic comes online."),
    "waiver_signatures_typed_name_length": ("typed_name", "Type your full name (2 to 120 characters)."),
    "waiver_signatures_png": ("signature", "That drawing could not be read. Draw again, or type your name."),
    "attachments_size_limit": ("files", "Photos can be up to 10 MB and videos up to 50 MB."),
    "attachments_filename_length": ("files", "That file name is too long."),
    "booking_drafts_data_object": ("data", "That is more than a booking can hold. Please shorten it."),
    "mechanics_timezone_fkey": ("timezone", "Pick a time zone from the list."),
    "workshops_timezone_fkey": ("timezone", "Pick a time zone from the list."),
}

GENERIC_BAD_INPUT = "Some of what was sent is not valid. Please check it and try again."
