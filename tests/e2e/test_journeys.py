"""Customer journeys in a real browser (issue 6): from the home page to a paid immediate session, and to a
scheduled online appointment whose downloaded invite an independent parser reads back at the right UTC time.
Every step is saved as a screenshot under var/screenshots/<test>/."""
import re
from datetime import timedelta, timezone

import ics
from playwright.sync_api import expect

from availability_world import local
from conftest import PASSWORD, make_customer

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}


def log_in(page, shot):
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    shot("login")
    page.get_by_label("Email", exact=True).fill("casey@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()


def maria(world, **settings):
    mechanic = world.mechanic(blocks=ALL_DAY, **settings)
    world.conn.execute("update app.users set name = 'Maria Mechanic' where id = %s", [mechanic])
    world.conn.execute("update app.mechanics set headline = 'Brakes and electrical, 12 years', years_experience = 12, "
                       "rating = 4.8 where id = %s", [mechanic])
    return mechanic


def test_from_the_home_page_to_a_paid_immediate_session(page, shot, world, database):
    mechanic = maria(world)
    world.conn.execute("update app.mechanics set currently_on_shift = true where id = %s", [mechanic])
    customer = make_customer(database)

    page.goto("/")
    shot("home")
    page.get_by_role("link", name="Book Now").first.click()
    log_in(page, shot)

    expect(page.get_by_role("heading", level=1)).to_contain_text("vehicle")
    shot("vehicle")
    page.get_by_role("button", name="Skip — Just Advice").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("plan")
    shot("plan")
    page.get_by_role("button", name=re.compile("^Standard")).click()

    shot("mechanic-before-search")
    expect(page.get_by_text("online now")).to_have_count(0)  # nothing is searched before Find
    page.get_by_role("button", name="Find mechanics").click()
    expect(page.get_by_role("heading", name="1 mechanic online now")).to_be_visible()
    expect(page.get_by_role("heading", name="Maria Mechanic")).to_be_visible()
    shot("mechanic-results")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("What is it about?").select_option("warning_light")
    page.get_by_label("Describe the problem").fill("The check engine light came on this morning.")
    shot("concern")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("I have read the waiver and agree to it").check()
    page.get_by_label("Type your full name").fill("Casey Customer")
    shot("waiver")
    page.get_by_role("button", name="Sign").click()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    shot("payment")
    page.get_by_role("button", name=re.compile("^Pay")).click()

    expect(page.get_by_role("heading", name="Finding your mechanic…")).to_be_visible()
    shot("session-room")
    row = world.conn.execute("select status, advice_only, kind from app.sessions where customer_id = %s", [customer]).fetchone()
    assert row == {"status": "pending", "advice_only": True, "kind": "immediate"}
    assert world.value("select amount_cents from app.payments where customer_id = %s and status = 'succeeded'", [customer]) == 2900
    assert world.value("select count(*) from app.session_offers where mechanic_id = %s", [mechanic]) == 1


def test_from_the_home_page_to_a_scheduled_online_appointment_and_its_invite(page, shot, world, database, tmp_path):
    maria(world)
    customer = make_customer(database)
    start = local("America/Toronto", "2026-11-25 10:00")  # NOW is Monday 2026-11-23, 9:00 in Toronto

    page.goto("/")
    shot("home")
    page.get_by_role("link", name="Schedule for later").click()
    log_in(page, shot)

    page.get_by_role("button", name=re.compile("^Online")).click()
    shot("service-chosen")
    page.get_by_role("button", name=re.compile("Just Advice")).click()
    shot("vehicle-chosen")
    page.get_by_role("button", name=re.compile("^Standard")).click()
    shot("mechanics")
    page.get_by_role("button", name="Choose Maria Mechanic").click()

    expect(page.get_by_text("America/Toronto").first).to_be_visible()  # the zone is named
    shot("calendar")
    page.locator('a[data-day="2026-11-25"]').click()
    expect(page.get_by_role("heading", name="Free times on Wednesday 25 November")).to_be_visible()
    shot("day-slots")
    page.get_by_role("button", name=re.compile(r"^10:00 AM")).click()
    expect(page.get_by_label("Service category")).to_be_visible()  # the hold is taken once intake shows
    hold = world.conn.execute("select status, starts_at, expires_at from app.slot_reservations where customer_id = %s",
                              [customer]).fetchone()
    assert (hold["status"], hold["starts_at"], hold["expires_at"]) == ("reserved", start, world.value("select app.app_now()") + timedelta(minutes=15))

    page.get_by_label("Service category").select_option("diagnostic")
    page.get_by_label("Describe the problem or question").fill("A clunk from the front left wheel over bumps.")
    shot("intake")
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    shot("review")
    page.get_by_role("button", name=re.compile("^Pay")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    shot("confirmation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download .ics").click()
    path = tmp_path / "invite.ics"
    download.value.save_as(path)
    event = next(iter(ics.Calendar(path.read_text()).events))  # the `ics` parser, not the library that wrote it
    assert event.begin.datetime.astimezone(timezone.utc) == start.astimezone(timezone.utc)
    assert event.end.datetime - event.begin.datetime == timedelta(minutes=30)
    session = world.conn.execute("select id, status, scheduled_for from app.sessions where customer_id = %s", [customer]).fetchone()
    assert (session["status"], session["scheduled_for"]) == ("scheduled", start)
    assert event.uid == f"session-{session['id']}@autodoctor.app"
    assert world.value("select status from app.slot_reservations where customer_id = %s", [customer]) == "confirmed"
