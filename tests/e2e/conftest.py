"""Real-browser tests: the app served over HTTP on 127.0.0.1 and driven by the system Chromium through
Playwright's sync API. `page` opens on the live server (relative URLs work: `page.goto("/login")`), and
`shot(name)` keeps a screenshot of each step under var/screenshots/<test>/.

The app is the `app` fixture of tests/conftest.py: a fresh cloned database that the test arranges through its
owner connection (`make_customer(database)` ...). Those commit, so the server's threads see the rows; the clock
is only frozen when the test asks for `world` or calls `database.set_clock(...)`.

Every page the tests visit is checked by axe-core and the Nu HTML Checker (page_checks.py): a problem fails the
test that visited the page, with the list of what was found."""
import itertools
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
from flask import got_request_exception, request_finished
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from .page_checks import PageChecks

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright never downloads a browser here (./dev test installs it)
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


def pytest_collection_modifyitems(items):
    """Every test of this folder drives the browser: marked e2e (`-m "not e2e"` leaves them out)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def page_checks():
    checks = PageChecks()
    yield checks
    checks.validator.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test that passed fails after all when a page it visited has accessibility or HTML problems."""
    checks = item.funcargs.get("page_checks")
    try:
        result = yield
    except BaseException:
        if checks is not None:
            checks.begin(None)  # the test's own failure says enough
        raise
    problems = checks.finish(item.funcargs.get("browser")) if checks is not None else []
    if problems:
        pytest.fail(f"{len(problems)} problem(s) on the pages this test visited:\n" + "\n".join(problems),
                    pytrace=False)
    return result


@pytest.fixture
def live_server(app, page_checks):
    """The app on a free port of 127.0.0.1, one thread per request as a browser opens several connections.
    Yields the base URL; an exception inside a request fails the test even when the page looks fine."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    failures = []

    def record(sender, exception, **extra):
        failures.append(exception)

    got_request_exception.connect(record, app)
    request_finished.connect(page_checks.record, app)
    page_checks.begin(f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()
    got_request_exception.disconnect(record, app)
    request_finished.disconnect(page_checks.record, app)
    if failures:
        pytest.fail(f"the server failed while serving the test: {failures!r}")


@pytest.fixture(scope="session")
def browser():
    args = ["--disable-dev-shm-usage",  # containers give /dev/shm too little room for Chromium
            # the session room: fake camera and microphone, allowed without a prompt, playing without a click,
            # and WebRTC between two tabs of this machine (real host addresses, loopback too)
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required", "--allow-loopback-in-peer-connection",
            "--disable-features=WebRtcHideLocalIpsWithMdns"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, live_server):
    """A fresh context (no cookies) per test, on the live server, as a customer in Toronto would browse.
    Closed before the server stops, so no connection outlives it."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True, timezone_id="America/Toronto", locale="en-CA")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def shot(page, request):
    """`shot(name)` saves the whole current page as var/screenshots/<test>/<NN>-<name>.png and returns the path;
    the test's folder is emptied first, so it shows this run only."""
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    numbers = itertools.count(1)

    def take(name):
        path = folder / f"{next(numbers):02d}-{name}.png"
        # a whole tall page (the money ledger's 500 rows) takes headless Chromium about 10 s to capture
        page.screenshot(path=path, full_page=True, timeout=3 * TIMEOUT_MS)
        return path

    return take
