"""The wizards' drafts in typed columns (issue 18): one function per step checks its answer, forgets the later
answers that depended on one it changed and gives back the hold taken with them; the concern categories come
from one table, the concern's length and the files' number from one rule each; and a customer's draft is touched
only by that customer."""
from datetime import timedelta

import psycopg
import pytest

from availability_world import local
from conftest import NOW, make_customer

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")


def refused(world, sqlstate, sql, params=()):
    with pytest.raises(psycopg.Error) as failure:
        with world.conn.transaction():
            world.conn.execute(sql, params)
    assert failure.value.sqlstate == sqlstate, str(failure.value)
    return failure.value


def draft(world, customer, flow="schedule"):
    return world.value("select app.my_draft(%s, %s)", [customer, flow])


def choose(world, step, customer, value, flow="schedule", **extra):
    """Answers a step (draft_choose_<step>) and returns the whole draft."""
    named = "".join(f", p_{name} => %s" for name in extra)
    return world.value(f"select app.draft_choose_{step}(%s, %s, %s{named})", [customer, flow, value, *extra.values()])


def hold(world, customer, mechanic, start=START, plan="standard"):
    """A hold taken as the time step takes it (in place of the draft's), kept in the draft (draft_choose_time)."""
    replaced = draft(world, customer).get("hold_id")
    hold_id = world.value("select hold_id from app.reserve_slot(%s, %s, %s, %s, p_replace_hold => %s)",
                          [customer, mechanic, start, plan, replaced])
    choose(world, "time", customer, hold_id)
    return hold_id


def status(world, hold_id):
    return world.value("select status from app.slot_reservations where id = %s", [hold_id])


@pytest.fixture
def held(world):
    """A customer at the review of Schedule: online, a Toyota, standard, a Toyota specialist by name, a hold."""
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    world.conn.execute("update app.mechanics set brands = '{Toyota}' where id = %s", [mechanic])
    vehicle = world.value("select app.add_vehicle(%s, 2021, 'Toyota', 'RAV4')", [customer])
    choose(world, "service", customer, "online")
    choose(world, "vehicle", customer, vehicle)
    choose(world, "plan", customer, "standard")
    choose(world, "mechanic", customer, mechanic, brand=True)
    return customer, mechanic, vehicle, hold(world, customer, mechanic)


# --- each step checks its answer -----------------------------------------------------------------------------

def test_each_step_refuses_a_bad_answer_and_keeps_no_draft(world):
    customer, stranger = world.customer(), world.customer()
    theirs = world.value("select app.add_vehicle(%s, 2020, 'Kia', 'Soul')", [stranger])
    assert refused(world, "UV001", "select app.draft_choose_service(%s, 'schedule', 'by_post')",
                   [customer]).diag.column_name == "service_type"
    refused(world, "UV001", "select app.draft_choose_service(%s, 'schedule', null)", [customer])
    refused(world, "UN001", "select app.draft_choose_vehicle(%s, 'schedule', %s)", [customer, theirs])
    refused(world, "UV003", "select app.draft_choose_plan(%s, 'schedule', 'gold')", [customer])
    refused(world, "23514", "select app.draft_choose_plan(%s, 'elsewhere', 'standard')", [customer])
    assert world.value("select count(*) from app.booking_drafts") == 0


