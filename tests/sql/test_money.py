"""Money (SPEC §9) in SQL: the policy at its edges, credit before the card, payouts to the right payee, and
the audit that must always be empty. Charges go through the offline test gateway's Stripe-shaped intents."""
from datetime import timedelta

import psycopg
import pytest

import offline_gateway
from availability_world import local
from conftest import NOW
from support import refusal, set_clock

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
OPEN_ALL_DAY = {d: ("00:00", "24:00") for d in range(1, 8)}
START = local("America/Toronto", "2026-11-27 10:00")
SECOND = timedelta(seconds=1)

pytestmark = pytest.mark.usefixtures("money_audit_stays_empty")


@pytest.fixture
def gateway():
    return offline_gateway.TestGateway()


def pay(world, gateway, customer, mechanic, start=START, **how):
    """Holds the time and pays for it as the app does, through this test's gateway; returns the payment row."""
    return world.pay(customer, mechanic, start, gateway=gateway, **how)


def money(world, session):
    refunds = world.value("select coalesce(sum(amount_cents), 0) from app.refunds where session_id = %s", [session])
    credit = world.value("select coalesce(sum(amount_cents), 0) from app.credit_entries where session_id = %s "
                         "and amount_cents > 0", [session])
    payouts = {r["payee"]: r["amount_cents"] for r in world.conn.execute(
        "select payee, amount_cents from app.payouts where session_id = %s", [session])}
    return refunds, credit, payouts


def shop_mechanic(world, partnership=None):
    shop = world.workshop(hours=OPEN_ALL_DAY)
    return shop, world.mechanic(blocks=ALL_DAY, workshop=shop, partnership=partnership, min_notice_minutes=0)


@pytest.mark.parametrize("when, tier, refund, credit, payee, platform", [
    (START - timedelta(hours=24) - SECOND, "early", 2400, 0, 0, 500),
    (START - timedelta(hours=24), "early", 2400, 0, 0, 500),
    (START - timedelta(hours=24) + SECOND, "mid", 2175, 0, 725, 0),
    (START - timedelta(hours=2), "mid", 2175, 0, 725, 0),
    (START - timedelta(hours=2) + SECOND, "late", 0, 1450, 1450, 0),
    (START + timedelta(minutes=5), "late", 0, 1450, 1450, 0),
])
def test_customer_cancels_online_at_each_tier(world, gateway, when, tier, refund, credit, payee, platform):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    session = pay(world, gateway, customer, mechanic)["session_id"]
    quote = world.conn.execute("select * from app.cancellation_quote(%s, %s, %s)", [session, customer, when]).fetchone()
    assert (quote["tier"], quote["charged_cents"], quote["refund_cents"], quote["credit_cents"], quote["payee_cents"],
            quote["platform_cents"]) == (tier, 2900, refund, credit, payee, platform)
    set_clock(world, when)
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session]).fetchone()
    assert outcome == quote
    expected_payouts = {k: v for k, v in (("mechanic", payee), ("platform", platform)) if v}
    assert money(world, session) == (refund, credit, expected_payouts)
    assert world.value("select app.credit_balance(%s)", [customer]) == credit
    assert world.value("select r.status from app.slot_reservations r join app.sessions s on s.reservation_id = r.id "
                       "where s.id = %s", [session]) == "cancelled"


@pytest.mark.parametrize("when, refund, payee", [
    (START - timedelta(hours=24), 1500, 0),
    (START - timedelta(hours=24) + SECOND, 0, 1500),
    (START - timedelta(hours=2) + SECOND, 0, 1500),
])
def test_customer_cancels_in_person_deposit(world, gateway, when, refund, payee):
    shop, mechanic = shop_mechanic(world)
    customer = world.customer()
    payment = pay(world, gateway, customer, mechanic, service="in_person")
    assert (payment["kind"], payment["amount_cents"], payment["status"]) == ("deposit", 1500, "succeeded")
    set_clock(world, when)
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, payment["session_id"]])
    # a workshop-affiliated mechanic's share goes to the workshop (SPEC §1)
    assert money(world, payment["session_id"]) == (refund, 0, {"workshop": payee} if payee else {})


