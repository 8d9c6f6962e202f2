"""The browser set-up itself: home page, the log-in link, a customer's log-in through the real form (with its
CSRF token), the dashboard, and a screenshot of every step."""
import re

from playwright.sync_api import expect

from conftest import PASSWORD, make_customer

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_customer_logs_in_from_the_home_page(page, live_server, database, shot):
    make_customer(database, email="casey@example.com", name="Casey Customer")
    shots = []

    page.goto("/")
    expect(page).to_have_title("Car trouble? Talk to a mechanic · Auto Doctor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Car trouble? Talk to a real mechanic.")
    shots.append(shot("home"))

    page.get_by_role("link", name="Log in", exact=True).click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    shots.append(shot("login"))

    page.get_by_label("Email", exact=True).fill("casey@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/customer/") + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Casey")
    shots.append(shot("dashboard"))

    assert [path.name for path in shots] == ["01-home.png", "02-login.png", "03-dashboard.png"]
    for path in shots:
        assert path.read_bytes()[:8] == PNG_SIGNATURE and path.stat().st_size > len(PNG_SIGNATURE)
