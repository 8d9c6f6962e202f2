"""The session room's pages and endpoints (SPEC §20, issue 14): one room for the session's customer and its
mechanic, the same 404 for everyone else, chat and photos through forms (without JavaScript) and as JSON (the
room's script), signals, the read marker, the event stream woken by NOTIFY, the cap on open streams, the
transcript and summary afterwards, and the ICE servers with time-limited TURN credentials."""
import base64
import io
import json
import subprocess
import threading
import time
from types import SimpleNamespace

import pytest

import rooms
from app import create_app
from conftest import PASSWORD, csrf_token, log_in, make_customer, make_staff, make_workshop
from support import refusal_codes

ALL_DAY = {d: [("00:00", "24:00")] for d in range(1, 8)}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JSON = {"Accept": "application/json"}


def sign_in(app, email):
    client = app.test_client()
    log_in(client, email)
    return client


@pytest.fixture
def room(app, database):
    """Casey's live request, taken by Maria: the room is open (the lobby). Each has a logged-in client."""
    maria = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    casey = make_customer(database, name="Casey Customer")
    with database.owner() as conn:
        conn.execute("select app.set_on_shift(%s, true)", [maria])
        session = conn.execute(
            "select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
            "p_advice_only => true, p_concern => 'The engine light is on and the car shakes.')", [casey]
        ).fetchone()["create_session"]
        conn.execute("select app.accept_offer(%s, %s)", [maria, session])
    return SimpleNamespace(id=session, maria=maria, casey=casey, customer=sign_in(app, "casey@example.com"),
                           mechanic=sign_in(app, "maria@example.com"), url=f"/rooms/{session}")


def token(client, room):
    return csrf_token(client, room.url)


def send(client, room, body, json_reply=True):
    return client.post(f"{room.url}/messages", data={"body": body, "csrf_token": token(client, room)},
                       headers=JSON if json_reply else {})


def count(database):
    return database.scalar("select count(*) from app.session_messages")