@pytest.mark.parametrize("service, expected_payout", [("online", {"workshop": 1450}), ("in_person", {"workshop": 1500})])
def test_no_show_money(world, gateway, service, expected_payout):
    shop, mechanic = shop_mechanic(world)
    customer = world.customer()
    session = pay(world, gateway, customer, mechanic, service=service)["session_id"]
    set_clock(world, START + timedelta(minutes=9, seconds=59))
    with pytest.raises(psycopg.Error) as early:
        world.conn.execute("select app.mark_no_show(%s, %s)", [mechanic, session])
    assert early.value.sqlstate == "UR007"
    set_clock(world, START + timedelta(minutes=10))
    world.conn.execute("select app.mark_no_show(%s, %s)", [mechanic, session])
    assert world.value("select status from app.sessions where id = %s", [session]) == "no_show"
    assert money(world, session) == (0, 1450 if service == "online" else 0, expected_payout)
    assert world.value("select app.record_no_show(%s)", [session]) is False  # once


@pytest.mark.parametrize("side", ["mechanic", "workshop"])
def test_provider_cancellation_refunds_everything_even_late(world, gateway, side):
    shop, mechanic = shop_mechanic(world)
    admin = world.value("select app.create_staff_account(p_role => 'workshop_admin', p_email => 'boss@example.com', "
                        "p_password => %s, p_name => 'Boss', p_timezone => 'America/Toronto', p_workshop_id => %s)",
                        ["x" * 40, shop])
    customer = world.customer()
    session = pay(world, gateway, customer, mechanic)["session_id"]
    set_clock(world, START - timedelta(minutes=30))
    actor = mechanic if side == "mechanic" else admin
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s, 'sick')", [actor, session]).fetchone()
    if side == "mechanic":  # the re-match job looks for another mechanic first (SPEC §8); there is none here
        assert (outcome["tier"], outcome["refund_cents"]) == ("rematch", 0)
        assert money(world, session) == (0, 0, {})
        assert world.value("select app.rematch_sessions()") == 1
    else:
        assert (outcome["cancelled_by"], outcome["tier"], outcome["refund_cents"]) == (side, "provider_cancelled", 2900)
    assert world.value("select status from app.sessions where id = %s", [session]) == "cancelled"
    assert money(world, session) == (2900, 0, {})
    assert world.value("select reason from app.refunds where session_id = %s", [session]) == f"{side}_cancelled"


def test_pending_immediate_session_cancelled_is_refunded_in_full(world, gateway):
    customer = world.customer()
    immediate = ("select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'premium', "
                 "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'Engine light is on')")
    with pytest.raises(psycopg.Error) as unsigned:
        with world.conn.transaction():
            world.conn.execute(immediate, [customer])
    assert unsigned.value.sqlstate == "UR010"  # signed before payment (SPEC §12)
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    payment = world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'premium', "
        "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'Engine light is on')",
        [customer]).fetchone()
    payment = world.charge(payment, gateway)
    assert world.value("select status from app.sessions where id = %s", [payment["session_id"]]) == "pending"
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, payment["session_id"]]).fetchone()
    assert (outcome["tier"], outcome["refund_cents"]) == ("not_accepted", 9900)


def test_someone_elses_session_cannot_be_quoted_or_cancelled(world, gateway):
    customer, stranger = world.customer(), world.customer()
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    session = pay(world, gateway, customer, mechanic)["session_id"]
    for function in ("cancellation_quote", "cancel_session"):
        with pytest.raises(psycopg.Error) as refused:
            world.conn.execute(f"select * from app.{function}(%s, %s)",
                               [session, stranger] if function == "cancellation_quote" else [stranger, session])
        assert refused.value.sqlstate == "UN001"
    assert world.value("select status from app.sessions where id = %s", [session]) == "scheduled"


@pytest.mark.parametrize("partnership, payee", [(None, "mechanic"), ("owner", "mechanic"), ("employee", "workshop")])
def test_completed_session_pays_70_30_to_the_right_payee(world, gateway, partnership, payee):
    if partnership is None:
        mechanic, shop = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0), None
    else:
        shop, mechanic = shop_mechanic(world, partnership)
    customer = world.customer()
    session = pay(world, gateway, customer, mechanic, plan="extended")["session_id"]
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic, session])
    rows = world.conn.execute("select payee, mechanic_id, workshop_id, amount_cents from app.payouts "
                              "where session_id = %s order by payee", [session]).fetchall()
    assert [(r["payee"], r["amount_cents"]) for r in rows] == sorted([(payee, 3430), ("platform", 1470)])
    share = next(r for r in rows if r["payee"] == payee)
    assert share["mechanic_id"] == mechanic and share["workshop_id"] == (shop if payee == "workshop" else None)
    assert world.value("select app.settle_completed_session(%s)", [session]) is False  # once


