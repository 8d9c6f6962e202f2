"""The SQL under the customer pages: waivers (SPEC §12), joining, rescheduling, the waitlist (§10), wizard
drafts, uploads typed by their content, favorites, my appointments, and the notifications they queue (§14)."""
from datetime import timedelta

import psycopg
import pytest

from availability_world import local
from conftest import NOW
from support import refused, set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5"
                    "e1e5a40000000049454e44ae426082")


def call(world, sql, params=()):
    return world.conn.execute(sql, params).fetchone()


def sign(world, customer, session=None, typed="Casey Customer", png=None):
    return world.value("select app.sign_waiver(p_actor => %s, p_session => %s, p_signature_png => %s, p_typed_name => %s, "
                       "p_ip => '203.0.113.9', p_user_agent => 'pytest')", [customer, session, png, typed])


def appointment(world, customer, session):
    return call(world, "select * from app.my_appointments(%s, %s)", [customer, session])


@pytest.fixture
def booked(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    return customer, mechanic, world.book(customer, mechanic, START)


# --- waivers ---------------------------------------------------------------------------------------------

def test_the_waiver_opens_one_hour_before_and_records_who_how_and_where(world, booked):
    customer, _, session = booked
    set_clock(world, START - timedelta(hours=1, seconds=1))
    refused(world, "UR008", "select app.sign_waiver(p_actor => %s, p_session => %s, p_typed_name => 'Casey')", customer, session)
    assert not appointment(world, customer, session)["can_sign_waiver"]
    set_clock(world, START - timedelta(hours=1))
    assert appointment(world, customer, session)["can_sign_waiver"]
    signature = sign(world, customer, session, typed=None, png=PNG)
    row = call(world, "select * from app.waiver_signatures where id = %s", [signature])
    assert (row["customer_id"], row["session_id"], row["version"], row["mode"], str(row["ip"]), row["user_agent"],
            bytes(row["signature_png"])) == (customer, session, 1, "online", "203.0.113.9", "pytest", PNG)
    assert appointment(world, customer, session)["waiver_on_file"]


def test_a_signature_of_the_current_version_is_reused_for_thirty_days(world):
    customer = world.customer()
    first = sign(world, customer)
    set_clock(world, NOW + timedelta(days=29))
    assert sign(world, customer) == first
    set_clock(world, NOW + timedelta(days=30, seconds=1))
    assert call(world, "select * from app.my_waiver(%s)", [customer])["on_file"] is False
    assert sign(world, customer) != first
    assert world.value("select count(*) from app.waiver_signatures where customer_id = %s", [customer]) == 2


def test_a_new_waiver_version_needs_a_new_signature_and_old_versions_are_frozen(world):
    customer = world.customer()
    sign(world, customer)
    world.conn.execute("insert into app.waiver_versions (version, title, body, service_type, published_at) "
                       "select max(version) + 1, 'v2', 'New words.', 'online', %s from app.waiver_versions", [NOW])
    assert call(world, "select * from app.my_waiver(%s)", [customer])["on_file"] is False
    refused(world, "UR005", "update app.waiver_versions set body = 'edited' where version = 1")


@pytest.mark.parametrize("png, typed, sqlstate", [
    (None, None, "UV013"), (None, "   ", "UV013"), (PNG, "Casey", "UV013"),
    (b"not a png at all, just some text bytes......................................", None, "23514"),
    (None, "C", "23514"),
])
def test_a_signature_is_a_real_drawing_or_a_typed_name(world, png, typed, sqlstate):
    customer = world.customer()
    error = refused(world, sqlstate, "select app.sign_waiver(p_actor => %s, p_signature_png => %s, p_typed_name => %s)",
                    customer, png, typed)
    assert world.value("select count(*) from app.waiver_signatures") == 0
    if sqlstate == "23514":
        assert error.diag.constraint_name in ("waiver_signatures_png", "waiver_signatures_typed_name_length")


def test_nobody_signs_for_another_customers_session(world, booked):
    _, _, session = booked
    set_clock(world, START - timedelta(minutes=30))
    refused(world, "UN001", "select app.sign_waiver(p_actor => %s, p_session => %s, p_typed_name => 'Mallory')",
            world.customer(), session)


# --- joining ---------------------------------------------------------------------------------------------

def test_joining_opens_fifteen_minutes_before_and_needs_the_waiver(world, booked):
    customer, _, session = booked
    set_clock(world, START - timedelta(minutes=15, seconds=1))
    refused(world, "UR009", "select app.join_session(%s, %s)", customer, session)
    set_clock(world, START - timedelta(minutes=15))
    refused(world, "UR010", "select app.join_session(%s, %s)", customer, session)
    assert not appointment(world, customer, session)["can_join"]
    sign(world, customer, session)
    assert appointment(world, customer, session)["can_join"]
    assert world.value("select app.join_session(%s, %s)", [customer, session]) == "pending"
    assert world.value("select status from app.sessions where id = %s", [session]) == "pending"
    refused(world, "UN001", "select app.join_session(%s, %s)", world.customer(), session)


# --- rescheduling ----------------------------------------------------------------------------------------

def test_rescheduling_moves_the_claim_bumps_the_sequence_and_tells_both_sides(world, booked):
    customer, mechanic, session = booked
    new_start = START + timedelta(minutes=30)  # overlaps its own old time: the old claim steps aside
    moved = call(world, "select * from app.reschedule_session(%s, %s, %s)", [customer, session, new_start])
    assert (moved["starts_at"], moved["calendar_sequence"]) == (new_start, 1)
    row = call(world, "select s.scheduled_for, r.status, r.starts_at from app.sessions s "
                      "join app.slot_reservations r on r.id = s.reservation_id where s.id = %s", [session])
    assert (row["scheduled_for"], row["status"], row["starts_at"]) == (new_start, "confirmed", new_start)
    assert world.value("select count(*) from app.slot_reservations where customer_id = %s and status = 'confirmed'", [customer]) == 1
    told = world.conn.execute("select user_id, payload->>'sequence' as seq from app.outbox "
                              "where template = 'session_rescheduled' order by user_id").fetchall()
    assert sorted((r["user_id"], r["seq"]) for r in told) == sorted([(customer, "1"), (mechanic, "1")])
    assert world.value("select reason from app.session_events where session_id = %s order by id desc limit 1",
                       [session]).startswith("rescheduled from")


def test_rescheduling_into_a_taken_slot_changes_nothing(world, booked):
    customer, mechanic, session = booked
    other_time = START + timedelta(hours=3)
    world.book(world.customer(), mechanic, other_time)
    refused(world, "UC001", "select * from app.reschedule_session(%s, %s, %s)", customer, session, other_time)
    assert world.value("select scheduled_for from app.sessions where id = %s", [session]) == START
    assert world.value("select r.status from app.slot_reservations r join app.sessions s on s.reservation_id = r.id "
                       "where s.id = %s", [session]) == "confirmed"
    assert world.value("select count(*) from app.outbox where template = 'session_rescheduled'") == 0


def test_rescheduling_closes_two_hours_before_the_start(world, booked):
    customer, _, session = booked
    set_clock(world, START - timedelta(hours=2))
    assert appointment(world, customer, session)["can_reschedule"]
    set_clock(world, START - timedelta(hours=2) + timedelta(seconds=1))
    assert not appointment(world, customer, session)["can_reschedule"]
    refused(world, "UR011", "select * from app.reschedule_session(%s, %s, %s)", customer, session, START + timedelta(days=1))
    refused(world, "UN001", "select * from app.reschedule_session(%s, %s, %s)", world.customer(), session, START + timedelta(days=1))


# --- notifications and appointments ------------------------------------------------------------------------

def test_a_booking_tells_the_customer_and_the_mechanic_once_and_resend_is_rate_limited(world, booked):
    customer, mechanic, session = booked
    rows = world.conn.execute("select user_id, template, channel from app.outbox where session_id = %s", [session]).fetchall()
    assert sorted((r["user_id"], r["template"], r["channel"]) for r in rows) == sorted(
        [(customer, "session_booked", "email"), (mechanic, "session_booked", "email")])
    world.conn.execute("select app.resend_confirmation(%s, %s)", [customer, session])
    world.conn.execute("select app.resend_confirmation(%s, %s)", [customer, session])
    assert world.value("select count(*) from app.outbox where session_id = %s and payload ? 'resent'", [session]) == 1
    refused(world, "UN001", "select app.resend_confirmation(%s, %s)", world.customer(), session)


def test_my_appointments_shows_the_money_and_only_my_own(world, booked):
    customer, _, session = booked
    row = appointment(world, customer, session)
    assert (row["status"], row["paid_cents"], row["starts_at"], row["ends_at"] - row["starts_at"], row["can_cancel"]) == (
        "scheduled", 2900, START, timedelta(minutes=30), True)
    refused(world, "UN001", "select * from app.my_appointments(%s, %s)", world.customer(), session)
    assert world.conn.execute("select * from app.my_appointments(%s)", [world.customer()]).fetchall() == []


# --- waitlist --------------------------------------------------------------------------------------------

def test_joining_the_waitlist_queues_a_confirmation_and_holds_one_place(world):
    first, second = world.customer(), world.customer()
    entry = call(world, "select * from app.join_waitlist(%s, 'standard', p_advice_only => true)", [first])
    assert (entry["status"], entry["place_in_line"], entry["expires_at"]) == ("pending", 1, NOW + timedelta(hours=2))
    assert call(world, "select * from app.join_waitlist(%s, 'premium')", [second])["place_in_line"] == 2
    assert world.value("select count(*) from app.outbox where template = 'waitlist_joined' and user_id = %s", [first]) == 1
    error = refused(world, "23505", "select * from app.join_waitlist(%s, 'standard')", first)
    assert error.diag.constraint_name == "customer_waitlist_one_pending"
    assert world.value("select app.leave_waitlist(%s)", [first]) is True
    assert call(world, "select * from app.waitlist_entry(%s)", [second])["place_in_line"] == 1


def test_an_entry_past_two_hours_reads_expired_and_frees_the_customer_to_join_again(world):
    customer = world.customer()
    world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [customer])
    set_clock(world, NOW + timedelta(hours=2))
    assert call(world, "select * from app.waitlist_entry(%s)", [customer])["status"] == "expired"
    assert call(world, "select * from app.join_waitlist(%s, 'standard')", [customer])["status"] == "pending"


