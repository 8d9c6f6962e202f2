"""What a message says is fixed when its event happens (issue 17): each outbox row keeps a snapshot of its
session as the event's transaction commits, and delivery renders only that; each invite has its own SEQUENCE
and a DTSTAMP of its own making, TENTATIVE until the booking is accepted; money is told as it is (a refund on its
way is not "refunded"); every payment, acceptance and completion is told, with its amount."""
from datetime import timedelta

from availability_world import Shop, local
from conftest import NOW
from formats import format_local_time
from support import set_clock

from .test_notifications import ALL_DAY, PARSERS, deliver, invite_of, mailbox, read_eml

START = local("America/Toronto", "2026-11-25 10:00")
LATER = START + timedelta(days=1, hours=3)


def sent_to(app, world, user):
    """The emails delivered to a user, in the order they were queued."""
    address = world.value("select email from app.users where id = %s", [user])
    return [m for m in map(read_eml, mailbox(app)) if m["To"].addresses[0].addr_spec == address]


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def when(moment):
    return format_local_time(moment, zone="America/Toronto")


def test_a_booking_moved_then_cancelled_before_delivery_is_told_as_each_event_was(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.users set timezone = 'America/Toronto' where id = %s", [customer])
    session = world.book(customer, mechanic, START)
    moved = START + timedelta(days=1, hours=2)
    set_clock(world, NOW + timedelta(minutes=10))
    world.conn.execute("select * from app.reschedule_session(%s, %s, %s)", [customer, session, moved])
    set_clock(world, NOW + timedelta(minutes=20))
    world.conn.execute("select * from app.cancel_session(%s, %s, 'Sold the car')", [customer, session])
    refund = world.value("select amount_cents from app.refunds where session_id = %s and status = 'pending'", [session])
    deliver(app)  # all three go out only now, when the session is long cancelled

    booked, moved_mail, cancelled = sent_to(app, world, customer)
    assert [m["Subject"].split(":")[0] for m in (booked, moved_mail, cancelled)] == ["Booked", "Moved", "Cancelled"]
    assert when(START) in booked["Subject"] and when(START) in text_of(booked) and when(moved) not in text_of(booked)
    assert "You paid $29.00 CAD" in text_of(booked)
    assert when(moved) in moved_mail["Subject"]
    assert f"{refund / 100:,.2f}" in text_of(cancelled) and "on its way back to the card" in text_of(cancelled)
    invites = [invite_of(m) for m in (booked, moved_mail, cancelled)]
    assert [method for _, method in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    for read in PARSERS:
        parsed = [read(data) for data, _ in invites]
        assert [p["sequence"] for p in parsed] == [0, 1, 2]  # each message its own, rising
        assert [p["start"] for p in parsed] == [START, moved, moved]
        assert [p["stamp"] for p in parsed] == [NOW, NOW + timedelta(minutes=10), NOW + timedelta(minutes=20)]
        assert [p["status"].upper() for p in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
        assert all(p["organizer"] and p["attendees"] for p in parsed)


def test_a_counter_offer_accepted_before_its_email_went_out_still_names_both_times(app, world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)
    world.conn.execute("update app.users set timezone = 'America/Toronto' where id = %s", [customer])
    offer = world.conn.execute("select * from app.counter_offer_visit(%s, %s, %s, 'Thursday suits us better')",
                               [shop.admin, visit, LATER]).fetchone()
    assert world.value("select app.answer_counter_offer(%s, %s, true)", [customer, offer["id"]]) == "scheduled"
    deliver(app)

    [counter] = [m for m in sent_to(app, world, customer) if "proposes" in m["Subject"]]
    assert f"cannot do your Standard visit on {when(START)} and proposes {when(LATER)} instead" in text_of(counter)
    assert "your request is cancelled with a full refund" in text_of(counter)  # it was a request when it was sent


def test_a_request_is_tentative_in_the_calendar_until_it_is_accepted(app, world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 0)  # mechanic 0 takes requests only
    world.conn.execute("select app.confirm_visit(%s, %s)", [shop.admin, visit])
    deliver(app)

    requested, accepted = sent_to(app, world, customer)
    assert requested["Subject"].startswith("Request sent") and accepted["Subject"].startswith("Confirmed")
    assert "deposit" in text_of(requested) and "tentative" in text_of(requested)
    for read in PARSERS:
        first, second = (read(invite_of(m)[0]) for m in (requested, accepted))
        assert (first["status"].upper(), first["sequence"]) == ("TENTATIVE", 0)
        assert (second["status"].upper(), second["sequence"]) == ("CONFIRMED", 1)


def test_book_now_tells_the_payment_the_acceptance_and_the_summary_each_with_its_amount(app, world):
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    world.conn.execute("select app.set_on_shift(%s, true)", [mechanic])
    world.conn.execute("update app.users set name = 'Maria Mechanic' where id = %s", [mechanic])
    customer = world.customer()
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    payment = world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
        "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'The engine light is on.')",
        [customer]).fetchone()
    session = world.charge(payment)["session_id"]
    paid = world.value("select amount_cents + credit_cents from app.payments where id = %s", [payment["id"]])
    world.conn.execute("select app.answer_offer(%s, %s, true)", [mechanic, session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    world.conn.execute("select app.complete_session(%s, %s, 'Replace the front brake pads soon.')", [mechanic, session])
    deliver(app)

    receipt, accepted, summary = sent_to(app, world, customer)
    amount = f"${paid / 100:,.2f} CAD"
    assert receipt["Subject"] == f"Receipt: {amount} for your Standard Live now session"
    assert f"Receipt number: AD-{payment['id']}" in text_of(receipt)
    assert accepted["Subject"].startswith("Maria Mechanic accepted your Live now session")
    assert f"You paid {amount}" in text_of(accepted)
    assert summary["Subject"] == "Summary: your Standard session with Maria Mechanic"
    assert "Replace the front brake pads soon." in text_of(summary) and f"You paid {amount}" in text_of(summary)
    assert [m for m in sent_to(app, world, mechanic) if "Summary" in m["Subject"]] == []  # for the customer only


def test_an_in_person_visit_tells_its_completion_and_the_balance_charged_with_amounts(app, world):
    shop = Shop(world)
    customer, visit = shop.visit(START, 1)
    set_clock(world, START - timedelta(minutes=5))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey Customer')", [shop.admin, visit])
    set_clock(world, START + timedelta(minutes=40))
    world.conn.execute("select app.complete_visit(%s, %s)", [shop.admin, visit])
    balance = world.conn.execute("select * from app.begin_balance_payment(%s, %s)", [shop.admin, visit]).fetchone()
    assert world.charge(balance)["status"] == "succeeded"
    deliver(app)

    mails = {m["Subject"]: text_of(m) for m in sent_to(app, world, customer)}
    [completed] = [t for s, t in mails.items() if s.startswith("Summary: your Standard visit")]
    assert "You paid a deposit of $15.00 CAD. The balance of $14.00 CAD is charged" in completed
    [receipt] = [s for s in mails if s.startswith("Receipt:")]
    assert receipt == "Receipt: $14.00 CAD for the balance of your Standard visit at Shop"


def test_a_reminder_of_a_session_moved_after_it_was_queued_is_still_withdrawn(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    set_clock(world, START - timedelta(hours=24))
    assert world.value("select app.queue_due_reminders()") == 1
    world.conn.execute("select * from app.reschedule_session(%s, %s, %s)", [customer, session, LATER])
    deliver(app)
    assert world.value("select status from app.outbox where template = 'reminder_24h'") == "withdrawn"


def test_reminders_do_not_ask_for_a_waiver_on_file_nor_offer_to_join_a_visit(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.book(customer, mechanic, START)
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    shop = Shop(world)
    visitor, _ = shop.visit(START, 1)
    set_clock(world, START - timedelta(minutes=15))
    assert world.value("select app.queue_due_reminders()") == 2
    deliver(app)

    [online] = [m for m in sent_to(app, world, customer) if m["Subject"].startswith("Starting soon")]
    assert "Your waiver is on file" in text_of(online) and "Sign the waiver" not in text_of(online)
    [visit] = [m for m in sent_to(app, world, visitor) if m["Subject"].startswith("Starting soon")]
    assert visit["Subject"].startswith("Starting soon: your visit to Shop at")
    assert "join" not in visit["Subject"].lower() and "Join" not in text_of(visit) and "/waiver" not in text_of(visit)


def test_a_mechanic_is_told_of_an_extended_booking_with_the_right_article(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.book(customer, mechanic, START, plan="extended")
    deliver(app)
    [booking] = sent_to(app, world, mechanic)
    assert "booked an Extended session with you" in text_of(booking)
