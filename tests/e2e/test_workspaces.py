"""Staff workspaces in a real browser, on the demo world with the clock at conftest.NOW (Monday 09:00 in Toronto):
a mechanic's week calendar with the demo bookings, on a wide screen and on a phone, and only their own. Every
step is saved as a screenshot under var/screenshots/<test>/."""
import re

from playwright.sync_api import expect

import demo
from conftest import NOW


def log_in(page, shot, email):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    shot("login")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/mechanic/$"))


def demo_world(database):
    database.set_clock(NOW)
    demo.seed(database.url)


def session_of(database, customer_email, mechanic_email):
    return database.scalar("select s.id from app.sessions s join app.users c on c.id = s.customer_id "
                           "join app.users m on m.id = s.mechanic_id where c.email = %s and m.email = %s",
                           [customer_email, mechanic_email])


def test_a_mechanic_sees_their_week_with_the_demo_bookings(page, shot, database, live_server):
    demo_world(database)
    log_in(page, shot, "marcus.chen@autodoctor.example")
    shot("dashboard")
    page.get_by_role("link", name="Week calendar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My week from Monday 23 November 2026")
    expect(page.get_by_text("Times in your zone, America/Toronto")).to_be_visible()
    alex = page.get_by_role("link", name=re.compile(r"^11:00–11:30 Alex · Standard Online"))
    expect(alex).to_be_visible()
    expect(alex).to_have_attribute("href", f"/mechanic/sessions/{session_of(database, 'alex@example.com', 'marcus.chen@autodoctor.example')}")
    expect(page.get_by_role("link", name=re.compile(r"^14:00–15:00 Jasmine · Premium"))).to_be_visible()
    week = page.get_by_role("table")
    expect(week.get_by_text("09:00–12:00 open").first).to_be_visible()
    expect(week.get_by_text("On hold")).to_be_visible()
    expect(page.get_by_text("At the workshop")).to_have_count(0)  # Queen West's visits are not his
    expect(page.locator("th[aria-current=date]")).to_contain_text("Mon 23 Nov")
    shot("calendar")

    page.get_by_role("link", name="Next week →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My week from Monday 30 November 2026")
    expect(page.get_by_role("link", name=re.compile("Alex"))).to_have_count(0)
    shot("next-week")
    page.get_by_role("link", name="This week").click()

    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("heading", name=re.compile("^Monday 23 Nov"))).to_be_visible()
    expect(page.locator(".cal-grid")).to_be_hidden()
    shot("calendar-phone")
    page.get_by_role("link", name=re.compile("Liam · Extended")).click()
    liam = session_of(database, "liam@example.com", "marcus.chen@autodoctor.example")
    expect(page).to_have_url(re.compile(f"/mechanic/sessions/{liam}$"))
    shot("session-phone")


def test_a_workshop_mechanic_sees_the_visits_at_the_workshop_and_its_hours(page, shot, database, live_server):
    demo_world(database)
    log_in(page, shot, "miguel.santos@queenwestauto.example")
    page.goto("/mechanic/calendar")

    week = page.get_by_role("table")
    expect(week.get_by_text("08:00–12:00 open").first).to_be_visible()
    expect(week.get_by_text("12:00–13:00 Break").first).to_be_visible()
    expect(week.get_by_text("Workshop closed")).to_be_visible()  # Sundays
    visits = page.get_by_role("link", name=re.compile("At the workshop"))
    expect(visits).to_have_count(2)
    expect(page.get_by_role("link", name=re.compile("Jasmine|Liam"))).to_have_count(0)  # Marcus's customers
    shot("calendar")
