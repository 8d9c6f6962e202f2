"""The platform admin's accounts in a real browser (SPEC §1, §16, §20): the admin creates a workshop, its admin
and a mechanic of the workshop through the pages; the mechanic opens the set-password link of the email the
app delivered, sets a password and logs in. Every step is saved as a screenshot under var/screenshots/<test>/,
the set-password page and the accounts list also at phone width."""
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from playwright.sync_api import expect

import jobs
from conftest import NOW, PASSWORD, make_staff

NEW_PASSWORD = "a brand new password"


def log_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def delivered_link(app, address):
    """Delivers the outbox as the app's job does (into the mailbox folder) and reads the link from the email."""
    jobs.run_job(app, "deliver_outbox")
    for path in sorted((Path(app.config["VAR_DIR"]) / "mailbox").glob("*-staff_invite.eml")):
        email = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if email["To"].addresses[0].addr_spec == address:
            text = email.get_body(preferencelist=("plain",)).get_content()
            return re.search(r"http://127\.0\.0\.1:5000(/set-password/[A-Za-z0-9_-]+)", text).group(1)
    raise AssertionError(f"no invitation to {address}")


def test_the_admin_creates_a_workshop_its_admin_and_a_mechanic_who_sets_a_password(app, page, shot, database):
    database.set_clock(NOW)
    make_staff(database, "admin", "ada@example.com", name="Ada Admin")
    log_in(page, "ada@example.com", PASSWORD)
    page.goto("/admin/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    shot("accounts")

    page.get_by_role("navigation", name="Accounts").get_by_role("link", name="New workshop").click()
    page.get_by_label("Workshop name").fill("Harbour Motors")
    page.get_by_label("Street address").fill("5 Water St")
    page.get_by_label("City").fill("Halifax")
    page.get_by_label("Province or state").fill("NS")
    page.get_by_label("Postal code").fill("b3j 1s9")
    page.get_by_label("Time zone").select_option("America/Halifax")
    page.get_by_label("Stripe account id (optional)").fill("not a stripe id")
    page.get_by_role("button", name="Create the workshop").click()
    expect(page.locator("#stripe_account_id-error")).to_have_attribute("data-code", "UV085")
    shot("workshop-error")
    page.get_by_label("Stripe account id (optional)").fill("acct_1Harbour")
    page.get_by_role("button", name="Create the workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Motors")
    expect(page.get_by_text("Add its workshop admins now")).to_be_visible()
    shot("workshop-created")

    page.get_by_label("Full name").fill("Siobhan Desk")
    page.get_by_label("Email", exact=True).fill("siobhan@example.com")
    page.get_by_role("button", name="Add the admin and email the link").click()
    expect(page.get_by_role("link", name="Siobhan Desk")).to_be_visible()
    shot("workshop-admin-added")

    page.get_by_role("link", name="Add a mechanic at Harbour Motors").click()
    expect(page.get_by_label("Workshop", exact=True)).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_label("Works at a workshop")).to_be_checked()
    page.get_by_label("Full name").fill("Nia Newton")
    page.get_by_label("Email", exact=True).fill("nia@example.com")
    page.get_by_role("button", name="Create the mechanic and email the link").click()
    expect(page.locator("#partnership_type-error")).to_be_visible()  # employee or contractor?
    shot("mechanic-error")
    page.get_by_label("Employee of the workshop").check()
    page.get_by_label("Specialties (optional)").fill("brakes, electrical")
    page.get_by_label("Brands (optional)").fill("Toyota, Honda")
    page.get_by_label("Years of experience").fill("12")
    page.get_by_label("Time zone").select_option("America/Halifax")
    shot("mechanic-form")
    page.get_by_role("button", name="Create the mechanic and email the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Newton")
    expect(page.get_by_text("Works at a workshop (employee of the workshop)")).to_be_visible()
    expect(page.get_by_text("Not set yet")).to_be_visible()
    shot("mechanic-created")
    mechanic = database.scalar("select id from app.users where email = 'nia@example.com'")
    assert database.scalar("select app.mechanic_type(%s)", [mechanic]) == "workshop_affiliated"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/admin/accounts")
    expect(page.get_by_role("link", name="Nia Newton")).to_be_visible()
    shot("accounts-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    link = delivered_link(app, "nia@example.com")
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    expect(page.get_by_text("nia@example.com")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("Repeat the new password").fill("too short")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator("#password-error")).to_be_visible()  # the form's own check: no database code
    page.set_viewport_size({"width": 390, "height": 844})
    shot("set-password-phone")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("Your password is set. Log in as nia@example.com")).to_be_visible()
    shot("password-set")
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, "nia@example.com", NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/mechanic/$"))
    shot("mechanic-logged-in")

    page.goto(link)
    expect(page.locator('[data-code="UR082"]')).to_be_visible()
    shot("link-used")
