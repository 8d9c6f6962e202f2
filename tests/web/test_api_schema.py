"""Schemathesis against the API's own document (/api/openapi.json), on the app served on 127.0.0.1: every
phase (the document's examples, coverage of edges, fuzzing, stateful chains) calls every operation with
generated requests, valid and invalid, as a logged-in customer with appointments (the X-CSRFToken header sent
too), and every check of schemathesis must pass: no 500, only documented status codes, content types and
bodies, valid data accepted, invalid data refused, the log-in and CSRF token enforced, 405 with an Allow header.
Bounded in examples so that the whole run stays well under a minute.

Schemathesis' engine is run directly: its pytest helper for fixtures does not work with pytest 9.2, and its
in-process WSGI transport does not take every option its engine passes, so the app is served over HTTP."""
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from werkzeug.serving import make_server

from test_appointments import ALL_DAY, START
from availability_world import World
from conftest import NOW, log_in, make_customer

pytestmark = pytest.mark.slow  # the schema fuzz test: every operation called as the document allows

MAX_EXAMPLES = 10
# Valid data is accepted (positive_data_acceptance) with schemathesis' own list, plus the two answers the API
# gives to requests whose every field has its documented type but which a rule refuses, that JSON Schema cannot
# state: 400 when fields disagree or name nothing real (an end before its start, more than 62 days of slots, an
# unknown time zone, a brand specialist without a make, a move to the time it already has), 422 when the moment
# or the state says no (a time not free, an appointment already cancelled).
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx"]


def casey_with_appointments(database):
    """Casey, with a paid online session at START and one already cancelled; the clock at NOW."""
    database.set_clock(NOW)
    customer = make_customer(database)
    with database.owner() as conn:
        world = World(conn)
        mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
        world.book(customer, mechanic, START)
        cancelled = world.book(customer, mechanic, START + timedelta(hours=2))
        conn.execute("select * from app.cancel_session(%s, %s)", [customer, cancelled])


@contextmanager
def served(app):
    """The app on a free port of 127.0.0.1 (as tests/e2e serve it); yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def failures_of(schema):
    """Every failed check and every error of a whole run: what failed, how, and the call that shows it."""
    found = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished) and event.status == Status.FAILURE:
            for case_id, checks in event.recorder.checks.items():
                response = event.recorder.find_response(case_id=case_id)
                for check in checks:
                    if check.status == Status.FAILURE:
                        failure = check.failure_info.failure
                        found.append(f"{event.recorder.label}: {check.name} ({response and response.status_code}): "
                                     f"{failure.title}: {failure.message}\n    {check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: error: {event.value!r}")
        elif isinstance(event, events.FatalError):
            found.append(f"the run: error: {event.exception!r}")
    return sorted(set(found))


def test_the_api_keeps_every_promise_of_its_document(app, database, client):
    casey_with_appointments(database)
    log_in(client, "casey@example.com")
    token = client.get("/api/me").get_json()["csrf_token"]  # asked first: the session cookie carries it from then on
    cookie = client.get_cookie("autodoctor_session").value
    config = SchemathesisConfig.from_dict({
        "seed": 17,
        "generation": {"max-examples": MAX_EXAMPLES},
        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
        # the document's two security schemes: the log-in session's cookie and the CSRF header
        "auth": {"openapi": {"session": {"api_key": cookie}, "csrf": {"api_key": token}}},
    })
    with served(app) as base_url:
        failures = failures_of(schemathesis.openapi.from_url(f"{base_url}/api/openapi.json", config=config))
    assert not failures, f"{len(failures)} failure(s):\n" + "\n".join(failures)
