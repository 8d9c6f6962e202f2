"""The mechanic's side (SPEC §1, §4, §7, §9, §13) in SQL: the offers inbox and its answers without penalty, the
upcoming sessions grouped in the mechanic's zone with what may be done now, stepping out of a session (re-match
first, else a full refund) and earnings summed from the payout ledger."""
from datetime import timedelta

from availability_world import local
from conftest import NOW
from support import sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")  # Wednesday


def run(world, query, params=()):
    return world.conn.execute(query, params).fetchall()


def mechanic(world, zone="America/Toronto", **settings):
    return world.mechanic(zone=zone, blocks=ALL_DAY, min_notice_minutes=0, **settings)


def immediate(world, customer):
    return world.value("select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
                       "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [customer])


def online(world, mechanic_id):
    world.conn.execute("select app.set_on_shift(%s, true)", [mechanic_id])
    return mechanic_id


def inbox(world, mechanic_id):
    return {(o["session_id"], o["kind"], o["offer_kind"]) for o in run(world, "select * from app.mechanic_offers(%s)", [mechanic_id])}


def session_of(world, mechanic_id, session):
    return world.conn.execute("select * from app.mechanic_sessions(%s, %s)", [mechanic_id, session]).fetchone()


def status(world, session):
    return world.value("select status from app.sessions where id = %s", [session])


def footprint(world, mechanic_id):
    """Everything the product keeps about a mechanic, and how matching ranks them."""
    customer = world.customer()
    return (world.value("select to_jsonb(m) from app.mechanics m where id = %s", [mechanic_id]),
            world.value("select to_jsonb(s) from app.mechanic_settings s where mechanic_id = %s", [mechanic_id]),
            world.value("select score from app.rank_mechanics(p_customer => %s) where mechanic_id = %s",
                        [customer, mechanic_id]))


def start_live(world, mechanic_id, session):
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    world.conn.execute("select app.start_session(%s, %s)", [mechanic_id, session])


# --- the offers inbox ----------------------------------------------------------------------------------------

def test_the_inbox_holds_offers_to_me_the_broadcast_while_online_and_my_booking_requests(world):
    targeted = [online(world, mechanic(world)) for _ in range(3)]
    latecomer = mechanic(world)  # online after the offers went out: only the broadcast reaches them
    live = immediate(world, world.customer())
    picky = mechanic(world, instant_booking=False)
    request = world.book(world.customer(), picky, START)

    assert inbox(world, targeted[0]) == {(live, "live_now", "targeted")}
    assert inbox(world, latecomer) == set()  # offline: the broadcast is for online mechanics
    online(world, latecomer)
    assert inbox(world, latecomer) == {(live, "live_now", "broadcast")}
    assert inbox(world, picky) == {(request, "request", None)}
    row = run(world, "select * from app.mechanic_offers(%s)", [picky])[0]
    assert row["starts_at"] == START and row["answer_by"] == START - timedelta(hours=2)
    assert row["customer_first_name"] == "C" and row["plan_name"] == "Standard"

    world.conn.execute("select app.answer_offer(%s, %s, false)", [latecomer, live])
    assert inbox(world, latecomer) == set()
    world.conn.execute("select app.answer_offer(%s, %s, true)", [targeted[1], live])
    assert inbox(world, targeted[0]) == set() and inbox(world, targeted[2]) == set()  # taken: withdrawn


def test_answering_a_request_confirms_it_or_refunds_it_in_full(world):
    picky = mechanic(world, instant_booking=False)
    accepted = world.book(world.customer(), picky, START)
    declined = world.book(world.customer(), picky, START + timedelta(hours=2))
    assert world.value("select app.answer_offer(%s, %s, true)", [picky, accepted]) == "request"
    assert status(world, accepted) == "scheduled"
    confirmed = world.value("select to_jsonb(s) from app.sessions s where id = %s", [accepted])
    assert world.value("select app.answer_offer(%s, %s, true)", [picky, accepted]) == "request"  # a second click
    assert world.value("select to_jsonb(s) from app.sessions s where id = %s", [accepted]) == confirmed
    assert world.value("select app.answer_offer(%s, %s, false)", [picky, declined]) == "request"
    assert status(world, declined) == "cancelled"
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [declined]) == 2900
    assert world.value("select count(*) from app.payouts where session_id = %s", [declined]) == 0
    assert world.value("select count(*) from app.money_audit()") == 0