def test_credit_is_spent_before_the_card(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    first = pay(world, gateway, customer, mechanic)["session_id"]
    set_clock(world, START - timedelta(hours=1))
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, first])  # late: 1450 credit
    set_clock(world, NOW)
    later = START + timedelta(days=1)
    payment = pay(world, gateway, customer, mechanic, start=later)
    assert (payment["credit_cents"], payment["amount_cents"], payment["status"]) == (1450, 1450, "succeeded")
    assert world.value("select app.credit_balance(%s)", [customer]) == 0
    # cancelled early, the card gets its part back first and the credit returns as credit
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, payment["session_id"]])
    assert money(world, payment["session_id"]) == (1450, 950, {"platform": 500})
    assert world.value("select app.credit_balance(%s)", [customer]) == 950


def test_credit_covering_everything_books_without_a_card(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    world.conn.execute("insert into app.credit_entries (customer_id, amount_cents, reason, created_at) "
                       "values (%s, 5000, 'late_cancellation', app.app_now())", [customer])
    payment = pay(world, gateway, customer, mechanic, card=None)
    assert (payment["status"], payment["amount_cents"], payment["credit_cents"], payment["intent_id"]) == (
        "succeeded", 0, 2900, None)
    assert payment["session_id"] is not None and not gateway.intents
    assert world.value("select app.credit_balance(%s)", [customer]) == 2100


def test_declined_card_books_nothing_and_keeps_the_hold_until_it_expires(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    payment = pay(world, gateway, customer, mechanic, card="pm_card_chargeDeclinedInsufficientFunds")
    assert (payment["status"], payment["failure_code"], payment["session_id"]) == ("failed", "insufficient_funds", None)
    assert world.value("select count(*) from app.sessions") == 0
    # the time stays the customer's for the rest of its 15 minutes (not one more), to pay with another card
    hold = world.conn.execute("select status, expires_at from app.slot_reservations where id = %s",
                              [payment["reservation_id"]]).fetchone()
    assert (hold["status"], hold["expires_at"]) == ("reserved", NOW + timedelta(minutes=15))
    assert not world.value("select app.is_slot_available(%s, %s, %s)", [mechanic, START, START + timedelta(minutes=30)])
    # and once it truly expires, the job gives it back to everyone
    set_clock(world, NOW + timedelta(minutes=15))
    assert world.value("select app.release_expired_reservations()") == 1
    assert world.value("select status from app.slot_reservations where id = %s", [payment["reservation_id"]]) == "expired"
    assert world.value("select app.is_slot_available(%s, %s, %s)", [mechanic, START, START + timedelta(minutes=30)])


def test_after_a_decline_the_same_hold_pays_with_another_card(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    world.conn.execute("insert into app.credit_entries (customer_id, amount_cents, reason, created_at) "
                       "values (%s, 1000, 'late_cancellation', app.app_now())", [customer])
    declined = pay(world, gateway, customer, mechanic, card="pm_card_chargeDeclined")
    assert declined["status"] == "failed"
    assert world.value("select app.credit_balance(%s)", [customer]) == 1000  # the credit it spent came back
    set_clock(world, NOW + timedelta(minutes=10))
    retry = world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'scheduled', p_plan => 'standard', "
        "p_payment_method => 'pm_card_visa', p_hold_id => %s, p_advice_only => true, "
        "p_concern => 'The brakes squeal when cold.')", [customer, declined["reservation_id"]]).fetchone()
    assert retry["id"] != declined["id"] and retry["idempotency_key"] != declined["idempotency_key"]
    paid = world.charge(retry, gateway)
    assert (paid["status"], paid["amount_cents"], paid["credit_cents"]) == ("succeeded", 1900, 1000)
    assert paid["session_id"] is not None and paid["reservation_id"] == declined["reservation_id"]
    assert world.value("select status from app.slot_reservations where id = %s", [paid["reservation_id"]]) == "confirmed"
    assert world.value("select app.credit_balance(%s)", [customer]) == 0
    assert world.value("select count(*) from app.payments where status = 'succeeded'") == 1


def test_a_payment_without_an_outcome_keeps_its_hold_past_15_minutes_and_books_it(world, gateway):
    customer, rival = world.customer(), world.customer()
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    payment = world.checkout(customer, mechanic, START)
    hold = payment["reservation_id"]
    set_clock(world, NOW + timedelta(minutes=20))
    assert world.value("select app.release_expired_reservations()") == 0
    assert refusal(pay, world, gateway, rival, mechanic).sqlstate == "UC001"  # still held for the first customer
    payment = world.charge(payment, gateway)
    assert payment["status"] == "succeeded" and payment["session_id"] is not None
    assert payment["reservation_id"] == hold
    assert world.value("select status from app.slot_reservations where id = %s", [hold]) == "confirmed"


def test_a_payment_whose_hold_lapsed_retakes_a_free_slot(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    payment = world.checkout(customer, mechanic, START)
    hold = payment["reservation_id"]
    world.conn.execute("update app.slot_reservations set status = 'expired' where id = %s", [hold])  # gone some other way
    payment = world.charge(payment, gateway)
    assert payment["status"] == "succeeded" and payment["session_id"] is not None
    assert payment["reservation_id"] != hold


def test_a_payment_whose_hold_lapsed_and_the_slot_went_is_refunded_once(world, gateway):
    customer, rival = world.customer(), world.customer()
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    payment = world.checkout(customer, mechanic, START)
    world.conn.execute("update app.slot_reservations set status = 'expired' where id = %s", [payment["reservation_id"]])
    pay(world, gateway, rival, mechanic)
    intent = gateway.charge(amount_cents=2900, currency="CAD", payment_method="pm_card_visa",
                            idempotency_key=payment["idempotency_key"], metadata={"payment_id": payment["id"]}, description="t")
    for _ in range(3):  # the answer and its redeliveries
        after = world.conn.execute("select * from app.apply_payment_intent(%s)", [psycopg.types.json.Jsonb(intent)]).fetchone()
    assert (after["status"], after["session_id"]) == ("succeeded", None)
    refunds = world.conn.execute("select amount_cents, reason from app.refunds where payment_id = %s", [payment["id"]]).fetchall()
    assert refunds == [{"amount_cents": 2900, "reason": "slot_lost"}]


def test_policy_versions_are_frozen(world):
    with pytest.raises(psycopg.Error) as refused:
        world.conn.execute("update app.cancellation_policies set online_fee_cents = 0 where version = 1")
    assert refused.value.sqlstate == "UR005"


@pytest.mark.parametrize("who", ["customer cancels", "mechanic declines"])
def test_a_request_the_mechanic_never_accepted_is_refunded_in_full(world, gateway, who):
    customer = world.customer()
    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0, instant_booking=False)
    session = pay(world, gateway, customer, mechanic)["session_id"]
    assert world.value("select status from app.sessions where id = %s", [session]) == "requested"
    set_clock(world, START - timedelta(minutes=30))  # late, yet nothing was promised
    if who == "customer cancels":
        outcome = world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session]).fetchone()
        assert outcome["tier"] == "not_accepted"
    else:
        world.conn.execute("select app.respond_to_request(%s, %s, false)", [mechanic, session])
    assert money(world, session) == (2900, 0, {})
    expected = "not_accepted" if who == "customer cancels" else "mechanic_cancelled"
    assert world.value("select reason from app.refunds where session_id = %s", [session]) == expected


