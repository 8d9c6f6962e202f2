"""Layout a browser has to measure, at 1280 px wide: the availability editor's days each hold their own time
inputs; a word of 2,000 letters in a concern wraps instead of widening the review page; and a greyed calendar
day (no free time) reads at 4.5:1 or better while still looking unlike a day one can pick."""
import re

from playwright.sync_api import expect

from conftest import PASSWORD, make_customer, make_staff

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
LONG_WORD = "Rattle" * 333 + "xx"  # 2,000 letters, no place to break

# every time input of each day's card, and the card: {day: {card: rect, inputs: [rect, ...]}}
DAY_BOXES = """() => Array.from(document.querySelectorAll('form.av-day')).map(form => ({
  day: form.querySelector('h3').textContent,
  card: form.getBoundingClientRect().toJSON(),
  inputs: Array.from(form.querySelectorAll('input[type=time]')).map(i => i.getBoundingClientRect().toJSON()),
}))"""

# WCAG 2 contrast of an element's text on its own background
CONTRAST = """element => {
  const rgb = text => text.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(element);
  const [a, b] = [lum(rgb(style.color)), lum(rgb(style.backgroundColor))].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), background: style.backgroundColor, decoration: style.textDecorationLine};
}"""


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Log in")


def inside(inner, outer):
    return (inner["left"] >= outer["left"] - 0.5 and inner["right"] <= outer["right"] + 0.5
            and inner["top"] >= outer["top"] - 0.5 and inner["bottom"] <= outer["bottom"] + 0.5)


def test_each_day_of_the_availability_editor_holds_its_own_time_inputs(page, shot, world, database):
    mechanic = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    for weekday in range(1, 8):
        world.conn.execute("insert into app.mechanic_availability (mechanic_id, weekday, start_time, end_time) "
                           "values (%s, %s, '09:00', '12:00'), (%s, %s, '13:00', '17:30')",
                           [mechanic, weekday, mechanic, weekday])
    log_in(page, "maria@example.com")
    page.goto("/mechanic/availability")
    shot("availability")
    days = page.evaluate(DAY_BOXES)
    assert len(days) == 7 and all(len(d["inputs"]) == 8 for d in days)  # two blocks and two empty rows each
    problems = [f"{d['day']}: an input at {i['left']:.0f}–{i['right']:.0f} px leaves its card at "
                f"{d['card']['left']:.0f}–{d['card']['right']:.0f} px" for d in days for i in d["inputs"]
                if not inside(i, d["card"])]
    assert problems == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_a_2000_letter_word_wraps_on_the_review_page(page, shot, world, database):
    mechanic = world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.users set name = 'Maria Mechanic' where id = %s", [mechanic])
    make_customer(database)
    log_in(page, "casey@example.com")
    page.goto("/customer/schedule/")
    page.get_by_role("button", name=re.compile("^Online")).click()
    page.get_by_role("button", name=re.compile("Just Advice")).click()
    page.get_by_role("button", name=re.compile("^Standard")).click()
    page.get_by_role("button", name="Choose Maria Mechanic").click()
    page.locator('a[data-day="2026-11-25"]').click()
    page.get_by_role("button", name=re.compile(r"^10:00 AM")).click()
    page.get_by_label("Service category").select_option("diagnostic")
    page.get_by_label("Describe the problem or question").fill(LONG_WORD)
    page.get_by_role("button", name="Continue").click()
    concern = page.locator("dd.sched-text")
    expect(concern).to_have_text(LONG_WORD)
    shot("review")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    box = concern.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280 and box["height"] > 100  # many lines, not one


def test_greyed_days_are_readable_and_still_look_unavailable(page, shot, world, database):
    mechanic = world.mechanic(blocks={3: [("09:00", "17:00")]})  # Wednesdays only
    world.conn.execute("update app.users set name = 'Maria Mechanic' where id = %s", [mechanic])
    make_customer(database)
    log_in(page, "casey@example.com")
    page.goto("/customer/schedule/")
    page.get_by_role("button", name=re.compile("^Online")).click()
    page.get_by_role("button", name=re.compile("Just Advice")).click()
    page.get_by_role("button", name=re.compile("^Standard")).click()
    page.get_by_role("button", name="Choose Maria Mechanic").click()
    shot("calendar")
    greyed = page.locator('span.sched-day.none[data-day="2026-11-24"]')
    free = page.locator('a.sched-day[data-day="2026-11-25"]')
    grey, open_day = greyed.evaluate(CONTRAST), free.evaluate(CONTRAST)
    assert grey["ratio"] >= 4.5, grey
    assert grey["background"] != open_day["background"] and grey["decoration"] == "line-through"
    assert open_day["decoration"] != "line-through"
