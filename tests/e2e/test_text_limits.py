"""A text box with a limit in the browser (issue 17): the limit is stated next to it, counter.js turns that into
a live count of the characters left, and a summary refused by the server comes back with what was typed."""
from datetime import timedelta

from playwright.sync_api import expect

from availability_world import World, local
from conftest import NOW, make_customer, make_staff

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")


def test_the_summary_counts_the_characters_left_as_the_mechanic_types(page, live_server, database):
    database.set_clock(NOW)
    mechanic = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    customer = make_customer(database)
    with database.owner() as conn:
        world = World(conn)
        for weekday, spans in ALL_DAY.items():
            conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                         "values (%s, %s, '00:00', '24:00')", [mechanic, weekday])
        conn.execute("update app.mechanic_settings set min_notice_minutes = 0 where mechanic_id = %s", [mechanic])
        session = world.book(customer, mechanic, START)
        conn.execute("update app.sessions set status = 'pending' where id = %s", [session])
    database.set_clock(START - timedelta(minutes=5))
    with database.owner() as conn:
        conn.execute("select app.start_session(%s, %s)", [mechanic, session])

    page.goto("/login")
    page.get_by_label("Email", exact=True).fill("maria@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(f"/mechanic/sessions/{session}")

    box = page.locator("textarea#summary")
    note = page.locator("#summary-count")
    expect(note).to_have_text("4,000 of 4,000 characters left.")
    box.fill("Replace the front pads soon.")
    expect(note).to_have_text("3,972 of 4,000 characters left.")
    expect(box).to_have_attribute("maxlength", "4000")