def test_a_mechanic_must_offer_the_service_and_a_brand_needs_a_make(world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    choose(world, "service", customer, "online")
    refused(world, "UN002", "select app.draft_choose_mechanic(%s, 'schedule', %s)", [customer, mechanic + 1000])
    choose(world, "vehicle", customer, None)  # Just Advice: no make to be a specialist in
    assert choose(world, "mechanic", customer, mechanic, brand=True)["request_type"] == "general"
    answered = choose(world, "mechanic", customer, None)
    assert answered["any_mechanic"] is True and "mechanic_id" not in answered


def test_the_answers_are_typed_columns_read_back_under_the_wizards_keys(world, held):
    customer, mechanic, vehicle, hold_id = held
    row = world.conn.execute("select * from app.booking_drafts where customer_id = %s", [customer]).fetchone()
    assert (row["service_type"], row["vehicle_id"], row["plan_code"], row["mechanic_id"], row["hold_id"]) == (
        "online", vehicle, "standard", mechanic, hold_id)
    assert "data" not in row  # no bag of free keys: every answer has its column
    shown = draft(world, customer)
    assert shown["hold_mechanic_id"] == mechanic and shown["hold_start"].startswith("2026-11-27T15:00:00")
    assert shown["request_type"] == "brand_specialist"


def describe(world, customer, category, concern, flow="schedule", **extra):
    named = "".join(f", p_{name} => %s" for name in extra)
    return world.value(f"select app.draft_describe_concern(%s, %s, %s, %s{named})",
                       [customer, flow, category, concern, *extra.values()])


def test_the_concern_needs_a_category_of_its_wizard_and_ten_characters_or_five_when_urgent(world):
    customer = world.customer()
    both = refused(world, "UV000", "select app.draft_describe_concern(%s, 'schedule', 'brakes', 'Squeak')", [customer])
    assert both.diag.message_detail.split() == ["UV001:concern_category", "UV009:concern"]
    assert refused(world, "UV009", "select app.draft_describe_concern(%s, 'book', 'brakes', 'Help', true)",
                   [customer]).diag.column_name == "concern"
    refused(world, "UV009", "select app.draft_describe_concern(%s, 'schedule', 'repair', 'Smoke!', true)", [customer])
    assert refused(world, "23514", "select app.draft_describe_concern(%s, 'schedule', 'repair', %s)",
                   [customer, "x" * 4001]).diag.constraint_name == "booking_drafts_concern_length"
    assert world.value("select count(*) from app.booking_drafts") == 0
    assert describe(world, customer, "engine", "  Smoke!\n", flow="book", is_urgent=True) == {
        "concern_category": "engine", "concern": "Smoke!", "is_urgent": True}
    assert describe(world, customer, "repair", "A clunk over bumps.", preparation_notes=" ",
                    special_requests="French please") == {
        "concern_category": "repair", "concern": "A clunk over bumps.", "special_requests": "French please"}


def test_the_files_sent_with_a_concern_must_all_fit_with_those_kept(world):
    customer = world.customer()
    png = bytes.fromhex("89504e470d0a1a0a") + b"0" * 32
    for n in range(4):
        world.conn.execute("select * from app.add_attachment(%s, 'book', %s, %s)", [customer, f"p{n}.png", png])
    assert refused(world, "UV015", "select app.draft_describe_concern(%s, 'book', 'brakes', 'The brakes squeal.', p_files => 2)",
                   [customer]).diag.column_name == "files"
    assert "concern" not in draft(world, customer, "book")
    assert describe(world, customer, "brakes", "The brakes squeal.", flow="book", files=1)["concern"] == "The brakes squeal."


# --- a changed answer forgets the later ones and gives back the hold -------------------------------------------

@pytest.mark.parametrize("step, value, forgets_mechanic", [
    ("service", "in_person", True), ("plan", "premium", False), ("mechanic", None, True), ("vehicle", None, True)])
def test_a_changed_answer_forgets_what_depended_on_it_and_gives_back_the_hold(world, held, step, value, forgets_mechanic):
    customer, mechanic, _, hold_id = held
    after = choose(world, step, customer, value)
    assert "hold_id" not in after and "hold_start" not in after and status(world, hold_id) == "cancelled"
    assert ("mechanic_id" not in after) is forgets_mechanic
    assert after["plan"] == ("premium" if step == "plan" else "standard")


@pytest.mark.parametrize("step", ["service", "vehicle", "plan", "mechanic"])
def test_the_same_answer_again_keeps_the_hold(world, held, step):
    customer, mechanic, vehicle, hold_id = held
    value = {"service": "online", "vehicle": vehicle, "plan": "standard", "mechanic": mechanic}[step]
    extra = {"brand": True} if step == "mechanic" else {}
    assert choose(world, step, customer, value, **extra)["hold_id"] == hold_id
    assert status(world, hold_id) == "reserved"


def test_another_vehicle_keeps_a_general_mechanic_and_the_hold(world, held):
    customer, mechanic, _, hold_id = held
    choose(world, "mechanic", customer, mechanic)  # general now: the hold goes with the change
    hold_id = hold(world, customer, mechanic)
    civic = world.value("select app.add_vehicle(%s, 2019, 'Honda', 'Civic')", [customer])
    after = choose(world, "vehicle", customer, civic)
    assert (after["vehicle_id"], after["mechanic_id"], after["hold_id"]) == (civic, mechanic, hold_id)


def test_a_changed_vehicle_makes_book_now_search_again(world):
    customer = world.customer()
    vehicle = world.value("select app.add_vehicle(%s, 2021, 'Toyota', 'RAV4')", [customer])
    choose(world, "vehicle", customer, vehicle, flow="book")
    world.conn.execute("select app.draft_choose_location(%s, 'book', ' Toronto ', '', 'brand', true)", [customer])
    assert choose(world, "vehicle", customer, vehicle, flow="book")["located"] is True  # the same one: nothing to redo
    after = choose(world, "vehicle", customer, None, flow="book")
    assert after["advice_only"] is True and "vehicle_id" not in after
    assert "located" not in after and "tab" not in after and after["city"] == "Toronto"


# --- the time, the reminders, Book Now's search and Schedule's entry -------------------------------------------

def test_the_time_is_a_live_hold_of_the_customers_for_what_the_draft_chose(world, held):
    customer, mechanic, _, hold_id = held
    stranger, other = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    theirs = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                         [stranger, mechanic, START + timedelta(hours=4)])
    with_other = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                             [customer, other, START + timedelta(hours=2)])
    longer = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'premium')",
                         [customer, mechanic, START + timedelta(days=1)])
    assert refused(world, "UN001", "select app.draft_choose_time(%s, 'schedule', %s)",
                   [customer, theirs]).diag.column_name == "hold_id"
    refused(world, "UV011", "select app.draft_choose_time(%s, 'schedule', %s)", [customer, with_other])
    refused(world, "UV011", "select app.draft_choose_time(%s, 'schedule', %s)", [customer, longer])
    world.conn.execute("select app.set_app_clock(%s)", [NOW + timedelta(minutes=16)])
    world.conn.execute("select app.draft_choose_mechanic(%s, 'schedule', null)", [customer])  # any mechanic
    refused(world, "UR003", "select app.draft_choose_time(%s, 'schedule', %s)", [customer, with_other])
    assert draft(world, customer).get("hold_id") is None  # the mechanic's change gave back the first
    assert (status(world, hold_id), status(world, theirs)) == ("cancelled", "reserved")


