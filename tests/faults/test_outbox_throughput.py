"""Outbox throughput (issue 19): a standing backlog of queued emails about real sessions, drained by the delivery
job (one run after another, as the scheduler runs it each minute) into the mailbox folder and, separately, through
a local SMTP server (aiosmtpd): every message delivered once, within a bounded time. Prints the messages per
second and the oldest due message's age sampled during the drain (`pytest -s` shows it).

The suite drains 5,000 messages a transport, which proves the rate (the limit allows 21 a second); the 20,000 of
issue 19 is OUTBOX_MESSAGES=20000 (measured on 2 shared cores: 97 messages/s to the mailbox folder, 63/s through
aiosmtpd in the same process, every message once)."""
import os
import re
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

import jobs
from availability_world import local
from modules.test_notifications import free_port

pytestmark = pytest.mark.slow

MESSAGES = int(os.environ.get("OUTBOX_MESSAGES", 5_000))
DRAIN_LIMIT = 240  # seconds: a drain slower than this fails
ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
START = local("America/Toronto", "2026-11-25 10:00")
MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)\r?$", re.MULTILINE | re.IGNORECASE)


class Tally:
    """An aiosmtpd handler that counts the Message-IDs it is given (reading only that header: the server shares
    this process with the senders)."""

    def __init__(self):
        self.ids = Counter()

    async def handle_DATA(self, server, session, envelope):
        self.ids[MESSAGE_ID.search(envelope.content).group(1).decode()] += 1
        return "250 Message accepted for delivery"


class Sampler(threading.Thread):
    """Reads the backlog (app.outbox_backlog) every half second on a connection of its own."""

    def __init__(self, database):
        super().__init__(daemon=True)
        self.database, self.samples, self.done = database, [], threading.Event()

    def run(self):
        with self.database.owner() as conn:
            while not self.done.wait(0.5):
                self.samples.append(conn.execute("select * from app.outbox_backlog()").fetchone())

    def oldest(self):
        return max((s["oldest_due_age"] for s in self.samples if s["oldest_due_age"] is not None), default=timedelta(0))


def queue(world, count):
    """`count` emails as the app queues them: rows of app.outbox about real sessions (the bookings' own messages,
    copied), whose deferred trigger fixes each one's snapshot as the insert commits; queued now, on the real clock."""
    mechanic = world.mechanic(blocks=ALL_DAY)
    for hour in range(4):
        world.book(world.customer(), mechanic, START + timedelta(hours=hour))
    world.conn.execute("select app.set_app_clock(null)")
    with world.conn.transaction():
        world.conn.execute("create temporary table models on commit drop as "
                           "select user_id, template, payload, session_id from app.outbox where channel = 'email'")
        world.conn.execute("delete from app.outbox")
        world.conn.execute(
            "insert into app.outbox (user_id, channel, template, payload, session_id, next_attempt_at, created_at) "
            "select m.user_id, 'email', m.template, m.payload, m.session_id, app.app_now(), app.app_now() "
            "from generate_series(1, %(count)s) n cross join models m order by n, m.template limit %(count)s",
            {"count": count})


def drain(app, database):
    """Runs the delivery job until nothing is pending, at most DRAIN_LIMIT seconds: (seconds, runs, sampler)."""
    sampler = Sampler(database)
    sampler.start()
    started, runs = time.monotonic(), 0
    try:
        while database.scalar("select count(*) from app.outbox where status = 'pending'"):
            assert time.monotonic() - started < DRAIN_LIMIT, "the outbox did not drain in time"
            jobs.run_job(app, "deliver_outbox")
            runs += 1
    finally:
        sampler.done.set()
        sampler.join()
    return time.monotonic() - started, runs, sampler


def report(transport, seconds, runs, sampler):
    print(f"\noutbox throughput, {transport}: {MESSAGES} messages in {seconds:.1f} s over {runs} run(s) = "
          f"{MESSAGES / seconds:.0f} messages/s; oldest due message sampled during the drain: "
          f"{sampler.oldest().total_seconds():.1f} s ({len(sampler.samples)} samples)")


def assert_each_sent_once(database, via):
    with database.owner() as conn:
        rows = conn.execute("select status, delivered_via, attempts, count(*) as n from app.outbox "
                            "group by 1, 2, 3").fetchall()
    assert [(r["status"], r["delivered_via"], r["attempts"], r["n"]) for r in rows] == [("sent", via, 1, MESSAGES)]


def test_a_backlog_drains_into_the_mailbox_folder_each_message_once(app, database, world):
    started = time.monotonic()
    queue(world, MESSAGES)
    print(f"\nqueued {MESSAGES} messages in {time.monotonic() - started:.1f} s")

    report("mailbox folder", *drain(app, database))
    assert_each_sent_once(database, "mailbox")
    files = list((Path(app.config["VAR_DIR"]) / "mailbox").glob("*.eml"))
    assert len(files) == MESSAGES


def test_a_backlog_drains_through_an_smtp_server_each_message_once(app, database, world):
    tally = Tally()
    controller = Controller(tally, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_SECURITY="none")
    try:
        queue(world, MESSAGES)
        report("SMTP (aiosmtpd)", *drain(app, database))
    finally:
        controller.stop()
    assert_each_sent_once(database, "smtp")
    with database.owner() as conn:
        expected = {f"<outbox-{r['id']}@autodoctor.app>" for r in conn.execute("select id from app.outbox")}
    assert set(tally.ids) == expected and set(tally.ids.values()) == {1}
    assert not (Path(app.config["VAR_DIR"]) / "mailbox").exists()
