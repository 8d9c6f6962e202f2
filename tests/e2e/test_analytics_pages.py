"""The numbers pages in a real browser on the demo world (issue 15; SPEC §15, §20), with the clock at
conftest.NOW: the platform admin's analytics, money, payouts due and operations; a workshop admin's and a
mechanic's analytics. Each page draws its charts with something in them; a screenshot of each, on a wide
screen and on a phone, goes to var/screenshots/<test>/."""
import re

import pytest
from playwright.sync_api import expect

import demo
from conftest import NOW

RANGE = "start=2026-08-26&end=2026-11-23"  # 90 days up to NOW


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile("/login"))


def charts_with_marks(page):
    """How many charts on the page draw at least one bar, cell, column or point."""
    return page.evaluate("""() => [...document.querySelectorAll('svg[role=img]')].filter(svg =>
        svg.querySelector('rect.chart-bar, rect.chart-cell, rect.chart-column, polyline')).length""")


@pytest.fixture
def demo_world(database):
    database.set_clock(NOW)
    demo.seed(database.url)


@pytest.mark.parametrize("email, pages", [
    ("admin@autodoctor.example", [("analytics", f"/admin/analytics?{RANGE}", 5), ("money", f"/admin/money?{RANGE}", 0),
                                  ("payouts-due", f"/admin/money/payouts-due?{RANGE}", 0),
                                  ("operations", f"/admin/operations?{RANGE}", 0)]),
    ("priya@queenwestauto.example", [("analytics", "/workshop/{workshop}/analytics?" + RANGE, 4)]),
    ("marcus.chen@autodoctor.example", [("analytics", f"/mechanic/analytics?{RANGE}", 3)]),
])
def test_numbers_pages_on_the_demo_world(page, shot, database, demo_world, email, pages):
    workshop = database.scalar("select workshop_id from app.workshop_admins a join app.users u on u.id = a.user_id "
                               "where u.email = 'priya@queenwestauto.example'")
    log_in(page, email)
    for name, path, charts in pages:
        response = page.goto(path.format(workshop=workshop))
        assert response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert charts_with_marks(page) >= charts, (path, charts_with_marks(page))
        shot(name)
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, f"{path} is wider than a phone"
        shot(name + "-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