def test_the_waitlist_refuses_someone_elses_vehicle(world):
    owner, other = world.customer(), world.customer()
    vehicle = world.value("select app.add_vehicle(%s, 2019, 'Mazda', 'CX-5')", [owner])
    refused(world, "UN001", "select * from app.join_waitlist(%s, 'standard', %s)", other, vehicle)
    assert world.value("select count(*) from app.customer_waitlist") == 0


# --- drafts and uploads ----------------------------------------------------------------------------------

def test_a_draft_keeps_each_answer_forgets_what_a_change_undoes_and_carries_into_scheduling(world):
    customer = world.customer()
    world.conn.execute("select app.draft_choose_plan(%s, 'book', 'extended')", [customer])
    world.conn.execute("select app.draft_choose_location(%s, 'book', null, null, 'all', true)", [customer])
    world.conn.execute("select app.draft_choose_vehicle(%s, 'book', null)", [customer])  # the search is made again
    draft = world.value("select app.draft_describe_concern(%s, 'book', 'brakes', 'Grinding noise when braking')",
                        [customer])
    assert draft == {"plan": "extended", "concern_category": "brakes", "concern": "Grinding noise when braking",
                     "advice_only": True, "city": "", "postal_code": ""}
    carried = world.value("select app.schedule_instead(%s)", [customer])
    # the search stays behind in Book Now, which is forgotten
    assert carried == {**{k: v for k, v in draft.items() if k not in ("city", "postal_code")}, "carried": True}
    assert world.value("select app.my_draft(%s, 'book')", [customer]) == {}
    assert world.value("select app.my_draft(%s, 'schedule')", [customer]) == carried


