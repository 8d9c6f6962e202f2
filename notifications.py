"""Outbox delivery (SPEC §14). SQL writes every notification into app.outbox in the transaction of its cause;
this module sends them: claim a batch (claim_outbox) → render and send its messages a few at a time, outside any
transaction → record each result as it comes (record_deliveries: sent, or due again after a back-off, or failed
after the last attempt; the results that came in while the last ones were being recorded go in one call) → claim
the next batch, while messages are due and the run's time budget lasts.

Channels:
    email   SMTP when SMTP_HOST is set; otherwise an .eml file in the mailbox folder (var/mailbox), which the
            development-only page /dev/mailbox lists and shows
    sms     a POST to SMS_GATEWAY_URL when set; otherwise recorded (and written to the mailbox folder)
    in_app  nothing to send: the dashboard shows it

A message is claimed by one runner under a lease and recorded as sent once; its Message-ID is the outbox
row's, so even a retry after a crash between sending and recording names the same message. What a crash (kill -9,
a lost machine) can still send twice: only the messages sent whose record had not committed, each sender's last
one or two (the one it was sending, and one sent while the previous results were being recorded, a round trip).
SMTP has no way to take a message back or to ask whether one arrived, so delivery is at least once; this keeps
the "more than once" to those few. The messages the crashed run had claimed and not sent go out once, when their
lease (5 job-minutes) ends; their attempts say 2.
"""
import json
import logging
import os
import queue
import smtplib
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from pathlib import Path
from time import monotonic

from flask import current_app, render_template, url_for
from psycopg.types.json import Jsonb

import db
import invites
from formats import format_local_time

log = logging.getLogger(__name__)

# the .ics each message carries: the event as it stood when the message was queued, as a request (TENTATIVE
# until the booking is accepted) or a cancellation
INVITE_METHODS = {
    "session_requested": "REQUEST", "session_booked": "REQUEST", "session_accepted": "REQUEST",
    "session_rescheduled": "REQUEST", "session_reassigned": "REQUEST", "reminder_24h": "REQUEST", "reminder_1h": "REQUEST",
    "reminder_15min": "REQUEST", "session_cancelled": "CANCEL", "session_handed_over": "CANCEL",
}


HOMES = {"mechanic": "mechanic.dashboard", "workshop": "workshop.dashboard", "admin": "admin.dashboard"}  # the customer's is theirs


class PermanentFailure(Exception):
    """A message that no retry can deliver (no phone number, no template): failed at once."""


# A run claims BATCH messages at a time and sends them SENDERS at once (each sender with its own SMTP connection,
# kept for the run), and claims no more after BUDGET job-minutes: it ends before the job's next minute, and every
# batch ends far inside the lease claim_outbox gives it (LEASE job-minutes).
BATCH = 100
SENDERS = 4
BUDGET = 0.75
LEASE = 5


def deliver_outbox(limit=BATCH, budget=None, senders=SENDERS):
    """One delivery run: claims batch after batch while messages are due, for at most `budget` seconds (BUDGET of
    a job-minute unless given; it always takes one batch), sends every claimed message once and records each
    result as it comes. Logs what it sent and the backlog it leaves; returns how many were sent."""
    app = current_app._get_current_object()
    minute = app.config["JOB_MINUTE_SECONDS"]
    budget = BUDGET * minute if budget is None else budget
    started = monotonic()
    sent = claimed = 0
    with ExitStack() as stack:
        lanes = [stack.enter_context(Transports(app.config)) for _ in range(senders)]
        pool = stack.enter_context(ThreadPoolExecutor(senders, thread_name_prefix="outbox"))
        while messages := db.call("claim_outbox", limit=limit, lease=timedelta(seconds=LEASE * minute)):
            results = queue.SimpleQueue()
            lanes_done = [pool.submit(_send_all, app, lane, messages[n::senders], results.put)
                          for n, lane in enumerate(lanes)]
            for recorded in _record_as_they_come(results, senders):
                sent += sum("error" not in result for result in recorded)
            for lane in lanes_done:
                lane.result()  # a sender's own failure (a bug: a message's failure is its result) is raised here
            claimed += len(messages)
            if monotonic() - started >= budget:
                break
    backlog = db.call_one("outbox_backlog")
    log.info("outbox: %d of %d claimed sent in %.1f s; %d pending, %d due, the oldest due for %s", sent, claimed,
             monotonic() - started, backlog["pending"], backlog["due"], backlog["oldest_due_age"] or timedelta(0))
    return sent


