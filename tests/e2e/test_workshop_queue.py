"""The workshop admin's visits in a real browser, on the demo world with the clock at conftest.NOW (Monday 09:00 in
Toronto): Queen West Auto Care's queue with Alex's request for Omar, the visit page, another time proposed with
the date and time fields, and Alex accepting it on their appointment page; then Alex checked in on the tablet and
the visit completed with its balance charged. Screenshots under var/screenshots/<test>/."""
import re
from datetime import timedelta

from playwright.sync_api import expect

import demo
from conftest import NOW

ADMIN = "priya@queenwestauto.example"


def log_in(page, shot, email, lands_on):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(lands_on))


def request_of(database):
    return database.scalar("select s.id from app.sessions s join app.users m on m.id = s.mechanic_id "
                           "where m.email = 'omar.farouk@queenwestauto.example' and s.status = 'requested'")


def test_the_workshop_admin_sees_the_request_and_proposes_another_time(page, shot, database, live_server):
    database.set_clock(NOW)
    demo.seed(database.url)
    request = request_of(database)
    log_in(page, shot, ADMIN, r"/workshop/$")
    shot("dashboard")

    page.get_by_role("link", name="Visits: requests, today and upcoming").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Queen West Auto Care")
    expect(page.get_by_text("Times in the workshop's zone, America/Toronto")).to_be_visible()
    waiting = page.locator("section#request")
    expect(waiting.get_by_role("heading")).to_contain_text("Waiting for your answer")
    expect(waiting.get_by_text("Alex Martin · +1 416 555 0101 · 2018 Honda Civic · Omar Farouk")).to_be_visible()
    expect(page.locator("section#upcoming li")).to_have_count(2)  # Miguel's two confirmed visits
    shot("queue")

    waiting.get_by_role("link", name=re.compile(r"^Wed 25 Nov, 9:00 AM EST")).click()
    expect(page).to_have_url(re.compile(f"/workshop/visits/{request}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Martin")
    expect(page.get_by_text("Awaiting your answer")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm this time")).to_be_visible()
    shot("request")

    page.get_by_label("Date", exact=True).fill("2026-11-26")
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Note for the customer (optional)").fill("Omar is free on Thursday morning.")
    page.get_by_role("button", name="Propose this time").click()
    expect(page.get_by_text("Proposed Thu 26 Nov, 10:00 AM EST.")).to_be_visible()
    expect(page.get_by_text("You proposed Thu 26 Nov 2026, 10:00 AM EST.")).to_be_visible()
    shot("proposed")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="← Visits at Queen West Auto Care").click()
    expect(page.locator("section#request").get_by_text(re.compile("You proposed Thu 26 Nov, 10:00 AM EST"))).to_be_visible()
    shot("queue-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Log out").click()
    log_in(page, shot, "alex@example.com", r"/customer/$")
    page.goto(f"/customer/appointments/{request}")
    offer = page.locator("section#counter-offer")
    expect(offer.get_by_role("heading")).to_have_text("Queen West Auto Care proposes another time")
    expect(offer.get_by_text("Omar is free on Thursday morning.")).to_be_visible()
    shot("customer-offer")
    offer.get_by_role("button", name="Accept this time").click()
    expect(page.get_by_text("your visit moved to the time the workshop proposed and is confirmed")).to_be_visible()
    expect(page.get_by_text("Thu 26 Nov 2026, 10:00 AM EST")).to_be_visible()
    shot("customer-accepted")
    assert database.scalar("select status from app.sessions where id = %s", [request]) == "scheduled"


def test_the_tablet_checks_the_customer_in_and_completing_charges_the_balance(page, shot, database, live_server):
    database.set_clock(NOW)
    demo.seed(database.url)
    visit = database.scalar("select s.id from app.sessions s join app.users c on c.id = s.customer_id "
                            "join app.users m on m.id = s.mechanic_id where c.email = 'alex@example.com' "
                            "and m.email = 'miguel.santos@queenwestauto.example'")
    starts = database.scalar("select scheduled_for from app.sessions where id = %s", [visit])
    database.set_clock(starts - timedelta(minutes=10))  # Alex has just arrived at the workshop
    log_in(page, shot, ADMIN, r"/workshop/$")
    page.get_by_role("link", name="Visits: requests, today and upcoming").click()
    today = page.locator("section#today")
    expect(today.get_by_text(re.compile("Alex Martin"))).to_be_visible()
    shot("queue-today")

    today.get_by_role("link", name="Check in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex Martin")
    expect(page.locator("canvas[data-signature-pad]")).to_be_visible()  # signature.js shows the drawing pad
    page.get_by_label("I have read the waiver and agree to it").check()
    page.get_by_label("Type your full name").fill("Alex Martin")
    shot("check-in")
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("Thank you, Alex Martin: you are checked in.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)  # the tablet stays a kiosk
    shot("checked-in")

    page.get_by_role("link", name="Staff: back to visits").click()
    expect(page.locator("section#today").get_by_text(re.compile("Alex Martin"))).to_be_visible()
    page.goto(f"/workshop/visits/{visit}")
    expect(page.get_by_text("Checked in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Complete the visit and charge the balance")).to_have_count(0)  # not before the start
    database.set_clock(starts + timedelta(minutes=50))
    page.reload()
    page.get_by_role("button", name="Complete the visit and charge the balance").click()
    expect(page.get_by_text("The balance of $34.00 CAD is paid.")).to_be_visible()  # extended: $49 − $15
    shot("completed")
    assert database.scalar("select status from app.payments where session_id = %s and kind = 'balance'", [visit]) == "succeeded"
    assert database.scalar("select count(*) from app.money_audit()") == 0