@pytest.mark.parametrize("data, expected", [
    (PNG, "image/png"), (b"\xff\xd8\xff\xe0" + b"0" * 20, "image/jpeg"), (b"GIF89a" + b"0" * 20, "image/gif"),
    (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"), (b"\0\0\0\x18ftypmp42" + b"0" * 8, "video/mp4"),
    (b"\0\0\0\x14ftypqt  " + b"0" * 8, "video/quicktime"), (b"\x1a\x45\xdf\xa3" + b"0" * 8, "video/webm"),
    (b"%PDF-1.7 not a photo", None), (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
])
def test_uploads_are_typed_by_their_content(world, data, expected):
    assert world.value("select app.media_type(%s)", [data]) == expected


def test_uploads_are_limited_in_type_number_and_size_and_follow_the_booking(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    refused(world, "UV014", "select * from app.add_attachment(%s, 'schedule', 'notes.png', %s)", customer, b"hello, not an image")
    error = refused(world, "23514", "select * from app.add_attachment(%s, 'schedule', 'big.png', %s)",
                    customer, PNG + b"0" * (10 * 1024 * 1024))
    assert error.diag.constraint_name == "attachments_size_limit"
    ids = [world.value("select attachment_id from app.add_attachment(%s, 'schedule', %s, %s)", [customer, f"C:\\photos\\p{n}.png", PNG])
           for n in range(5)]
    refused(world, "UV015", "select * from app.add_attachment(%s, 'schedule', 'six.png', %s)", customer, PNG)
    assert world.value("select filename from app.attachments where id = %s", [ids[0]]) == "p0.png"
    refused(world, "UN001", "select * from app.attachment_for(%s, %s)", world.customer(), ids[0])

    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, START])
    payment = call(world, "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                          "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_advice_only => true, "
                          "p_concern => 'A rattle at idle.', p_intake => %s)",
                   [customer, hold, psycopg.types.json.Jsonb({"attachments": ids[:2]})])
    session = world.charge(payment)["session_id"]
    assert world.value("select count(*) from app.attachments where session_id = %s", [session]) == 2
    assert bytes(call(world, "select * from app.attachment_for(%s, %s)", [mechanic, ids[0]])["data"]) == PNG
    refused(world, "UN001", "select * from app.attachment_for(%s, %s)", mechanic, ids[4])
    world.conn.execute("select app.clear_draft(%s)", [customer])
    assert world.value("select count(*) from app.attachments where customer_id = %s", [customer]) == 2


# --- finding and starring mechanics ---------------------------------------------------------------------

def test_book_now_search_ranks_online_mechanics_and_the_favorites_tab_keeps_favorites(world):
    customer = world.customer()
    online, starred, offline = (world.mechanic() for _ in range(3))
    world.conn.execute("update app.mechanics set currently_on_shift = true, rating = 4.6 where id = %s", [online])
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [starred])
    assert world.value("select app.set_favorite(%s, %s, true)", [customer, starred]) is True
    world.conn.execute("select app.set_favorite(%s, %s, true)", [customer, starred])
    world.conn.execute("select app.set_favorite(%s, %s, true)", [customer, offline])
    found = world.conn.execute("select * from app.find_mechanics_now(%s)", [customer]).fetchall()
    assert [r["mechanic_id"] for r in found] == [online, starred]
    assert "online now +50" in found[0]["reasons"] and found[0]["score"] == 65
    assert [r["mechanic_id"] for r in world.conn.execute("select * from app.find_mechanics_now(%s, 'favorites')", [customer])] == [starred]
    listed = world.conn.execute("select mechanic_id, favorite from app.offline_mechanics(%s)", [customer]).fetchall()
    assert listed[0] == {"mechanic_id": offline, "favorite": True} and online not in [r["mechanic_id"] for r in listed]
    refused(world, "UV008", "select * from app.find_mechanics_now(%s, 'brand')", customer)
    refused(world, "UN002", "select app.set_favorite(%s, -1, true)", customer)
    assert world.value("select count(*) from app.favorites where customer_id = %s", [customer]) == 2