def test_both_parties_enter_the_room_and_the_script_gets_its_settings(room):
    for client, other, side in ((room.customer, "Maria Mechanic", "customer"), (room.mechanic, "Casey Customer", "mechanic")):
        response = client.get(room.url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"Session with {other}" in page and 'id="remote-video"' in page and "room.js" in page
        config = json.loads(page.split('id="room-config">')[1].split("</script>")[0])
        assert config["side"] == side and config["isOpen"] is True and config["iceServers"] == []
        assert config["urls"]["events"] == f"{room.url}/events"
    assert "Start the session" in room.mechanic.get(room.url).get_data(as_text=True)
    assert "Session with Maria Mechanic" in room.customer.get(f"/customer/appointments/{room.id}/room").get_data(as_text=True)


REFRESH = '<noscript><meta http-equiv="refresh" content="10"></noscript>'


def test_the_lobby_updates_by_itself_without_javascript_until_the_session_starts(app, database, room):
    # nobody has accepted yet: the customer's lobby looks again by itself (the script listens to the room instead)
    eve = make_customer(database, email="eve@example.com", name="Eve Waiting")
    with database.owner() as conn:
        waiting = conn.execute(
            "select app.create_session(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
            "p_advice_only => true, p_concern => 'A rattle from under the car.')", [eve]).fetchone()["create_session"]
    page = sign_in(app, "eve@example.com").get(f"/rooms/{waiting}").get_data(as_text=True)
    assert "Finding your mechanic" in page and REFRESH in page and "room.js" in page
    assert page.index(REFRESH) < page.index("</head>")
    # taken: the customer waits for the start in the lobby, still told of it by itself; the mechanic starts it
    assert REFRESH in room.customer.get(room.url).get_data(as_text=True)
    assert REFRESH not in room.mechanic.get(room.url).get_data(as_text=True)
    csrf = token(room.mechanic, room)
    assert room.mechanic.post(f"/mechanic/sessions/{room.id}/start", data={"csrf_token": csrf}).location == room.url
    live = room.customer.get(room.url).get_data(as_text=True)
    assert "Live until" in live and REFRESH not in live  # started: no more reloading under a conversation


def test_anyone_else_gets_the_same_404_as_for_a_missing_room(app, database, room):
    make_customer(database, email="eve@example.com")
    make_staff(database, "mechanic", "omar@example.com")
    workshop = make_workshop(database)
    make_staff(database, "workshop_admin", "wanda@example.com", workshop_id=workshop)
    make_staff(database, "admin", "root@example.com")
    send(room.customer, room, "Hello")
    for email in ("eve@example.com", "omar@example.com", "wanda@example.com", "root@example.com"):
        client = sign_in(app, email)
        for path in ("", "/events", "/photos/1"):
            assert client.get(room.url + path).status_code == 404, (email, path)
            assert client.get(f"/rooms/999999{path}").status_code == 404
        csrf = csrf_token(client, "/")
        for path, data in (("/messages", {"body": "hi"}), ("/read", {"seq": "1"}),
                           ("/signals", {"signal": '{"type": "hello"}'})):
            assert client.post(room.url + path, data={**data, "csrf_token": csrf}).status_code == 404, (email, path)
    assert count(database) == 1
    logged_out = app.test_client()
    assert logged_out.get(room.url).location.startswith("/login")


def test_chat_without_javascript_posts_a_form_and_shows_errors_next_to_the_field(database, room):
    response = send(room.customer, room, "Hello <b>Maria</b>, the light blinks.", json_reply=False)
    assert response.status_code == 302 and response.location == f"{room.url}#chat"
    page = room.mechanic.get(room.url).get_data(as_text=True)
    assert "Hello &lt;b&gt;Maria&lt;/b&gt;, the light blinks." in page and "<b>Maria</b>" not in page
    assert "New messages" in page  # Maria has not read it yet
    response = send(room.customer, room, "   ", json_reply=False)
    assert response.status_code == 400 and refusal_codes(response) == {"UV070"}
    response = send(room.customer, room, "x" * 2001, json_reply=False)
    assert response.status_code == 400 and 'class="error"' in response.get_data(as_text=True)
    assert count(database) == 1


def test_the_script_posts_messages_and_photos_as_json(database, room):
    assert send(room.customer, room, "Hi!").get_json() == {"seq": 1}
    refused = send(room.customer, room, " ")
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "body"
    photo = room.mechanic.post(f"{room.url}/photos", headers=JSON, content_type="multipart/form-data",
                               data={"photo": (io.BytesIO(PNG), "x.txt"), "caption": "this hose",
                                     "csrf_token": token(room.mechanic, room)})
    assert photo.status_code == 201 and photo.get_json() == {"seq": 2}
    pdf = room.mechanic.post(f"{room.url}/photos", headers=JSON, content_type="multipart/form-data",
                             data={"photo": (io.BytesIO(b"%PDF-1.4 nope"), "x.png"),
                                   "csrf_token": token(room.mechanic, room)})
    assert pdf.status_code == 400 and pdf.get_json()["error"]["reason"] == "UV071"
    for client in (room.customer, room.mechanic):
        served = client.get(f"{room.url}/photos/2")
        assert served.status_code == 200 and served.mimetype == "image/png" and served.data == PNG
        assert served.headers["Cache-Control"] == "no-store"  # kept by no cache, the browser's included
    assert room.customer.get(f"{room.url}/photos/1").status_code == 404  # a text, not a photo
    assert room.customer.get(f"{room.url}/photos/99999999999").status_code == 404
    assert count(database) == 2


def test_every_post_needs_its_csrf_token(database, room):
    assert room.customer.post(f"{room.url}/messages", data={"body": "hi"}).status_code == 400
    assert room.customer.post(f"{room.url}/signals", json={"type": "hello"}).status_code == 400
    assert room.customer.post(f"{room.url}/read", data={"seq": "1"}).status_code == 400
    assert count(database) == 0


def test_signals_as_json_or_as_the_beacon_of_a_closing_tab(database, room):
    csrf = token(room.mechanic, room)
    ok = room.mechanic.post(f"{room.url}/signals", json={"type": "hello", "from": "m1"}, headers={"X-CSRFToken": csrf})
    assert ok.status_code == 201
    beacon = room.mechanic.post(f"{room.url}/signals", data={"csrf_token": csrf, "signal": '{"type": "bye", "from": "m1"}'})
    assert beacon.status_code == 201
    for bad in (["hello"], {"type": "nonsense"}, "x"):
        answer = room.mechanic.post(f"{room.url}/signals", json=bad, headers={"X-CSRFToken": csrf})
        assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid"
    garbled = room.mechanic.post(f"{room.url}/signals", data={"csrf_token": csrf, "signal": "{not json"})
    assert garbled.status_code == 400
    assert count(database) == 2
    assert "hello" not in room.customer.get(room.url).get_data(as_text=True).split('id="chat-log"')[1].split("</ol>")[0]


def test_the_read_marker(room):
    for body in ("one", "two"):
        send(room.mechanic, room, body)
    csrf = token(room.customer, room)
    assert room.customer.post(f"{room.url}/read", data={"seq": "1", "csrf_token": csrf}).get_json() == {"last_read_seq": 1}
    assert room.customer.post(f"{room.url}/read", data={"seq": "-4", "csrf_token": csrf}).status_code == 400
    page = room.customer.get(room.url).get_data(as_text=True)
    assert page.index("New messages") < page.index(">two<") and page.index(">one<") < page.index("New messages")


def test_after_the_session_the_transcript_and_summary_stay_read_only(database, room):
    send(room.customer, room, "Does the light blink?")
    csrf = token(room.mechanic, room)
    assert room.mechanic.post(f"/mechanic/sessions/{room.id}/start", data={"csrf_token": csrf}).location == room.url
    send(room.mechanic, room, "Yes: it is a misfire.")
    room.mechanic.post(f"/mechanic/sessions/{room.id}/complete",
                       data={"csrf_token": csrf, "summary": "Replace the coil pack on cylinder 2."})
    refused = send(room.customer, room, "One more thing")
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "refused"
    page = room.customer.get(room.url).get_data(as_text=True)
    assert "read-only" in page and 'id="chat-form"' not in page and 'id="remote-video"' not in page
    assert "Replace the coil pack on cylinder 2." in page
    for client, path in ((room.customer, f"/customer/appointments/{room.id}"), (room.mechanic, f"/mechanic/sessions/{room.id}")):
        page = client.get(path).get_data(as_text=True)
        assert "The session's chat" in page and "Yes: it is a misfire." in page and "Does the light blink?" in page
        assert "Replace the coil pack on cylinder 2." in page
    assert count(database) == 2


# --- the event stream --------------------------------------------------------------------------------------

class Stream:
    """Reads a server-sent event stream of the test client in a thread, event by event."""

    def __init__(self, response):
        self.response = response
        self.events = []
        self.ended = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = ""
        for chunk in self.response.response:
            buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
            while "\n\n" in buffer:
                frame, buffer = buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in frame.splitlines() if ": " in line and not line.startswith(":"))
                if "event" in fields:
                    self.events.append((fields["event"], json.loads(fields["data"]), time.monotonic()))
        self.ended.set()

    def wait_for(self, predicate, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events if predicate(e)]
            if found:
                return found[0]
            time.sleep(0.01)
        raise AssertionError(f"no such event within {timeout} s; got {self.events}")

    def close(self):
        """Waits for the stream to end by itself (ROOM_STREAM_SECONDS, shortened by the `streams` fixture):
        werkzeug cannot close a response that another thread is reading."""
        assert self.ended.wait(10), "the stream did not end by itself"
        self.response.close()


