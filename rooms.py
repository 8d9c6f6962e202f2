"""The session room's delivery and network settings (SPEC §20).

Messages, photos and WebRTC signals are rows of app.session_messages, written by post_room_message; its
trigger NOTIFYs `session_room` with the session's id when the row commits, and so does a change of the
session's status. Each app process keeps one LISTEN connection (the Hub) and wakes the open streams of that
session.

The transport is server-sent events: one long GET per open room tab. The browser's EventSource reconnects by
itself and sends Last-Event-ID (the last seq it saw), so a reload, a network change or a restarted server
resumes exactly where it stopped; it is plain HTTP (waitress, any proxy) and the sending side stays an
ordinary POST with its CSRF token. A stream costs one waitress thread blocked on an Event (no CPU) and one
socket; it holds no database connection while it waits: each wake borrows a pooled one for one query
(room_updates) and gives it back.

Rooms never starve pages: at most ROOM_STREAMS streams are open at once per process and waitress runs
WEB_THREADS + ROOM_STREAMS threads, so WEB_THREADS are always left for pages. A stream over the cap answers at
once with what is new and tells the browser to come back in a second: the room degrades to polling.
"""
import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from contextlib import contextmanager

import psycopg

import db

log = logging.getLogger(__name__)

CHANNEL = "session_room"
FINAL_STATUSES = {"completed", "cancelled", "no_show", "expired"}


class Hub:
    """One LISTEN connection of this process; streams subscribe to a session and are woken by its NOTIFYs."""

    def __init__(self, dsn):
        self._dsn = dsn
        self._lock = threading.Lock()
        self._waiters = {}  # session id -> set of threading.Event
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="room-hub", daemon=True)
        self._thread.start()
        self._listening.wait(5)

    @contextmanager
    def subscription(self, session_id):
        """An Event set whenever the session's room may have news; it starts set, so the first wait returns
        at once and the subscriber reads what is already there (nothing falls between reading and waiting)."""
        woken = threading.Event()
        woken.set()
        with self._lock:
            self._waiters.setdefault(session_id, set()).add(woken)
        try:
            yield woken
        finally:
            with self._lock:
                waiters = self._waiters.get(session_id, set())
                waiters.discard(woken)
                if not waiters:
                    self._waiters.pop(session_id, None)

    def _wake(self, session_ids=None):
        with self._lock:
            events = [event for session_id, events in self._waiters.items()
                      if session_ids is None or session_id in session_ids for event in events]
        for event in events:
            event.set()

    def _listen(self):
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True) as conn:
                    conn.execute(f"listen {CHANNEL}")
                    self._listening.set()
                    self._wake()  # what was written while nobody listened is read again
                    while not self._stopping.is_set():
                        for notice in conn.notifies(timeout=1.0):  # each as it comes; a second to see a stop
                            if notice.payload.isdigit():
                                self._wake({int(notice.payload)})
            except psycopg.Error as error:
                log.warning("room hub lost its LISTEN connection (%s); reconnecting", error)
                self._stopping.wait(1)

    def stop(self):
        self._stopping.set()
        self._thread.join(timeout=5)


_streams_lock = threading.Lock()


class Streams:
    """The room streams of one app process: the Hub, and the cap on streams held open at once."""

    def __init__(self, dsn, limit):
        self.hub = Hub(dsn)
        self.slots = threading.BoundedSemaphore(limit)

    def stop(self):
        self.hub.stop()


def streams(app):
    """This process's room streams, started on first use: in the serving process, after any fork."""
    with _streams_lock:
        if "room_streams" not in app.extensions:
            app.extensions["room_streams"] = Streams(db.app_dsn(app.config, direct=True), app.config["ROOM_STREAMS"])
    return app.extensions["room_streams"]


def close(app):
    """Stops the process's room streams' Hub (with the pool, when the app is done)."""
    with _streams_lock:
        streams = app.extensions.pop("room_streams", None)
    if streams is not None:
        streams.stop()