def test_a_new_time_gives_back_the_hold_it_replaces_and_none_forgets_it(world, held):
    customer, mechanic, _, first = held
    later = world.value("select hold_id from app.reserve_slot(%s, %s, %s, 'standard')",
                        [customer, mechanic, START + timedelta(hours=3)])
    after = choose(world, "time", customer, later)
    assert after["hold_id"] == later and after["hold_start"].startswith("2026-11-27T18:00:00")
    assert (status(world, first), status(world, later)) == ("cancelled", "reserved")
    world.value("select app.draft_describe_concern(%s, 'schedule', 'repair', 'A clunk over bumps.')", [customer])
    forgotten = choose(world, "time", customer, None)
    assert "hold_id" not in forgotten and "hold_start" not in forgotten and status(world, later) == "cancelled"
    assert forgotten["concern"] == "A clunk over bumps." and forgotten["mechanic_id"] == mechanic


def test_the_reminders_are_some_of_three_none_being_a_choice(world):
    customer = world.customer()
    assert choose(world, "reminders", customer, ["24h", "15min"])["reminders"] == ["24h", "15min"]
    assert choose(world, "reminders", customer, [])["reminders"] == []
    for bad in (["2h"], ["1h", None]):
        assert refused(world, "23514", "select app.draft_choose_reminders(%s, 'schedule', %s)",
                       [customer, bad]).diag.constraint_name == "booking_drafts_reminders_check"
    assert draft(world, customer)["reminders"] == []
    assert "reminders" not in choose(world, "reminders", customer, None)


def test_book_now_keeps_the_search_it_was_made_from(world):
    customer = world.customer()
    assert refused(world, "UV059", "select app.draft_choose_location(%s, 'book', 'Toronto', 'ZZZZZZZZZZ', 'all')",
                   [customer]).diag.column_name == "postal_code"
    assert refused(world, "23514", "select app.draft_choose_location(%s, 'book', 'Toronto', '', 'nearby')",
                   [customer]).diag.constraint_name == "booking_drafts_search_tab_check"
    assert world.value("select count(*) from app.booking_drafts") == 0
    searched = world.value("select app.draft_choose_location(%s, 'book', null, ' M5V 2T6 ', null)", [customer])
    assert searched == {"city": "", "postal_code": "M5V 2T6", "tab": "all"}  # kept empty: not the profile's
    assert world.value("select app.draft_choose_location(%s, 'book', 'Toronto', '', 'brand', true)",
                       [customer])["located"] is True
    # nobody online on the next Continue: what was found before stays found
    again = world.value("select app.draft_choose_location(%s, 'book', 'Ottawa', '', 'favorites')", [customer])
    assert (again["city"], again["tab"], again["located"]) == ("Ottawa", "favorites", True)


def test_booking_another_passes_the_entry_once_and_says_what_was_carried_once(world):
    customer = world.customer()
    world.conn.execute("select app.draft_choose_plan(%s, 'book', 'extended')", [customer])
    assert world.value("select app.schedule_instead(%s)", [customer])["carried"] is True
    assert world.value("select app.draft_book_another(%s, 'schedule')", [customer]) == {
        "plan": "extended", "another": True}


