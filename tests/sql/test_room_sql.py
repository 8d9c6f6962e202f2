"""The session room in SQL (SPEC §20, issue 14): only the session's customer and current mechanic read or write
it, only from the lobby until the session ends, the log is append-only, and two sides writing at once lose
nothing and keep one order."""
import threading
from datetime import timedelta

import pytest
from psycopg.types.json import Jsonb

from conftest import NOW, make_staff, make_workshop
from support import sqlstate

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def post(conn, actor, session, kind="text", body=None, signal=None, photo=None):
    return conn.execute("select * from app.post_room_message(%s, %s, %s, %s, %s, %s)",
                        [actor, session, kind, body, None if signal is None else Jsonb(signal), photo]).fetchone()


def messages(conn, actor, session, after=0, signals=False):
    return conn.execute("select * from app.room_messages(%s, %s, %s, %s)", [actor, session, after, signals]).fetchall()


class Room:
    """An immediate session taken by a mechanic: pending (the lobby), then live when started."""

    def __init__(self, world):
        self.world = world
        self.mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
        world.conn.execute("select app.set_on_shift(%s, true)", [self.mechanic])
        self.customer = world.customer()
        self.id = world.value(
            "select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
            "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [self.customer])

    def accept(self):
        self.world.conn.execute("select app.accept_offer(%s, %s)", [self.mechanic, self.id])
        return self

    def start(self):
        self.world.conn.execute("select app.start_session(%s, %s)", [self.mechanic, self.id])
        return self

    def complete(self):
        self.world.conn.execute("select app.complete_session(%s, %s, 'Check the coil pack.')", [self.mechanic, self.id])


@pytest.fixture
def room(world):
    return Room(world).accept()


def test_the_two_parties_write_and_read_the_room_in_order(world, room):
    conn = world.conn
    first = post(conn, room.customer, room.id, body="  Hello, the light blinks.  ")
    second = post(conn, room.mechanic, room.id, body="Hi! Does it blink while idling?")
    photo = post(conn, room.customer, room.id, kind="photo", body="the dash", photo=PNG)
    assert (first["seq"], second["seq"], photo["seq"]) == (1, 2, 3)
    assert first["created_at"] == NOW
    for reader in (room.customer, room.mechanic):
        rows = messages(conn, reader, room.id)
        assert [(r["seq"], r["kind"], r["side"], r["body"]) for r in rows] == [
            (1, "text", "customer", "Hello, the light blinks."), (2, "text", "mechanic", "Hi! Does it blink while idling?"),
            (3, "photo", "customer", "the dash")]
        assert rows[2]["photo_type"] == "image/png"
        assert bytes(conn.execute("select photo from app.room_photo(%s, %s, 3)", [reader, room.id]).fetchone()["photo"]) == PNG
    assert [r["seq"] for r in messages(conn, room.mechanic, room.id, after=2)] == [3]
    header = conn.execute("select * from app.room_for(%s, %s)", [room.customer, room.id]).fetchone()
    assert (header["side"], header["status"], header["is_open"], header["last_seq"]) == ("customer", "pending", True, 3)
    assert header["other_name"] == world.value("select name from app.users where id = %s", [room.mechanic])


def test_signals_go_only_to_the_other_side_and_stay_out_of_the_transcript(world, room):
    conn = world.conn
    post(conn, room.mechanic, room.id, kind="signal", signal={"type": "hello", "from": "m1"})
    post(conn, room.customer, room.id, kind="signal", signal={"type": "welcome", "from": "c1", "to": "m1"})
    post(conn, room.customer, room.id, body="Can you see me?")
    assert [(r["seq"], r["signal"]) for r in messages(conn, room.customer, room.id, signals=True)] == [
        (1, {"type": "hello", "from": "m1"}), (3, None)]
    assert [r["seq"] for r in messages(conn, room.mechanic, room.id, signals=True)] == [2, 3]
    assert [r["seq"] for r in messages(conn, room.mechanic, room.id)] == [3]  # the transcript: no signals
    updates = world.value("select app.room_updates(%s, %s, 1)", [room.customer, room.id])
    assert updates["status"] == "pending" and updates["is_open"] is True
    assert [m["seq"] for m in updates["messages"]] == [3]


def test_nobody_else_reads_or_writes_the_room(database, world, room):
    conn = world.conn
    post(conn, room.customer, room.id, kind="photo", photo=PNG)
    workshop = make_workshop(database)
    outsiders = {
        "another customer": world.customer(),
        "another mechanic": world.mechanic(blocks=ALL_DAY),
        "a workshop admin": make_staff(database, "workshop_admin", "wa@example.com", workshop_id=workshop),
        "a platform admin": make_staff(database, "admin", "root@example.com"),
        "nobody": 999_999,
    }
    calls = [
        ("select * from app.post_room_message(%s, %s, 'text', 'hi')", []),
        ("select * from app.room_for(%s, %s)", []),
        ("select * from app.room_messages(%s, %s, 0, true)", []),
        ("select app.room_updates(%s, %s, 0)", []),
        ("select * from app.room_photo(%s, %s, 1)", []),
        ("select app.mark_room_read(%s, %s, 1)", []),
    ]
    for who, outsider in outsiders.items():
        for query, extra in calls:
            assert sqlstate(conn.execute, query, [outsider, room.id, *extra]) == "UN001", (who, query)
    assert sqlstate(conn.execute, "select * from app.room_for(%s, %s)", [room.customer, 999_999]) == "UN001"
    assert world.value("select count(*) from app.session_messages") == 1


def test_the_room_opens_with_the_lobby_and_closes_when_the_session_ends(world):
    conn = world.conn
    waiting = Room(world)  # pending, nobody accepted yet: the lobby has no mechanic in it
    assert sqlstate(conn.execute, "select * from app.post_room_message(%s, %s, 'text', 'anyone?')",
                    [waiting.customer, waiting.id]) == "UR070"
    assert world.value("select is_open from app.room_for(%s, %s)", [waiting.customer, waiting.id]) is False
    waiting.accept()
    post(conn, waiting.customer, waiting.id, body="Thanks for taking it.")
    waiting.start()
    post(conn, waiting.mechanic, waiting.id, body="We are live.")
    waiting.complete()
    for actor in (waiting.customer, waiting.mechanic):
        assert sqlstate(conn.execute, "select * from app.post_room_message(%s, %s, 'text', 'one more thing')",
                        [actor, waiting.id]) == "UR070"
    assert len(messages(conn, waiting.customer, waiting.id)) == 2  # the transcript stays readable

    mechanic = world.mechanic(blocks=ALL_DAY, min_notice_minutes=0)
    booked = world.book(world.customer(), mechanic, NOW + timedelta(days=1))  # scheduled: not yet joined
    customer = world.value("select customer_id from app.sessions where id = %s", [booked])
    assert sqlstate(conn.execute, "select * from app.post_room_message(%s, %s, 'text', 'early')", [customer, booked]) == "UR070"


def test_the_log_is_append_only_even_for_its_owner(world, room):
    conn = world.conn
    post(conn, room.customer, room.id, body="Hello")
    assert sqlstate(conn.execute, "update app.session_messages set body = 'edited'") == "UR071"
    assert sqlstate(conn.execute, "delete from app.session_messages") == "UR071"
    assert sqlstate(conn.execute, "truncate app.session_messages") == "UR071"
    outsider = world.customer()
    assert sqlstate(conn.execute, "insert into app.session_messages (session_id, seq, sender_id, kind, body, created_at) "
                          "values (%s, 2, %s, 'text', 'sneaky', now())", [room.id, outsider]) == "UN001"
    room.start()
    room.complete()
    assert sqlstate(conn.execute, "insert into app.session_messages (session_id, seq, sender_id, kind, body, created_at) "
                          "values (%s, 2, %s, 'text', 'late', now())", [room.id, room.customer]) == "UR070"
    assert [r["body"] for r in messages(conn, room.customer, room.id)] == ["Hello"]


@pytest.mark.parametrize("kind, body, signal, photo, code", [
    ("text", None, None, None, "UV070"),
    ("text", "   ", None, None, "UV070"),
    ("text", "x" * 2001, None, None, "UV070"),
    ("photo", None, None, PDF, "UV071"),
    ("photo", None, None, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 16, "UV071"),  # a video is not a chat photo
    ("photo", None, None, None, "UV071"),
    ("photo", "x" * 2001, None, PNG, "UV070"),
    ("signal", None, ["offer"], None, "UV072"),
    ("signal", None, {"type": "launch"}, None, "UV072"),
    ("signal", None, {"type": "offer", "sdp": "v" * 40_000}, None, "UV072"),
    ("shout", "hi", None, None, "UV072"),
])
def test_bad_messages_are_refused_and_change_nothing(world, room, kind, body, signal, photo, code):
    assert sqlstate(world.conn.execute, "select * from app.post_room_message(%s, %s, %s, %s, %s, %s)",
                    [room.customer, room.id, kind, body, None if signal is None else Jsonb(signal), photo]) == code
    assert world.value("select count(*) from app.session_messages") == 0


def test_a_photo_over_10_mb_is_refused(world, room):
    big = PNG + b"\x00" * (10 * 1024 * 1024)
    assert sqlstate(world.conn.execute, "select * from app.post_room_message(%s, %s, 'photo', null, null, %s)",
                    [room.customer, room.id, big]) == "UV071"


def test_a_mechanic_handed_over_from_leaves_the_room(world, room):
    conn = world.conn
    post(conn, room.mechanic, room.id, body="Hello")
    other = world.mechanic(blocks=ALL_DAY)
    conn.execute("update app.sessions set mechanic_id = %s where id = %s", [other, room.id])
    assert sqlstate(conn.execute, "select * from app.room_messages(%s, %s)", [room.mechanic, room.id]) == "UN001"
    assert sqlstate(conn.execute, "select * from app.post_room_message(%s, %s, 'text', 'still here?')", [room.mechanic, room.id]) == "UN001"
    post(conn, other, room.id, body="I am taking over.")
    assert [r["side"] for r in messages(conn, room.customer, room.id)] == ["mechanic", "mechanic"]


def test_reading_marks_move_forward_only_and_stop_at_the_last_message(world, room):
    conn = world.conn
    for n in range(3):
        post(conn, room.mechanic, room.id, body=f"message {n}")
    mark = "select app.mark_room_read(%s, %s, %s)"
    assert conn.execute(mark, [room.customer, room.id, 2]).fetchone()["mark_room_read"] == 2
    assert conn.execute(mark, [room.customer, room.id, 1]).fetchone()["mark_room_read"] == 2
    assert conn.execute(mark, [room.customer, room.id, 99]).fetchone()["mark_room_read"] == 3
    assert world.value("select last_read_seq from app.room_for(%s, %s)", [room.customer, room.id]) == 3
    assert world.value("select last_read_seq from app.room_for(%s, %s)", [room.mechanic, room.id]) == 0


def test_both_sides_writing_at_once_lose_nothing_and_a_reader_sees_one_order(database, world, room):
    """Two connections write 150 messages each at once while a third reads "everything after the last seq I
    saw" as fast as it can: what it collects is every message, once, in seq order 1..300."""
    per_side = 150
    barrier = threading.Barrier(3)
    done = threading.Event()
    seen, errors = [], []

    def write(actor, tag):
        try:
            with database.acting(actor) as conn:
                barrier.wait()
                for n in range(per_side):
                    post(conn, actor, room.id, body=f"{tag} {n}")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    def read():
        with database.acting(room.customer) as conn:
            barrier.wait()
            last = 0
            while True:
                finished = done.is_set()
                rows = messages(conn, room.customer, room.id, after=last)
                seen.extend(rows)
                last = rows[-1]["seq"] if rows else last
                if finished and not rows:
                    return

    writers = [threading.Thread(target=write, args=(room.customer, "c")),
               threading.Thread(target=write, args=(room.mechanic, "m"))]
    reader = threading.Thread(target=read)
    for thread in (*writers, reader):
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    done.set()
    reader.join(timeout=60)
    assert not errors
    assert [r["seq"] for r in seen] == list(range(1, 2 * per_side + 1))
    for tag, side in (("c", "customer"), ("m", "mechanic")):
        assert [r["body"] for r in seen if r["side"] == side] == [f"{tag} {n}" for n in range(per_side)]


def test_a_message_racing_the_end_lands_before_it_or_not_at_all(database, world, room):
    room.start()
    with database.acting(room.customer) as writer, database.owner() as ender:
        with writer.transaction():
            post(writer, room.customer, room.id, body="Last question!")
            ending = threading.Thread(target=lambda: ender.execute(
                "select app.complete_session(%s, %s, 'Done')", [room.mechanic, room.id]))
            ending.start()
            ending.join(timeout=1)
            assert ending.is_alive()  # the end waits for the message being written
        ending.join(timeout=10)
        assert world.value("select status from app.sessions where id = %s", [room.id]) == "completed"
        with ender.transaction():
            ender.execute("select 1 from app.sessions where id = %s for no key update", [room.id])
            errors = []
            late = threading.Thread(target=lambda: errors.append(sqlstate(
                writer.execute, "select * from app.post_room_message(%s, %s, 'text', 'and another')", [room.customer, room.id])))
            late.start()
            late.join(timeout=1)
            assert late.is_alive()  # a writer waits while the session's row is being changed
        late.join(timeout=10)
    assert errors == ["UR070"]
    assert [r["body"] for r in messages(world.conn, room.customer, room.id)] == ["Last question!"]


def test_a_message_or_a_change_of_status_wakes_the_room(database, world, room):
    with database.app() as listener:
        listener.execute("listen session_room")
        post(world.conn, room.customer, room.id, body="ping")
        room.start()
        woken = [n.payload for n in listener.notifies(timeout=2, stop_after=2)]
    assert woken == [str(room.id), str(room.id)]