def event_stream(updates, after, fetch, session_id, streams, seconds=300, keepalive=15):
    """Server-sent events for one open room: `updates` (room_updates' answer after seq `after`) first, then
    what `fetch(after)` returns each time the session is woken, for at most `seconds` (the browser then
    reconnects with Last-Event-ID). When `fetch` is refused (the viewer is no longer a party), a `gone` event
    ends it."""
    if not streams.slots.acquire(blocking=False):
        yield "retry: 1000\n\n" + _frames(updates, None)[0]  # over the cap: one answer, back in a second
        return
    try:
        with streams.hub.subscription(session_id) as woken:
            text, state = _frames(updates, None)
            after = _last_seq(updates, after)
            yield "retry: 1000\n\n" + text
            deadline = time.monotonic() + seconds
            while state["status"] not in FINAL_STATUSES:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                if not woken.wait(min(keepalive, left)):
                    yield ": keep-alive\n\n"
                woken.clear()
                try:
                    updates = fetch(after)
                except db.Refusal:
                    yield "event: gone\ndata: {}\n\n"
                    return
                text, state = _frames(updates, state)
                after = _last_seq(updates, after)
                if text:
                    yield text
    finally:
        streams.slots.release()


def _last_seq(updates, after):
    return updates["messages"][-1]["seq"] if updates["messages"] else after


def _frames(updates, state_sent):
    """The SSE text for new messages (id: their seq) and for the room's state when it changed."""
    state = {key: value for key, value in updates.items() if key != "messages"}
    parts = []
    if state != state_sent:
        parts.append(f"event: state\ndata: {json.dumps(state)}\n\n")
    for message in updates["messages"]:
        kind = "signal" if message["kind"] == "signal" else "message"
        parts.append(f"id: {message['seq']}\nevent: {kind}\ndata: {json.dumps(message)}\n\n")
    return "".join(parts), state


# --- ICE servers --------------------------------------------------------------------------------------------

def ice_servers(config, user_id, now=None):
    """The RTCIceServer list a room hands its browser: ICE_SERVERS as configured (STUN, or TURN with fixed
    credentials), plus TURN_URLS with a credential made for this user that lapses after TURN_TTL seconds
    (the TURN REST API scheme that coturn's use-auth-secret checks)."""
    servers = list(config["ICE_SERVERS"])
    if config.get("TURN_SECRET") and config.get("TURN_URLS"):
        username, credential = turn_credential(config["TURN_SECRET"], user_id, config["TURN_TTL"], now)
        servers.append({"urls": config["TURN_URLS"], "username": username, "credential": credential})
    return servers


def turn_credential(secret, user_id, ttl_seconds, now=None):
    """(username, password) for a TURN server sharing `secret`: the username is "<expiry unix time>:<user id>",
    the password base64(HMAC-SHA1(secret, username))."""
    expiry = int(now if now is not None else time.time()) + int(ttl_seconds)
    username = f"{expiry}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def parse_ice_servers(text):
    """ICE_SERVERS as JSON: a list of objects, each with "urls" (a string or a list of stun:/turn:/turns: URLs)
    and, for TURN, "username" and "credential". Raises ValueError with what is wrong."""
    try:
        servers = json.loads(text or "[]")
    except json.JSONDecodeError as error:
        raise ValueError(f"ICE_SERVERS is not valid JSON: {error}") from None
    if not isinstance(servers, list):
        raise ValueError("ICE_SERVERS must be a JSON list of {\"urls\": ...} objects")
    for server in servers:
        urls = server.get("urls") if isinstance(server, dict) else None
        urls = [urls] if isinstance(urls, str) else urls
        if not urls or not all(isinstance(u, str) and u.split(":", 1)[0] in ("stun", "turn", "turns") for u in urls):
            raise ValueError(f"ICE_SERVERS entry {server!r} needs \"urls\" of stun:, turn: or turns: URLs")
    return servers