@pytest.mark.parametrize("card, status, settled", [("pm_card_visa", "succeeded", True), ("pm_card_chargeDeclined", "failed", False)])
def test_the_in_person_balance_is_charged_after_the_service_on_the_deposit_card(world, gateway, card, status, settled):
    shop, mechanic = shop_mechanic(world, "employee")
    customer, stranger = world.customer(), world.customer()
    session = pay(world, gateway, customer, mechanic, service="in_person")["session_id"]
    if not settled:  # the card that paid the deposit is refused by the time the balance is due
        world.conn.execute("update app.payments set payment_method = %s where session_id = %s", [card, session])
    refused = "select * from app.begin_balance_payment(%s, %s)"
    with pytest.raises(psycopg.Error) as early:
        with world.conn.transaction():
            world.conn.execute(refused, [mechanic, session])
    assert early.value.sqlstate == "UR001"  # nothing is due before the service
    admin = world.value("select app.create_staff_account(p_role => 'workshop_admin', p_email => 'desk@example.com', "
                        "p_password => %s, p_name => 'Desk', p_timezone => 'America/Toronto', p_workshop_id => %s)",
                        ["x" * 40, shop])
    set_clock(world, START - timedelta(minutes=5))
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_session => %s, p_mode => 'in_person', "
                       "p_typed_name => 'Casey at the desk')", [admin, session])  # check-in opens the session
    world.conn.execute("select app.start_session(%s, %s)", [mechanic, session])
    set_clock(world, START)  # a visit completes from its start (issue 17)
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic, session])
    assert world.value("select count(*) from app.payouts where session_id = %s", [session]) == 0  # waits for the balance
    with pytest.raises(psycopg.Error) as theirs:
        with world.conn.transaction():
            world.conn.execute(refused, [stranger, session])
    assert theirs.value.sqlstate == "UN001"

    balance = world.conn.execute(refused, [mechanic, session]).fetchone()
    assert (balance["kind"], balance["amount_cents"], balance["payment_method"], balance["idempotency_key"]) == (
        "balance", 2900 - 1500, card, f"balance-{session}-1")
    assert world.conn.execute(refused, [mechanic, session]).fetchone()["id"] == balance["id"]  # a second click
    assert world.charge(balance, gateway)["status"] == status
    payouts = {r["payee"]: r["amount_cents"] for r in world.conn.execute(
        "select payee, amount_cents from app.payouts where session_id = %s", [session])}
    assert payouts == ({"workshop": 2030, "platform": 870} if settled else {})