def test_answers_to_what_is_not_offered_change_nothing(world):
    picky, other = mechanic(world, instant_booking=False), online(world, mechanic(world))
    request = world.book(world.customer(), picky, START)
    before = world.value("select to_jsonb(s) from app.sessions s where id = %s", [request])
    for actor, session, accept, code in [
        (other, request, True, "UN001"),    # another mechanic's request
        (other, request, False, "UN001"),
        (picky, 987654, True, "UN001"),     # no such session
        (picky, 987654, False, "UN001"),
        (world.customer(), request, True, "UP001"),
    ]:
        assert sqlstate(lambda: world.conn.execute("select app.answer_offer(%s, %s, %s)", [actor, session, accept])) == code
    assert world.value("select to_jsonb(s) from app.sessions s where id = %s", [request]) == before


def test_declining_or_cancelling_counts_nothing_against_the_mechanic(world):
    me = online(world, mechanic(world))
    world.conn.execute("update app.mechanics set rating = 4.8, rating_count = 12 where id = %s", [me])
    before = footprint(world, me)
    world.conn.execute("select app.answer_offer(%s, %s, false)", [me, immediate(world, world.customer())])
    world.conn.execute("update app.mechanic_settings set instant_booking = false where mechanic_id = %s", [me])
    request = world.book(world.customer(), me, START)
    world.conn.execute("select app.answer_offer(%s, %s, false)", [me, request])
    world.conn.execute("update app.mechanic_settings set instant_booking = true where mechanic_id = %s", [me])
    world.conn.execute("select * from app.cancel_session(%s, %s)", [me, world.book(world.customer(), me, START)])
    assert footprint(world, me) == before
    # and a new live request still reaches them first
    assert (immediate(world, world.customer()), "live_now", "targeted") in inbox(world, me)


# --- upcoming sessions -----------------------------------------------------------------------------------------

def test_upcoming_sessions_are_grouped_by_the_mechanics_own_calendar_day(world):
    me = mechanic(world, zone="America/Vancouver")  # NOW is Monday 06:00 there
    customer = world.customer()
    starts = {
        "today": local("America/Vancouver", "2026-11-23 23:30"),     # already Tuesday in UTC
        "tomorrow": local("America/Vancouver", "2026-11-24 08:00"),
        "later": local("America/Vancouver", "2026-11-25 00:00"),
    }
    booked = {group: world.book(customer, me, start) for group, start in starts.items()}
    rows = run(world, "select * from app.mechanic_sessions(%s)", [me])
    assert [(r["id"], r["day_group"]) for r in rows] == [(booked[g], g) for g in ("today", "tomorrow", "later")]
    assert all(r["timezone"] == "America/Vancouver" for r in rows)
    assert run(world, "select * from app.mechanic_sessions(%s)", [mechanic(world)]) == []


