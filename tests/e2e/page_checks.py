"""Every page the browser tests visit is checked, and a problem fails the test that visited it. The live server
keeps each HTML document the browser navigated to (Sec-Fetch-Dest: document), and at the end of the test:

- axe-core (shipped inside the axe-playwright-python package, injected by Playwright: nothing from a CDN) runs
  the WCAG 2 A and AA rules, every impact level, on each document shown again in a fresh browser context with the
  cookies it was fetched with (its scripts run; a navigation they start is stopped, so axe sees that page).
  Once per path pattern (numbers stand for ids) for the whole run: axe takes a while.
- the Nu HTML Checker (npm's vnu-jar, run by Java; ./dev test installs both) reads the same HTML, once per path
  pattern and status. It runs as a local web service, started in the background when the first browser test
  begins, because a Java start costs seconds.

(axe runs on a replay rather than on the test's own tabs: Playwright cannot evaluate in a page whose navigation
is held, so a page left by a click could not be caught before it goes.)
"""
import json
import re
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "var" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
               "resultTypes": ["violations"]}


def path_pattern(url):
    return re.sub(r"\d+", "N", urlsplit(url).path)


@dataclass
class Document:
    url: str
    status: int
    content_type: str
    html: str
    cookies: dict


class PageChecks:
    """The checks of one test run; begin() and finish() frame each test."""

    def __init__(self):
        self.validator = NuChecker()
        self.axed, self.validated = set(), set()
        self.base_url, self.documents = None, []

    def begin(self, base_url):
        self.base_url, self.documents = base_url, []

    def record(self, sender, response, **extra):
        """flask.request_finished, on the live server's threads: keeps what the browser navigated to."""
        from flask import request
        if (request.headers.get("Sec-Fetch-Dest") == "document" and response.mimetype == "text/html"
                and not response.is_streamed):
            self.documents.append(Document(request.url, response.status_code, response.content_type,
                                           response.get_data(as_text=True), dict(request.cookies)))

    def finish(self, browser):
        """The problems of the pages this test visited, one line each."""
        problems = []
        for document in self.documents:
            key = (path_pattern(document.url), document.status)
            if key not in self.validated:
                self.validated.add(key)
                problems += [f"HTML {document.status} {document.url} line {m.get('lastLine', '?')}: "
                             f"{m.get('message')} [{m.get('extract', '').strip()}]"
                             for m in self.validator.errors(document.html)]
            if path_pattern(document.url) not in self.axed and browser is not None:
                self.axed.add(path_pattern(document.url))
                problems += self.axe(browser, document)
        self.begin(None)
        return problems

    def axe(self, browser, document):
        context = browser.new_context(base_url=self.base_url, viewport={"width": 1280, "height": 900},
                                      timezone_id="America/Toronto", locale="en-CA")
        try:
            context.add_cookies([{"name": name, "value": value, "url": self.base_url}
                                 for name, value in document.cookies.items()])
            page = context.new_page()
            shown = []

            def serve(route):
                if not route.request.is_navigation_request() or route.request.frame.parent_frame is not None:
                    route.fallback()
                elif not shown:
                    shown.append(route.request.url)
                    route.fulfill(status=document.status, content_type=document.content_type, body=document.html)
                else:
                    route.fulfill(status=204)  # the page's own script moving on: No Content keeps this page

            page.route(lambda url: url.startswith(self.base_url), serve)
            page.goto(document.url)
            page.evaluate(AXE_SCRIPT)
            violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
        except PlaywrightError as error:
            return [f"axe could not check {document.url}: {error.message.splitlines()[0]}"]
        finally:
            context.close()
        problems = []
        for violation in violations:
            where = "; ".join(" ".join(map(str, node["target"])) for node in violation["nodes"][:5])
            more = len(violation["nodes"]) - 5
            problems.append(f"axe {violation['id']} ({violation['impact']}) on {document.url}: {violation['help']}: "
                            f"{where}{f' and {more} more' if more > 0 else ''}")
        return problems


class NuChecker:
    """vnu.jar's web service on a free port of 127.0.0.1, asked for errors only."""

    START_SECONDS = 180

    def __init__(self):
        if not VNU_JAR.exists():
            raise RuntimeError(f"The browser tests check HTML with the Nu HTML Checker, which is missing at {VNU_JAR}: "
                               "run ./dev test, which installs it (npm's vnu-jar) and Java.")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            ["java", "-Xss4m", "-Dnu.validator.servlet.bind-address=127.0.0.1", "-cp", str(VNU_JAR),
             "nu.validator.servlet.Main", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ready = False

    def errors(self, html):
        self._wait()
        request = urllib.request.Request(f"{self.url}?out=json&level=error", data=html.encode(),
                                         headers={"Content-Type": "text/html; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return [m for m in json.load(answer)["messages"] if m.get("type") != "info"]

    def _wait(self):
        deadline = time.monotonic() + self.START_SECONDS
        while not self.ready:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Nu HTML Checker stopped (exit {self.process.returncode}) before it answered.")
            try:
                urllib.request.urlopen(self.url, timeout=5).close()
                self.ready = True
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"The Nu HTML Checker did not answer within {self.START_SECONDS} s.") from None
                time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