@pytest.fixture(autouse=True)
def short_streams(app):
    app.config["ROOM_STREAM_SECONDS"] = 3


def test_the_stream_delivers_state_and_messages_as_they_commit(database, room):
    send(room.customer, room, "Before the stream")
    stream = Stream(room.mechanic.get(f"{room.url}/events?after=0", buffered=False))
    try:
        assert stream.response.mimetype == "text/event-stream"
        event, state, _ = stream.wait_for(lambda e: e[0] == "state")
        assert state["status"] == "pending" and state["is_open"] is True
        stream.wait_for(lambda e: e[0] == "message" and e[1]["body"] == "Before the stream")
        sent = time.monotonic()
        send(room.customer, room, "Can you hear me?")
        _, message, arrived = stream.wait_for(lambda e: e[0] == "message" and e[1]["body"] == "Can you hear me?")
        assert message["side"] == "customer" and message["seq"] == 2 and arrived - sent < 1
        room.customer.post(f"{room.url}/signals", json={"type": "hello", "from": "c1"},
                           headers={"X-CSRFToken": token(room.customer, room)})
        assert stream.wait_for(lambda e: e[0] == "signal")[1]["signal"] == {"type": "hello", "from": "c1"}
        with database.owner() as conn:
            conn.execute("select app.start_session(%s, %s)", [room.maria, room.id])
        assert stream.wait_for(lambda e: e[0] == "state" and e[1]["status"] == "live")[1]["started_at"]
        with database.owner() as conn:
            conn.execute("select app.complete_session(%s, %s)", [room.maria, room.id])
        stream.wait_for(lambda e: e[0] == "state" and e[1]["status"] == "completed")
        assert stream.ended.wait(5)  # a finished session's stream ends
    finally:
        stream.close()
    assert room.mechanic.get(f"{room.url}/events", headers={"Last-Event-ID": "3"}).status_code == 204