def test_the_files_belong_to_their_draft_move_with_a_carry_and_go_with_a_cleared_draft(world):
    customer = world.customer()
    png = bytes.fromhex("89504e470d0a1a0a") + b"0" * 32
    ids = [world.value("select attachment_id from app.add_attachment(%s, 'book', %s, %s)", [customer, f"p{n}.png", png])
           for n in range(2)]
    kept = world.value("select attachment_id from app.add_attachment(%s, 'schedule', 'old.png', %s)", [customer, png])
    assert draft(world, customer, "book")["attachments"] == ids
    carried = world.value("select app.schedule_instead(%s)", [customer])
    assert carried["attachments"] == ids  # the Schedule draft it replaced leaves its own file in none
    assert world.value("select draft_flow from app.attachments where id = %s", [kept]) is None
    world.conn.execute("select app.remove_attachment(%s, 'schedule', %s)", [customer, ids[0]])
    assert draft(world, customer)["attachments"] == [ids[1]]
    world.conn.execute("select app.clear_draft(%s, 'schedule')", [customer])
    assert world.value("select array_agg(id) from app.attachments where customer_id = %s", [customer]) == [kept]


# --- the categories and the rules said once --------------------------------------------------------------------

def test_each_wizard_offers_its_categories_from_one_table(world):
    book = [r["code"] for r in world.conn.execute("select * from app.concern_categories('book')")]
    schedule = [r["code"] for r in world.conn.execute("select * from app.concern_categories('schedule')")]
    assert book[:2] == ["engine", "brakes"] and book[-1] == "other"
    assert schedule == ["diagnostic", "repair", "maintenance", "inspection", "consultation"]



@pytest.mark.parametrize("concern, urgent, immediate, described", [
    ("123456789", None, False, False), ("1234567890", None, False, True), (" \t123456789\n ", True, False, False),
    ("1234", True, True, False), ("12345", True, True, True), ("12345", False, True, False), (None, None, True, False)])
def test_a_concern_is_described_by_one_rule_for_the_draft_and_the_booking(world, concern, urgent, immediate, described):
    assert world.value("select app.concern_is_described(%s, %s, %s)", [concern, urgent, immediate]) is described
    customer = world.customer()
    flow = "book" if immediate else "schedule"
    category = "engine" if immediate else "repair"
    call = "select app.draft_describe_concern(%s, %s, %s, %s, %s)"
    if described:
        world.conn.execute(call, [customer, flow, category, concern, urgent])
    else:
        refused(world, "UV009", call, [customer, flow, category, concern, urgent])
    booking = ("select app.check_booking_input(%s, %s, 'standard', 'online', null, true, 'general', %s, %s)")
    kind = "immediate" if immediate else "scheduled"
    if described:
        world.conn.execute(booking, [customer, kind, concern, urgent])
    else:
        refused(world, "UV009", booking, [customer, kind, concern, urgent])


def test_the_files_limit_is_said_once(world):
    customer = world.customer()
    assert world.value("select app.draft_files_limit()") == 5
    assert world.value("select app.draft_files_fit(%s, 'book', 5)", [customer]) is True
    assert world.value("select app.draft_files_fit(%s, 'book', 6)", [customer]) is False

# --- a customer's draft is theirs ----------------------------------------------------------------------------

def test_another_customers_draft_cannot_be_touched(database):
    customer = make_customer(database)
    stranger = make_customer(database, email="stranger@example.com")
    with database.acting(customer) as conn:
        conn.execute("select app.draft_choose_service(%s, 'schedule', 'online')", [customer])
    with database.acting(stranger) as conn:
        for query in ("select app.draft_choose_service(%s, 'schedule', 'in_person')",
                      "select app.draft_choose_plan(%s, 'schedule', 'premium')",
                      "select app.draft_choose_vehicle(%s, 'schedule', null)",
                      "select app.draft_choose_mechanic(%s, 'schedule', null)",
                      "select app.draft_choose_time(%s, 'schedule', null)",
                      "select app.draft_choose_reminders(%s, 'schedule', '{}')",
                      "select app.draft_choose_location(%s, 'schedule', 'Toronto', '', 'all')",
                      "select app.draft_book_another(%s, 'schedule')",
                      "select app.my_draft(%s, 'schedule')"):
            with pytest.raises(psycopg.Error) as failure:
                conn.execute(query, [customer])
            assert failure.value.sqlstate == "UA001"
    assert database.scalar("select app.draft_json(d) from app.booking_drafts d where customer_id = %s",
                           [customer]) == {"service_type": "online"}
    assert database.scalar("select count(*) from app.booking_drafts where customer_id = %s", [stranger]) == 0