def _record_as_they_come(results, senders):
    """Records the senders' results as they come, until each of the `senders` has said it is done (None): waits
    for one, records it with every other that came meanwhile, in one call. Yields each recorded list."""
    running = senders
    while running:
        recorded = []
        for result in [results.get()] + [results.get() for _ in range(results.qsize())]:
            if result is None:
                running -= 1
            else:
                recorded.append(result)
        if recorded:
            db.call("record_deliveries", results=Jsonb(recorded))
            yield recorded


def _send_all(app, transports, messages, report):
    """A sender's share of a batch, on its own thread: each message's result, as record_deliveries takes it, is
    reported as soon as it is sent, then None."""
    try:
        with app.app_context():
            for message in messages:
                report(_send_one(transports, message))
    finally:
        report(None)


def _send_one(transports, message):
    try:
        via, ref = transports.send(message)
    except PermanentFailure as failure:
        return {"id": message["id"], "error": str(failure), "max_attempts": 0}
    except Exception as failure:  # one message failing must not stop the others; it is retried
        log.warning("outbox %s (%s) not delivered: %s", message["id"], message["template"], failure)
        return {"id": message["id"], "error": f"{type(failure).__name__}: {failure}"}
    return {"id": message["id"], "via": via, "ref": ref}


class Transports:
    """The ways out of one sender for one delivery run; an SMTP connection is opened on the first email and kept
    (opened again after it broke)."""

    def __init__(self, config):
        self.config = config
        self.mailbox = Path(config["VAR_DIR"]) / "mailbox"
        self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass

    def send(self, message):
        if message["channel"] == "in_app":
            return "in_app", None
        if message["channel"] == "sms":
            return self._send_sms(message)
        email = compose_email(message)
        if self.config.get("SMTP_HOST"):
            smtp = self._connection()
            try:
                smtp.send_message(email)
            except (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError):
                smtp.close()  # the message is retried; the next one opens a new connection
                self._smtp = None
                raise
            return "smtp", email["Message-ID"]
        return "mailbox", self._file(f"{message['id']:08d}-{message['template']}.eml", email.as_bytes())

    def _connection(self):
        if self._smtp is None:
            config = self.config
            security = config.get("SMTP_SECURITY", "starttls")
            kind = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
            smtp = kind(config["SMTP_HOST"], int(config.get("SMTP_PORT") or (465 if security == "ssl" else 587)),
                        timeout=30)
            if security == "starttls":
                smtp.starttls()
            if config.get("SMTP_USERNAME"):
                smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
            self._smtp = smtp
        return self._smtp

    def _send_sms(self, message):
        if not message["phone"]:
            raise PermanentFailure("the recipient has no phone number")
        text = compose_sms(message)
        if not self.config.get("SMS_GATEWAY_URL"):
            return "recorded", self._file(f"{message['id']:08d}-{message['template']}.sms.txt",
                                          f"To: {message['phone']}\n\n{text}\n".encode())
        request = urllib.request.Request(
            self.config["SMS_GATEWAY_URL"], method="POST",
            data=json.dumps({"to": message["phone"], "body": text, "reference": f"outbox-{message['id']}"}).encode(),
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {self.config['SMS_GATEWAY_TOKEN']}"}
                        if self.config.get("SMS_GATEWAY_TOKEN") else {})})
        with urllib.request.urlopen(request, timeout=15) as answer:
            return "sms_gateway", answer.read(300).decode(errors="replace")

    def _file(self, name, data):
        """Writes a message into the mailbox folder whole (a reader never sees half a file); the name carries
        the outbox id, so a retry overwrites rather than adds."""
        self.mailbox.mkdir(parents=True, exist_ok=True)
        partial = self.mailbox / f".{name}.partial"
        partial.write_bytes(data)
        os.replace(partial, self.mailbox / name)
        return name