def test_a_stream_resumes_after_last_event_id_and_leaves_out_my_own_signals(room):
    for body in ("one", "two", "three"):
        send(room.customer, room, body)
    room.mechanic.post(f"{room.url}/signals", json={"type": "hello", "from": "m1"},
                       headers={"X-CSRFToken": token(room.mechanic, room)})
    resumed = Stream(room.mechanic.get(f"{room.url}/events", headers={"Last-Event-ID": "2"}, buffered=False))
    caught_up = Stream(room.customer.get(f"{room.url}/events", headers={"Last-Event-ID": "4"}, buffered=False))
    try:
        resumed.wait_for(lambda e: e[0] == "message" and e[1]["seq"] == 3)
        caught_up.wait_for(lambda e: e[0] == "state")
        send(room.customer, room, "four")
        resumed.wait_for(lambda e: e[0] == "message" and e[1]["seq"] == 5)
        caught_up.wait_for(lambda e: e[0] == "message" and e[1]["seq"] == 5)
        assert [e[1]["seq"] for e in resumed.events if e[0] != "state"] == [3, 5]
        assert [e[1]["seq"] for e in caught_up.events if e[0] != "state"] == [5]  # nothing new at first, then 5
    finally:
        resumed.close()
        caught_up.close()


def test_a_mechanic_handed_over_from_is_told_to_go(database, room):
    omar = make_staff(database, "mechanic", "omar@example.com")
    stream = Stream(room.mechanic.get(f"{room.url}/events", buffered=False))
    try:
        stream.wait_for(lambda e: e[0] == "state")
        with database.owner() as conn:
            conn.execute("update app.sessions set mechanic_id = %s where id = %s", [omar, room.id])
        stream.wait_for(lambda e: e[0] == "gone")
        assert stream.ended.wait(5)
    finally:
        stream.close()


def test_streams_over_the_cap_answer_at_once_and_come_back_later(app, database, room):
    app.config["ROOM_STREAMS"] = 1
    held = Stream(room.mechanic.get(f"{room.url}/events", buffered=False))
    try:
        held.wait_for(lambda e: e[0] == "state")
        send(room.customer, room, "hello")
        extra = room.customer.get(f"{room.url}/events")  # buffered: it must end by itself
        text = extra.get_data(as_text=True)
        assert extra.status_code == 200 and text.startswith("retry: 1000") and '"body": "hello"' in text
    finally:
        held.close()


# --- ICE servers ---------------------------------------------------------------------------------------------

def test_turn_credentials_follow_the_shared_secret_scheme_and_lapse():
    username, password = rooms.turn_credential("s3cret", 42, 3600, now=1_800_000_000)
    assert username == "1800003600:42"
    digest = subprocess.run(["openssl", "dgst", "-sha1", "-hmac", "s3cret", "-binary"], input=username.encode(),
                            capture_output=True, check=True).stdout  # an implementation other than ours
    assert password == base64.b64encode(digest).decode()
    config = {"ICE_SERVERS": [{"urls": "stun:stun.example.org:3478"}], "TURN_SECRET": "s3cret",
              "TURN_URLS": ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"], "TURN_TTL": 600}
    servers = rooms.ice_servers(config, 7, now=1_800_000_000)
    assert servers[0] == {"urls": "stun:stun.example.org:3478"}
    assert servers[1]["urls"] == config["TURN_URLS"] and servers[1]["username"] == "1800000600:7"


@pytest.mark.parametrize("text", ["{", '{"urls": "stun:x"}', '[{"url": "stun:x"}]', '[{"urls": "http://x"}]', "[1]"])
def test_a_wrong_ice_servers_setting_stops_the_start_with_what_is_wrong(database, tmp_path, text):
    with pytest.raises(ValueError, match="ICE_SERVERS"):
        create_app({"DATABASE_URL": database.url, "VAR_DIR": str(tmp_path), "SECRET_KEY": "k", "ICE_SERVERS": text})


def test_the_room_hands_its_browser_the_configured_servers(app, room):
    app.config.update(ICE_SERVERS=[{"urls": ["stun:127.0.0.1:3478"]}], TURN_SECRET="s3cret",
                      TURN_URLS=["turn:127.0.0.1:3478"], TURN_TTL=3600)
    page = room.customer.get(room.url).get_data(as_text=True)
    servers = json.loads(page.split('id="room-config">')[1].split("</script>")[0])["iceServers"]
    assert servers[0] == {"urls": ["stun:127.0.0.1:3478"]}
    expiry, user = servers[1]["username"].split(":")
    assert user == str(room.casey) and 3500 < int(expiry) - time.time() <= 3600
    assert PASSWORD not in page