def test_what_may_be_done_follows_the_state_and_the_clock(world, database):
    me, customer = mechanic(world), world.customer()
    session = world.book(customer, me, START)
    flags = ("can_start", "can_complete", "can_no_show", "can_cancel", "cancel_rematches")

    def allowed():
        row = session_of(world, me, session)
        return {f for f in flags if row[f]}

    assert allowed() == {"can_cancel", "cancel_rematches"}
    assert sqlstate(lambda: world.conn.execute("select app.start_session(%s, %s)", [me, session])) == "UR001"
    database.set_clock(START + timedelta(minutes=9))
    assert allowed() == {"can_cancel"}
    assert sqlstate(lambda: world.conn.execute("select app.mark_no_show(%s, %s)", [me, session])) == "UR007"
    assert status(world, session) == "scheduled"
    database.set_clock(START + timedelta(minutes=10))
    assert allowed() == {"can_cancel", "can_no_show"}

    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    assert allowed() == {"can_start", "can_cancel", "can_no_show"}
    world.conn.execute("select app.start_session(%s, %s)", [me, session])
    assert allowed() == {"can_complete"}
    assert sqlstate(lambda: world.conn.execute("select app.mark_no_show(%s, %s)", [me, session])) == "UR001"
    world.conn.execute("select app.complete_session(%s, %s)", [me, session])
    row = session_of(world, me, session)
    assert allowed() == set() and row["status"] == "completed" and row["earned_cents"] == 2030
    assert [r["id"] for r in run(world, "select * from app.mechanic_sessions(%s)", [me])] == []  # no longer upcoming


def test_a_session_shows_its_intake_and_files_only_to_its_mechanic(world):
    me, customer = mechanic(world), world.customer()
    session = world.book(customer, me, START)
    world.conn.execute("update app.sessions set intake = intake || '{\"preparation_notes\": \"Engine cold\"}' where id = %s", [session])
    world.conn.execute("insert into app.attachments (customer_id, session_id, filename, content_type, size_bytes, data, "
                       "created_at) values (%s, %s, 'noise.png', 'image/png', 3, '\\x010203', app.app_now())", [customer, session])
    row = session_of(world, me, session)
    assert row["preparation_notes"] == "Engine cold" and row["concern"] == "A noise from the brakes."
    assert [a["filename"] for a in row["attachments"]] == ["noise.png"]
    for actor, code in [(mechanic(world), "UN001"), (customer, "UP001")]:
        assert sqlstate(lambda: session_of(world, actor, session)) == code
    assert sqlstate(lambda: session_of(world, me, 987654)) == "UN001"


# --- stepping out ----------------------------------------------------------------------------------------------

def test_a_mechanic_who_cancels_hands_the_session_to_another_mechanic(world):
    me, other, customer = mechanic(world), mechanic(world), world.customer()
    world.conn.execute("update app.mechanics set rating = 5.0 where id = %s", [me])
    session = world.book(customer, me, START)
    quote = world.conn.execute("select * from app.cancellation_quote(%s, %s)", [session, me]).fetchone()
    assert (quote["tier"], quote["refund_cents"]) == ("provider_cancelled", 2900)
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s, 'Sick')", [me, session]).fetchone()
    assert outcome["tier"] == "rematch"
    row = session_of(world, me, session)
    assert row["handing_over"] and not (row["can_cancel"] or row["can_start"] or row["can_no_show"])

    world.value("select app.rematch_sessions()")
    assert world.value("select mechanic_id from app.sessions where id = %s", [session]) == other
    assert status(world, session) == "scheduled"
    assert sqlstate(lambda: session_of(world, me, session)) == "UN001"
    assert session_of(world, other, session)["can_cancel"]


def test_with_nobody_free_the_customer_gets_everything_back(world):
    me, customer = mechanic(world), world.customer()
    session = world.book(customer, me, START)
    world.conn.execute("select * from app.cancel_session(%s, %s)", [me, session])
    world.value("select app.rematch_sessions()")
    assert status(world, session) == "cancelled"
    assert world.value("select sum(amount_cents) from app.refunds where session_id = %s", [session]) == 2900
    assert world.value("select count(*) from app.payouts where session_id = %s", [session]) == 0


def test_cancelling_a_session_the_customer_is_waiting_in_refunds_at_once(world, database):
    me, customer = mechanic(world), world.customer()
    session = world.book(customer, me, START)
    database.set_clock(START - timedelta(minutes=5))
    world.conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    assert not session_of(world, me, session)["cancel_rematches"]
    outcome = world.conn.execute("select * from app.cancel_session(%s, %s)", [me, session]).fetchone()
    assert (outcome["tier"], outcome["refund_cents"]) == ("provider_cancelled", 2900)
    assert status(world, session) == "cancelled"