def test_a_booking_keeps_the_policy_it_was_sold_under(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    session = pay(world, gateway, customer, mechanic)["session_id"]
    world.conn.execute("insert into app.cancellation_policies (version, online_fee_cents, full_refund_hours, late_hours, "
                       "mid_refund_percent, late_credit_percent, deposit_cents, commission_percent, effective_from) "
                       "values (2, 900, 48, 6, 50, 25, 2500, 35, %s)", [NOW])
    quote = world.conn.execute("select * from app.cancellation_quote(%s, %s, %s)",
                               [session, customer, START - timedelta(hours=30)]).fetchone()
    assert (quote["tier"], quote["refund_cents"], quote["platform_cents"]) == ("early", 2400, 500)  # v1: 24 h, $5


def test_a_plan_taken_off_sale_while_paying_gives_the_money_back_once(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    payment = world.checkout(customer, mechanic, START, plan="premium")
    world.conn.execute("update app.plans set active = false where code = 'premium'")
    paid = world.charge(payment, gateway)
    assert (paid["status"], paid["session_id"]) == ("succeeded", None)
    assert world.value("select sum(amount_cents) from app.refunds where payment_id = %s and reason = 'slot_lost'",
                       [payment["id"]]) == 9900


def test_cancelling_an_immediate_session_withdraws_its_open_offers(world, gateway):
    customer = world.customer()
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [world.mechanic()])
    world.conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey')", [customer])
    payment = world.charge(world.conn.execute(
        "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
        "p_payment_method => 'pm_card_visa', p_advice_only => true, p_concern => 'Engine light is on')",
        [customer]).fetchone(), gateway)
    assert world.value("select count(*) from app.session_offers where session_id = %s and status = 'open'", [payment["session_id"]]) == 2
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, payment["session_id"]])
    assert world.value("select count(*) from app.session_offers where session_id = %s and status = 'open'", [payment["session_id"]]) == 0


def test_the_audit_names_a_session_whose_money_does_not_add_up(world, gateway):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    session = pay(world, gateway, customer, mechanic)["session_id"]
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    assert world.conn.execute("select * from app.money_audit()").fetchall() == []
    payout = world.value("select id from app.payouts where session_id = %s", [session])
    world.conn.execute("update app.payouts set amount_cents = amount_cents + 1 where id = %s", [payout])
    assert [row["session_id"] for row in world.conn.execute("select * from app.money_audit()")] == [session]
    world.conn.execute("update app.payouts set amount_cents = amount_cents - 1 where id = %s", [payout])
