"""Outbox delivery (SPEC §14): emails in text and HTML with their invites, through a real SMTP server on
127.0.0.1 or into the development mailbox; retries with back-off; nothing sent twice; invites read back by two
independent iCalendar parsers; SMS recorded; the waitlist's link leads into a booking."""
import logging
import re
import socket
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

import db
import jobs
import notifications
from app import create_app
from availability_world import local
from conftest import NOW, log_in, make_customer, submit
from support import set_clock

from .test_invites import read_with_ics, read_with_vobject

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")
PARSERS = (read_with_vobject, read_with_ics)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(BytesParser(policy=policy.default).parsebytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    """A real SMTP server on 127.0.0.1, and the app configured to send through it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    yield inbox
    controller.stop()


def deliver(app):
    return jobs.run_job(app, "deliver_outbox")


def outbox(world, **where):
    clauses = " and ".join(f"{column} = %s" for column in where) or "true"
    return world.conn.execute(f"select * from app.outbox where {clauses} order by id", list(where.values())).fetchall()


def invite_of(message):
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part.get_content().encode(), part.get_param("method")


def mailbox(app):
    return sorted((Path(app.config["VAR_DIR"]) / "mailbox").glob("*.eml"))


def read_eml(path):
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def test_smtp_round_trip_sends_text_html_and_invite_to_both_sides_once(app, world, smtp):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)

    assert deliver(app) == 2
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in smtp.messages}
    emails = {r["id"]: world.value("select email from app.users where id = %s", [r["id"]])
              for r in world.conn.execute("select unnest(array[%s, %s]) as id", [customer, mechanic])}
    assert set(by_recipient) == {emails[customer], emails[mechanic]}
    to_customer = by_recipient[emails[customer]]
    assert to_customer["Subject"].startswith("Booked: your Standard session on Wed 25 Nov 2026")
    text = to_customer.get_body(preferencelist=("plain",)).get_content()
    html = to_customer.get_body(preferencelist=("html",)).get_content()
    link = f"http://127.0.0.1:5000/customer/appointments/{session}"
    assert link in text and f'href="{link}"' in html
    assert "sign the waiver from 1 hour before" in text
    data, method = invite_of(to_customer)
    assert method == "REQUEST"
    for read in PARSERS:
        parsed = read(data)
        assert (parsed["uid"], parsed["sequence"], parsed["start"]) == (f"session-{session}@autodoctor.app", 0, START)
        assert parsed["organizer"] == "mailto:no-reply@autodoctor.app"  # RFC 5546: a REQUEST names both sides
        assert parsed["attendees"] == [f"mailto:{emails[customer]}"]
    assert "New booking" in by_recipient[emails[mechanic]]["Subject"]

    rows = outbox(world, session_id=session)
    assert [(r["status"], r["delivered_via"], r["attempts"]) for r in rows] == [("sent", "smtp", 1)] * 2
    assert {r["provider_ref"] for r in rows} == {m["Message-ID"] for m in smtp.messages}
    assert deliver(app) == 0 and len(smtp.messages) == 2  # never twice
    assert mailbox(app) == []


def test_a_failing_smtp_server_is_retried_with_back_off_and_sends_once(app, world):
    port = free_port()  # nothing listens there yet
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none")
    customer = world.customer()
    world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [customer])
    [row] = outbox(world, template="waitlist_joined")

    assert deliver(app) == 0
    [row] = outbox(world, id=row["id"])
    assert (row["status"], row["attempts"], row["next_attempt_at"]) == ("pending", 1, NOW + timedelta(minutes=1))
    assert "ConnectionRefusedError" in row["last_error"]
    set_clock(world, NOW + timedelta(seconds=59))
    assert deliver(app) == 0 and outbox(world, id=row["id"])[0]["attempts"] == 1  # not due yet
    set_clock(world, NOW + timedelta(minutes=1))
    assert deliver(app) == 0
    assert outbox(world, id=row["id"])[0]["next_attempt_at"] == NOW + timedelta(minutes=3)  # then 2 minutes

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        set_clock(world, NOW + timedelta(minutes=3))
        assert deliver(app) == 1
        assert deliver(app) == 0
    finally:
        controller.stop()
    assert [m["Subject"] for m in inbox.messages] == ["You're on the waitlist"]
    [row] = outbox(world, id=row["id"])
    assert (row["status"], row["attempts"], row["last_error"]) == ("sent", 3, None)


def test_a_message_that_keeps_failing_stops_after_its_last_attempt(world):
    customer = world.customer()
    world.conn.execute("select app.notify(%s, 'waitlist_joined', '{}', null, 'k')", [customer])
    [row] = outbox(world)
    for attempt in range(1, 9):
        [claimed] = world.conn.execute("select * from app.claim_outbox(10)").fetchall()
        assert claimed["attempts"] == attempt
        status = world.value("select app.record_delivery(%s, p_error => 'refused')", [row["id"]])
        set_clock(world, NOW + timedelta(days=attempt))
    assert status == "failed"
    assert world.conn.execute("select * from app.claim_outbox(10)").fetchall() == []


def test_two_deliverers_at_once_never_take_the_same_message(database, world):
    for _ in range(40):
        world.conn.execute("select app.notify(%s, 'waitlist_joined')", [world.customer()])
    first, second = database.owner(), database.owner()
    first.execute("begin")
    taken_first = {r["id"] for r in first.execute("select * from app.claim_outbox(25)")}
    taken_second = {r["id"] for r in second.execute("select * from app.claim_outbox(25)")}  # skips the locked rows
    first.execute("commit")
    assert len(taken_first) == 25 and len(taken_second) == 15 and not taken_first & taken_second
    assert world.conn.execute("select * from app.claim_outbox(50)").fetchall() == []  # all under their lease
    first.close()
    second.close()


def test_a_run_takes_batch_after_batch_while_messages_are_due_and_stops_at_its_budget(app, database, world, monkeypatch,
                                                                                     caplog):
    """Each message takes a second of the run's clock to send: a run with a 25-second budget takes batches of 10
    until 25 seconds have gone (three batches), and the next run takes the rest; every message goes once."""
    customer = world.customer()
    world.conn.execute("select app.notify(%s, 'waitlist_joined') from generate_series(1, 50)", [customer])
    sends, send = [], notifications.Transports.send

    def a_second_each(transports, message):
        sends.append(message["id"])
        return send(transports, message)

    monkeypatch.setattr(notifications.Transports, "send", a_second_each)
    monkeypatch.setattr(notifications, "monotonic", lambda: float(len(sends)))
    with caplog.at_level(logging.INFO, logger="notifications"), app.app_context(), database.owner() as conn, db.using(conn):
        assert notifications.deliver_outbox(limit=10, budget=25, senders=2) == 30
    assert "30 of 30 claimed sent in 30.0 s; 20 pending, 20 due, the oldest due for 0:00:00" in caplog.text
    assert [(r["status"], r["n"]) for r in world.conn.execute(
        "select status, count(*) as n from app.outbox group by status order by status")] == [("pending", 20), ("sent", 30)]

    assert deliver(app) == 20 and deliver(app) == 0
    assert len(sends) == len(set(sends)) == 50 and len(mailbox(app)) == 50
    assert {(r["status"], r["attempts"]) for r in outbox(world)} == {("sent", 1)}


def test_invites_keep_their_uid_and_raise_their_sequence_through_a_reschedule_and_a_cancellation(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    deliver(app)
    moved = START + timedelta(days=1, hours=2)
    world.conn.execute("select * from app.reschedule_session(%s, %s, %s)", [customer, session, moved])
    deliver(app)
    world.conn.execute("select * from app.cancel_session(%s, %s, 'Sold the car')", [customer, session])
    deliver(app)

    to_customer = [read_eml(p) for p in mailbox(app)
                   if "customer" in read_eml(p)["To"] and read_eml(p)["To"].addresses[0].addr_spec.startswith("customer")]
    subjects = [m["Subject"].split(":")[0] for m in to_customer]
    assert subjects == ["Booked", "Moved", "Cancelled"]
    invites = [invite_of(m) for m in to_customer]
    assert [method for _, method in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    for read in PARSERS:
        parsed = [read(data) for data, _ in invites]
        assert {p["uid"] for p in parsed} == {f"session-{session}@autodoctor.app"}
        assert [p["sequence"] for p in parsed] == [0, 1, 2]
        assert [p["start"] for p in parsed] == [START, moved, moved]
        assert all(p["start"].utcoffset() == timedelta(0) for p in parsed)
        assert [p["status"].upper() for p in parsed] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert "Sold the car" in to_customer[2].get_body(preferencelist=("plain",)).get_content()


def test_the_fifteen_minute_reminder_carries_the_waiver_and_join_links_and_its_invite(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    deliver(app)
    set_clock(world, START - timedelta(minutes=15))
    assert world.value("select app.queue_due_reminders()") == 1
    assert deliver(app) == 1
    [reminder] = [read_eml(p) for p in mailbox(app) if p.name.endswith("reminder_15min.eml")]
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    html = reminder.get_body(preferencelist=("html",)).get_content()
    waiver = f"http://127.0.0.1:5000/customer/appointments/{session}/waiver"
    join = f"http://127.0.0.1:5000/customer/appointments/{session}"
    assert f"Sign the waiver: {waiver}" in text and f"Join: {join}" in text
    assert f'href="{waiver}"' in html and f'href="{join}"' in html and "Join the session" in html
    for read in PARSERS:
        assert read(invite_of(reminder)[0])["start"] == START


def test_a_reminder_of_a_session_cancelled_before_delivery_is_withdrawn(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    session = world.book(customer, mechanic, START)
    set_clock(world, START - timedelta(hours=1))
    world.value("select app.queue_due_reminders()")
    world.conn.execute("select * from app.cancel_session(%s, %s)", [customer, session])
    deliver(app)
    [reminder] = outbox(world, template="reminder_1h")
    assert reminder["status"] == "withdrawn"
    assert not [p for p in mailbox(app) if "reminder" in p.name]


def test_the_one_hour_reminder_goes_by_sms_too_and_is_recorded_without_a_gateway(app, world):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.conn.execute("update app.users set phone = '+1 416 555 0100' where id = %s", [customer])
    world.book(customer, mechanic, START)
    set_clock(world, START - timedelta(hours=1))
    assert world.value("select app.queue_due_reminders()") == 2
    deliver(app)
    [sms] = outbox(world, channel="sms")
    assert (sms["template"], sms["status"], sms["delivered_via"]) == ("reminder_1h", "sent", "recorded")
    text = (Path(app.config["VAR_DIR"]) / "mailbox" / sms["provider_ref"]).read_text()
    assert text.startswith("To: +1 416 555 0100") and "In 1 hour" in text


def test_the_mailbox_page_lists_and_shows_mail_only_in_development(app, world, client):
    customer, mechanic = world.customer(), world.mechanic(blocks=ALL_DAY)
    world.book(customer, mechanic, START)
    deliver(app)
    assert client.get("/dev/mailbox").status_code == 404  # not registered unless DEV_MAILBOX is on

    development = create_app({**app.config, "DEV_MAILBOX": True})
    client = development.test_client()
    listing = client.get("/dev/mailbox")
    assert listing.status_code == 200
    names = re.findall(r'href="/dev/mailbox/([^"]+)"', listing.get_data(as_text=True))
    assert len(names) == 2 and "Booked: your Standard session" in listing.get_data(as_text=True)
    shown = client.get(f"/dev/mailbox/{names[0]}")
    assert shown.status_code == 200 and "Download autodoctor-" in shown.get_data(as_text=True)
    html = client.get(f"/dev/mailbox/{names[0]}/html")
    assert html.status_code == 200 and "script-src" not in html.headers["Content-Security-Policy"]
    ics = client.get(f"/dev/mailbox/{names[0]}/attachments/0")
    assert ics.mimetype == "text/calendar" and b"BEGIN:VCALENDAR" in ics.data
    for bad in ("../secret_key", "00000001-x.eml", f"{names[0]}/attachments/9"):
        assert client.get(f"/dev/mailbox/{bad}").status_code == 404
    # everyone's mail: a browser on another machine finds nothing there
    afar = development.test_client()
    afar.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    for path in ("/dev/mailbox", f"/dev/mailbox/{names[0]}", f"/dev/mailbox/{names[0]}/html"):
        assert afar.get(path).status_code == 404


def test_the_waitlist_message_leads_into_a_booking(app, database, world, client):
    customer = make_customer(database)
    log_in(client, "casey@example.com")
    world.conn.execute("select * from app.join_waitlist(%s, 'standard')", [customer])
    mechanic = world.mechanic()
    world.conn.execute("select app.set_on_shift(%s, true)", [mechanic])
    deliver(app)

    [email] = [read_eml(p) for p in mailbox(app) if p.name.endswith("waitlist_mechanic_online.eml")]
    assert email["To"].addresses[0].addr_spec == "casey@example.com"
    [link] = re.findall(r"Book now: (\S+)", email.get_body(preferencelist=("plain",)).get_content())
    wizard = client.get(urlsplit(link).path)
    assert wizard.status_code == 302 and wizard.location == "/customer/book/vehicle"
    submit(client, "/customer/book/vehicle", {"advice_only": "y"})
    submit(client, "/customer/book/plan", {"plan": "standard"})
    found = client.get("/customer/book/mechanic", query_string={"find": "1", "tab": "all"})
    assert found.status_code == 200 and "online now" in found.get_data(as_text=True)
    submit(client, "/customer/book/mechanic", {"city": "Toronto", "postal_code": "M5V 2T6", "tab": "all"},
           action="/customer/book/mechanic/continue")
    submit(client, "/customer/book/concern", {"concern_category": "other", "concern": "Is my car safe to drive?"})
    submit(client, "/customer/book/waiver", {"agree": "y", "typed_name": "Casey Customer"})
    paid = submit(client, "/customer/book/payment", {"card": "4242 4242 4242 4242"})
    assert paid.status_code == 302 and paid.location.endswith("/room")
    assert database.scalar("select count(*) from app.sessions where customer_id = %s and status = 'pending'",
                           [customer]) == 1
    assert [(r["channel"], r["status"]) for r in outbox(world, template="waitlist_mechanic_online")] == [
        ("email", "sent"), ("in_app", "sent")]


def test_sms_goes_to_the_configured_gateway_and_a_missing_phone_fails_at_once(app, world):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append((self.headers["Authorization"], json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
            self.send_response(202)
            self.end_headers()
            self.wfile.write(b'{"id": "sms-1"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_port}/send", SMS_GATEWAY_TOKEN="t0ken")
    customers = [world.customer(), world.customer()]
    for customer in customers:
        world.conn.execute("update app.users set phone = '+1 416 555 0100' where id = %s", [customer])
        world.book(customer, world.mechanic(blocks=ALL_DAY), START)
    set_clock(world, START - timedelta(hours=1))
    world.value("select app.queue_due_reminders()")
    world.conn.execute("update app.users set phone = null where id = %s", [customers[1]])  # removed since
    try:
        deliver(app)
    finally:
        server.shutdown()

    [(authorization, body)] = received
    assert authorization == "Bearer t0ken" and body["to"] == "+1 416 555 0100" and "In 1 hour" in body["body"]
    sent, failed = outbox(world, channel="sms")
    assert (sent["status"], sent["delivered_via"], sent["provider_ref"]) == ("sent", "sms_gateway", '{"id": "sms-1"}')
    assert (failed["status"], failed["attempts"], failed["last_error"]) == ("failed", 1, "the recipient has no phone number")