# --- earnings --------------------------------------------------------------------------------------------------

def complete_at(world, database, mechanic_id, moment):
    """A standard session booked for `moment` and completed then: the ledger gets 70 % of $29."""
    database.set_clock(moment - timedelta(hours=1))
    session = world.book(world.customer(), mechanic_id, moment)
    database.set_clock(moment)
    start_live(world, mechanic_id, session)
    world.conn.execute("select app.complete_session(%s, %s)", [mechanic_id, session])
    return session


def summary(world, mechanic_id):
    return world.conn.execute("select * from app.my_earnings_summary(%s)", [mechanic_id]).fetchone()


def test_earnings_sum_the_ledger_by_the_mechanics_week_and_month(world, database):
    me = mechanic(world)
    assert (summary(world, me)["all_time_cents"], summary(world, me)["entries"]) == (0, 0)
    october = complete_at(world, database, me, local("America/Toronto", "2026-10-30 10:00"))
    # Sunday 23:00 in Toronto is Monday in UTC: last week for this mechanic
    sunday = complete_at(world, database, me, local("America/Toronto", "2026-11-22 23:00"))
    today = complete_at(world, database, me, NOW)
    late = world.book(world.customer(), me, NOW + timedelta(minutes=90))
    world.conn.execute("select * from app.cancel_session(%s, %s)",
                       [world.value("select customer_id from app.sessions where id = %s", [late]), late])
    database.set_clock(NOW)

    ledger = run(world, "select * from app.my_earnings(%s)", [me])
    assert [(e["session_id"], e["reason"], e["payee"], e["amount_cents"]) for e in ledger] == [
        (late, "customer_cancelled", "mechanic", 1450), (today, "completed", "mechanic", 2030),
        (sunday, "completed", "mechanic", 2030), (october, "completed", "mechanic", 2030)]
    totals = summary(world, me)
    assert (totals["week_cents"], totals["month_cents"], totals["all_time_cents"], totals["entries"]) == (
        2030 + 1450, 2030 * 2 + 1450, 2030 * 3 + 1450, 4)
    assert (totals["paid_to"], totals["to_workshop_cents"]) == ("mechanic", 0)
    assert world.value("select sum(amount_cents) from app.payouts where mechanic_id = %s", [me]) == totals["all_time_cents"]
    assert [e["session_id"] for e in run(world, "select * from app.my_earnings(%s, 1)", [me])] == [late]
    assert run(world, "select * from app.my_earnings(%s)", [mechanic(world)]) == []


def test_a_workshop_mechanics_share_is_shown_as_paid_to_the_workshop(world, database):
    shop = world.workshop(hours={3: ("09:00", "17:00")})
    me = world.mechanic(blocks=ALL_DAY, workshop=shop, partnership="employee", min_notice_minutes=0)
    session = world.book(world.customer(), me, START)
    database.set_clock(START)
    start_live(world, me, session)
    world.conn.execute("select app.complete_session(%s, %s)", [me, session])
    [entry] = run(world, "select * from app.my_earnings(%s)", [me])
    assert (entry["payee"], entry["workshop_name"], entry["amount_cents"]) == ("workshop", "Shop", 2030)
    totals = summary(world, me)
    assert (totals["paid_to"], totals["workshop_name"], totals["to_workshop_cents"]) == ("workshop", "Shop", 2030)


def test_only_mechanics_read_the_mechanic_functions(world):
    customer = world.customer()
    for call in ("select * from app.mechanic_offers(%s)", "select * from app.mechanic_sessions(%s)",
                 "select * from app.my_earnings(%s)", "select * from app.my_earnings_summary(%s)"):
        assert sqlstate(lambda: world.conn.execute(call, [customer])) == "UP001"