class _HeaderClasses(HeaderRegistry):
    """email's registry makes a new class for every header it is given; a name's class is the same every time, and
    keeping it takes about a third off composing and flattening a message (issue 19)."""

    @lru_cache(maxsize=256)
    def __getitem__(self, name):
        return super().__getitem__(name)


EMAIL_POLICY = policy.default.clone(header_factory=_HeaderClasses())


def compose_email(message):
    """The email of an outbox row: plain text and HTML from its template, and the .ics invite it carries."""
    values = context(message)
    text, html, subject = render(message["template"], values)
    email = EmailMessage(policy=EMAIL_POLICY)
    email["Subject"] = subject
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = formataddr((message["name"], message["email"]))
    email["Date"] = formatdate(message["created_at"].timestamp())
    email["Message-ID"] = f"<outbox-{message['id']}@autodoctor.app>"
    email.set_content(text)
    email.add_alternative(html, subtype="html")
    method = INVITE_METHODS.get(message["template"])
    if method and values["starts_at"] is not None:
        # the invite as of the message's event: its own sequence, stamped when it was queued (RFC 5546)
        event = invites.session_event({**values, "id": message["session_id"]},
                                      link=values["primary_url"], with_whom=values["other_name"],
                                      organizer=parseaddr(current_app.config["MAIL_FROM"])[1],
                                      attendees=[message["email"]], stamp=message["created_at"])
        email.add_attachment(invites.invite(event, method=method), maintype="text", subtype="calendar",
                             filename=f"autodoctor-{message['session_id']}.ics", params={"method": method})
    return email


def compose_sms(message):
    values = context(message)
    _text, _html, subject = render(message["template"], values)
    return f"Auto Doctor: {subject} {values['primary_url']}"


def render(template, values):
    """(text, html, subject) of a message. Each templates/email/<template>.txt sets subject, heading and
    actions and writes the body; email/layout.txt and email/layout.html frame it."""
    try:
        module = current_app.jinja_env.get_template(f"email/{template}.txt").make_module(values)
    except LookupError as missing:  # jinja2.TemplateNotFound is a LookupError
        raise PermanentFailure(f"no email template {template}") from missing
    parts = {"subject": module.subject, "heading": module.heading, "actions": module.actions, "body": str(module).strip()}
    text = render_template("email/layout.txt", **values, **parts)
    html = render_template("email/layout.html", **values, **parts, paragraphs=parts["body"].split("\n\n"))
    return text, html, parts["subject"]


SNAPSHOT_TIMES = ("starts_at", "ends_at", "session_created_at")


def context(message):
    """What a message's template may show: the row, its session as it was when the message was queued (the
    snapshot: times, names, plan, money), the time in the recipient's zone, and absolute links to BASE_URL (the
    address users reach the app at)."""
    payload = message["payload"] or {}
    said = dict(message.get("snapshot") or {})
    for key in SNAPSHOT_TIMES:
        said[key] = datetime.fromisoformat(said[key]) if said.get(key) else None
    audience = payload.get("audience") or ("mechanic" if message["role"] == "mechanic" else "customer")
    session = message["session_id"]
    with current_app.test_request_context("/", base_url=current_app.config["BASE_URL"]):
        home = url_for(HOMES.get(audience, "customer.dashboard"), _external=True)
        links = {"dashboard_url": home, "book_url": url_for("booking.start", _external=True)}
        if session and audience == "customer":
            links["appointment_url"] = url_for("customer.appointment", session_id=session, _external=True)
            links["waiver_url"] = url_for("customer.waiver", session_id=session, _external=True)
    primary = links["book_url"] if message["template"] == "waitlist_mechanic_online" else links.get("appointment_url", home)
    return {
        **message, **said, **links, "payload": payload, "audience": audience, "primary_url": primary,
        "other_name": (said.get("mechanic_name") or "an Auto Doctor mechanic") if audience == "customer"
                      else said.get("customer_name"),
        "when": format_local_time(said["starts_at"], zone=message["timezone"]) if said["starts_at"] else None,
        "proposed_when": format_local_time(datetime.fromisoformat(payload["proposed_start"]), zone=message["timezone"])
                         if payload.get("proposed_start") else None,
    }
