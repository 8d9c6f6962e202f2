"""What the Nu HTML Checker refuses, checked on every page a person of each role reaches from their workspace in
the demo world: no <form> inside a <p> (the parser ends the paragraph before the form and the </p> is left
over), no id twice on a page (the CSRF input of several forms), a required <select> that starts with an empty
choice outside any <optgroup>; and the site's icon, linked from every page and served at /favicon.ico."""
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

import demo
from conftest import submit

LOGINS = {"customer": "alex@example.com", "mechanic": "marcus.chen@autodoctor.example",
          "workshop_admin": "priya@queenwestauto.example", "admin": "admin@autodoctor.example"}
# links a sweep does not follow: downloads, files, the way out, and pages that only differ by a row id or a query
NOT_PAGES = re.compile(r"^/(static|attachments|logout|api|webhooks|dev)\b|\.ics$|\.csv$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# start tags that close an open <p> (WHATWG parsing): a form among them
CLOSES_P = {"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figcaption",
            "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu", "nav", "ol",
            "p", "pre", "section", "table", "ul"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.problems = [], Counter(), []
        self.select = None  # (required, first child seen) of the <select> being read
        self.icon = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag in CLOSES_P and "p" in self.stack:
            self.problems.append(f"<{tag}> inside <p>")
        if tag == "link" and "icon" in (attrs.get("rel") or "").split():
            self.icon = True
        if tag == "select":
            self.select = {"required": "required" in attrs, "first": None}
        elif self.select is not None and self.select["first"] is None and tag in ("option", "optgroup"):
            self.select["first"] = (tag, attrs.get("value"))
            if self.select["required"] and (tag == "optgroup" or attrs.get("value") not in ("", None)):
                self.problems.append(f"a required <select> starts with <{tag} value={attrs.get('value')!r}>")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def report(self):
        return self.problems + [f'id="{name}" {count} times' for name, count in self.ids.items() if count > 1] + (
            [] if self.icon else ["no icon link"])


def check(html):
    checker = Checker()
    checker.feed(html)
    return checker.report()


def sweep(client, start, limit=120, per_shape=4):
    """Every page reachable by links from `start`, a few per path shape (ids replaced): {path: problems}."""
    seen, shapes, queue, found = set(), Counter(), [start], {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if path in seen or shapes[shape] >= per_shape:
            continue
        seen.add(path)
        shapes[shape] += 1
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or not response.mimetype == "text/html":
            continue
        html = response.get_data(as_text=True)
        found[response.request.path] = check(html)
        queue += [href for href in re.findall(r'href="(/[^"#]*)', html) if not NOT_PAGES.search(href)]
    return found


@pytest.fixture(scope="module")
def demo_pages(pg_server, template_database, tmp_path_factory):
    """The pages of every role in one demo world, swept once for the module."""
    from app import create_app
    import db as app_db
    import rooms
    from conftest import clone_database, drop_database
    database = clone_database(pg_server, template_database)
    demo.seed(database.url)
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database.url,
                      "VAR_DIR": str(tmp_path_factory.mktemp("var")), "SESSION_COOKIE_SECURE": False})
    pages = {"anyone": sweep(app.test_client(), "/", limit=20)}
    for role, email in LOGINS.items():
        client = app.test_client()
        assert submit(client, "/login", {"email": email, "password": demo.DEMO_PASSWORD}).status_code == 302
        start = {"customer": "/customer/", "mechanic": "/mechanic/", "workshop_admin": "/workshop/",
                 "admin": "/admin/"}[role]
        pages[role] = sweep(client, start)
        if role == "customer":  # the wizards' first steps, which the dashboard reaches by a button
            for path in ("/customer/book/", "/customer/schedule/"):
                pages[role].update(sweep(client, path, limit=1))
    yield pages
    rooms.close(app)
    app_db.close_pool(app)
    drop_database(pg_server, database.name)


@pytest.mark.parametrize("role", ["anyone", *LOGINS])
def test_no_page_breaks_the_html_rules_the_checker_found(demo_pages, role):
    pages = demo_pages[role]
    assert len(pages) >= (3 if role == "anyone" else 5), sorted(pages)
    assert {path: problems for path, problems in pages.items() if problems} == {}


def test_the_pages_the_tester_named_are_in_the_sweep(demo_pages):
    assert "/customer/book/vehicle" in demo_pages["customer"]
    assert any(re.fullmatch(r"/workshop/\d+/visits", path) for path in demo_pages["workshop_admin"])
    assert "/signup" in demo_pages["anyone"] and "/mechanic/availability" in demo_pages["mechanic"]
    assert any(re.fullmatch(r"/customer/appointments/\d+", path) for path in demo_pages["customer"])


def test_the_checker_sees_each_problem():
    page = '<html><head><link rel="icon" href="/i.ico"></head><body>{}</body></html>'
    assert check(page.format("<p><form></form></p>")) == ["<form> inside <p>"]
    assert check(page.format('<input id="csrf_token"><input id="csrf_token">')) == ['id="csrf_token" 2 times']
    assert check(page.format('<select required><optgroup label="A"><option value="x">x</option></optgroup></select>')) == [
        "a required <select> starts with <optgroup value=None>"]
    assert check(page.format('<select required><option value="">Choose</option><optgroup label="A">'
                             '<option value="x">x</option></optgroup></select>')) == []
    assert check("<html><body></body></html>") == ["no icon link"]


def test_the_icon_is_served_at_the_root_and_from_static(client):
    for path in ("/favicon.ico", "/static/favicon.ico"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