def test_leaving_a_wizard_gives_back_the_hold_taken_in_it_but_never_a_booking(world, booked):
    customer, mechanic, session = booked
    later = START + timedelta(days=1)
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, later])
    booked_claim = world.value("select reservation_id from app.sessions where id = %s", [session])
    # a draft of each wizard pointing at a claim, as one left before its booking's draft was cleared
    world.conn.execute("insert into app.booking_drafts (customer_id, flow, hold_id, updated_at) "
                       "values (%s, 'schedule', %s, app.app_now()), (%s, 'book', %s, app.app_now())",
                       [customer, hold, customer, booked_claim])
    world.conn.execute("select app.clear_draft(%s)", [customer])
    assert world.value("select status from app.slot_reservations where id = %s", [hold]) == "cancelled"
    assert world.value("select status from app.slot_reservations where id = %s", [booked_claim]) == "confirmed"


def test_the_workshop_checks_the_customer_in_on_its_tablet_from_one_hour_before(world):
    shop = world.workshop(hours={d: ("00:00", "24:00") for d in range(1, 8)})
    mechanic = world.mechanic(blocks=ALL_DAY, workshop=shop, partnership="employee", min_notice_minutes=0)
    customer = world.customer()
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard', 'in_person')", [customer, mechanic, START])
    session = world.value("select app.create_session(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                          "p_service_type => 'in_person', p_hold_id => %s, p_advice_only => true, "
                          "p_concern => 'A rattle at idle.')", [customer, hold])
    desk, elsewhere = (world.value("select app.create_staff_account(p_role => 'workshop_admin', p_email => %s, "
                                   "p_password => %s, p_name => 'Desk', p_timezone => 'UTC', p_workshop_id => %s)",
                                   [email, "x" * 40, workshop])
                       for email, workshop in (("desk@example.com", shop), ("other@example.com", world.workshop())))
    check_in = "select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', p_typed_name => 'Casey')"
    refused(world, "UN001", check_in, elsewhere, session)
    refused(world, "UN001", check_in, mechanic, session)
    set_clock(world, START - timedelta(hours=1, seconds=1))
    refused(world, "UR008", check_in, desk, session)
    set_clock(world, START - timedelta(hours=1))
    signature = world.value(check_in, [desk, session])
    row = call(world, "select customer_id, signed_by, mode from app.waiver_signatures where id = %s", [signature])
    assert row == {"customer_id": customer, "signed_by": desk, "mode": "in_person"}
    assert world.value("select status from app.sessions where id = %s", [session]) == "pending"


def test_the_short_urgent_description_is_for_book_now_only(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, mechanic, START])
    refused(world, "UV009", "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                            "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_advice_only => true, "
                            "p_concern => 'Smoke', p_is_urgent => true)", customer, hold)


def test_a_brand_specialist_booked_by_name_must_list_the_make(world):
    customer = world.customer()
    vehicle = world.value("select app.add_vehicle(p_actor => %s, p_year => 2019, p_make => 'Honda', p_model => 'Civic')",
                          [customer])
    generalist, specialist = world.mechanic(blocks=ALL_DAY), world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.mechanics set brands = '{HONDA}' where id = %s", [specialist])
    checkout = ("select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
                "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_vehicle_id => %s, "
                "p_request_type => 'brand_specialist', p_concern => 'The CVT shudders when pulling away.')")
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')", [customer, generalist, START])
    refused(world, "UV008", checkout, customer, hold, vehicle)
    assert world.value("select count(*) from app.payments") == 0
    hold = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard', 'online', %s)",
                       [customer, specialist, START, hold])
    assert world.conn.execute(checkout, [customer, hold, vehicle]).fetchone()["status"] == "pending"
