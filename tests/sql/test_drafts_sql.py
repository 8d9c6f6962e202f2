"""The wizards' drafts in typed columns (issue 18): one function per step checks its answer, forgets the later
answers that depended on one it changed and gives back the hold taken with them; the concern categories come
from one table; and a customer's draft is touched only by that customer."""
import psycopg
import pytest

from availability_world import local
from conftest import make_customer

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
    """A hold taken as the time step takes it, kept in the draft."""
    hold_id = world.value("select hold_id from app.reserve_slot(%s, %s, %s, %s)", [customer, mechanic, start, plan])
    world.conn.execute("update app.booking_drafts set hold_id = %s where customer_id = %s and flow = 'schedule'",
                       [hold_id, customer])
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
    assert row["data"] == {}
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
    world.conn.execute("select app.save_draft(%s, 'book', '{\"located\": true, \"tab\": \"brand\", \"city\": \"Toronto\"}')",
                       [customer])
    assert choose(world, "vehicle", customer, vehicle, flow="book")["located"] is True  # the same one: nothing to redo
    after = choose(world, "vehicle", customer, None, flow="book")
    assert after["advice_only"] is True and "vehicle_id" not in after
    assert "located" not in after and "tab" not in after and after["city"] == "Toronto"


# --- the categories and the old shape ------------------------------------------------------------------------

def test_each_wizard_offers_its_categories_from_one_table(world):
    book = [r["code"] for r in world.conn.execute("select * from app.concern_categories('book')")]
    schedule = [r["code"] for r in world.conn.execute("select * from app.concern_categories('schedule')")]
    assert book[:2] == ["engine", "brakes"] and book[-1] == "other"
    assert schedule == ["diagnostic", "repair", "maintenance", "inspection", "consultation"]


def test_answers_that_do_not_convert_are_dropped_and_the_rest_kept(world):
    customer, stranger = world.customer(), world.customer()
    theirs = world.value("select app.add_vehicle(%s, 2020, 'Kia', 'Soul')", [stranger])
    saved = world.value("select app.save_draft(%s, 'schedule', %s)", [customer, psycopg.types.json.Jsonb(
        {"vehicle_id": theirs, "plan": "gold", "concern_category": "nonsense", "service_type": "online",
         "concern": "A rattle at idle.", "another": True})])
    assert saved == {"service_type": "online", "concern": "A rattle at idle.", "another": True}


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
                      "select app.my_draft(%s, 'schedule')"):
            with pytest.raises(psycopg.Error) as failure:
                conn.execute(query, [customer])
            assert failure.value.sqlstate == "UA001"
    assert database.scalar("select app.draft_json(d) from app.booking_drafts d where customer_id = %s",
                           [customer]) == {"service_type": "online"}
    assert database.scalar("select count(*) from app.booking_drafts where customer_id = %s", [stranger]) == 0
