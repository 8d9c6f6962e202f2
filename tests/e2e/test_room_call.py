"""The session room in two real browsers (issue 14): a customer on a phone and a mechanic on a laptop join the
same paid live session through the pages (Join, Accept, Open the room); each side's remote <video> plays the
other's fake camera over WebRTC, peer to peer; chat and a photo go both ways; a reload of one side reconnects;
another customer gets a 404 and sends no signal. Screenshots of both sides go to var/screenshots/<test>/."""
import re
import secrets
import shutil
import socket
import struct
import subprocess
import time
import zlib
from types import SimpleNamespace

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from availability_world import World
from conftest import PASSWORD, make_customer, make_staff
from e2e.conftest import SCREENSHOTS, TIMEOUT_MS

PLAYING = """() => {
  const v = document.getElementById('remote-video');
  return v && v.videoWidth > 0 && v.currentTime > 0.3;
}"""


def png(width=160, height=120, rgb=(200, 60, 20)):
    """A real PNG, so that the receiving browser can decode it (naturalWidth > 0)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def paid_live_request(database, customer):
    """Casey's Book Now request as the wizard leaves it: the waiver signed, the plan paid, offers out."""
    with database.owner() as conn:
        conn.execute("select app.sign_waiver(p_actor => %s, p_typed_name => 'Casey Customer')", [customer])
        payment = conn.execute(
            "select * from app.begin_checkout(p_actor => %s, p_kind => 'immediate', p_plan => 'standard', "
            "p_payment_method => 'pm_card_visa', p_advice_only => true, "
            "p_concern => 'The engine light blinks and the car shakes at idle.')", [customer]).fetchone()
        return World(conn).charge(payment)["session_id"]


def log_in(page, email):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def turn_on_media(page):
    """Presses "Turn on camera and microphone", unless the room did it by itself (the browser had allowed them)."""
    ask = page.get_by_role("button", name="Turn on camera and microphone")
    mute = page.get_by_role("button", name="Mute microphone")
    expect(ask.or_(mute).first).to_be_visible()
    if ask.is_visible():
        try:
            ask.click(timeout=2000)
        except PlaywrightTimeout:  # it turned them on by itself meanwhile
            pass
    expect(mute).to_be_visible()


def expect_playing(page):
    """The remote video has frames and its clock moves."""
    page.wait_for_function(PLAYING, timeout=20_000)
    before = page.evaluate("document.getElementById('remote-video').currentTime")
    page.wait_for_timeout(600)
    after = page.evaluate("document.getElementById('remote-video').currentTime")
    assert after > before, (before, after)
    assert page.evaluate("document.getElementById('remote-video').videoWidth") > 0


@pytest.fixture
def screenshots(request):
    folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def test_customer_and_mechanic_see_hear_and_write_to_each_other(browser, live_server, database, screenshots, tmp_path):
    maria = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    casey = make_customer(database, name="Casey Customer")
    eve = make_customer(database, email="eve@example.com", name="Eve Other")
    database.scalar("select app.set_on_shift(%s, true)", [maria])
    session = paid_live_request(database, casey)
    room = f"/rooms/{session}"

    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, timezone_id="America/Toronto", locale="en-CA")
    laptop = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                 timezone_id="America/Vancouver", locale="en-CA")
    snoop = browser.new_context(base_url=live_server)
    try:
        for context in (phone, laptop, snoop):
            context.set_default_timeout(TIMEOUT_MS)
        customer, mechanic, other = phone.new_page(), laptop.new_page(), snoop.new_page()

        log_in(customer, "casey@example.com")
        customer.goto(f"/customer/appointments/{session}")
        customer.get_by_role("button", name="Join the session").click()
        expect(customer).to_have_url(re.compile(f"/customer/appointments/{session}/room$"))
        expect(customer.get_by_role("heading", name="Finding your mechanic…")).to_be_visible()

        log_in(mechanic, "maria@example.com")
        mechanic.get_by_role("button", name="Accept").first.click()
        mechanic.get_by_role("link", name="Open the room").click()
        expect(mechanic).to_have_url(re.compile(room + "$"))
        expect(customer.locator("h1")).to_have_text("Session with Maria Mechanic")  # the lobby opened by itself

        turn_on_media(customer)
        turn_on_media(mechanic)
        expect_playing(customer)
        expect_playing(mechanic)
        expect(customer.locator("#call-state")).to_contain_text("Connected with Maria Mechanic")
        expect(mechanic.locator("#call-state")).to_contain_text("Connected with Casey Customer")

        mechanic.get_by_role("button", name="Start the session").click()
        expect(mechanic).to_have_url(re.compile(room + "$"))
        turn_on_media(mechanic)  # a page load: the mechanic's tab came back and says hello again
        expect(customer.locator("#room-status")).to_contain_text("Live")
        expect(customer.locator("#room-clock")).to_contain_text("left of the plan")
        expect_playing(customer)
        expect_playing(mechanic)

        customer.get_by_label("Message", exact=True).fill("Hi Maria, it shakes at every red light.")
        customer.get_by_label("Message", exact=True).press("Enter")
        expect(mechanic.locator("#chat-log")).to_contain_text("Hi Maria, it shakes at every red light.")
        mechanic.get_by_label("Message", exact=True).fill("Show me the engine bay with your rear camera, please.")
        mechanic.get_by_role("button", name="Send", exact=True).click()
        expect(customer.locator("#chat-log")).to_contain_text("Show me the engine bay")

        photo = tmp_path / "engine.png"
        photo.write_bytes(png())
        customer.get_by_label("Photo", exact=True).set_input_files(str(photo))
        customer.get_by_label("Caption (optional)").fill("the coil packs")
        customer.get_by_role("button", name="Send photo").click()
        seen = mechanic.get_by_role("img", name="Photo from Casey Customer: the coil packs")
        expect(seen).to_be_visible()
        mechanic.wait_for_function("img => img.complete && img.naturalWidth === 160", arg=seen.element_handle())
        mechanic.get_by_label("Photo", exact=True).set_input_files(str(photo))
        mechanic.get_by_role("button", name="Send photo").click()
        expect(customer.get_by_role("img", name="Photo from Maria Mechanic")).to_be_visible()
        expect(customer.get_by_role("img", name="Photo from you: the coil packs")).to_be_visible()

        customer.screenshot(path=screenshots / "01-customer-phone.png", full_page=True)
        mechanic.screenshot(path=screenshots / "02-mechanic-laptop.png", full_page=True)

        customer.reload()  # the customer's tab comes back: the call reconnects without a new booking
        turn_on_media(customer)
        expect_playing(customer)
        expect_playing(mechanic)
        expect(customer.locator("#chat-log")).to_contain_text("Show me the engine bay")  # the transcript is kept
        customer.screenshot(path=screenshots / "03-customer-after-reload.png", full_page=True)

        log_in(other, "eve@example.com")
        assert other.goto(room).status == 404
        assert other.request.get(f"{live_server}{room}/events").status == 404
        token = other.evaluate("document.querySelector('input[name=csrf_token]').value")
        answer = other.request.post(f"{live_server}{room}/signals", data='{"type": "hello", "from": "eve"}',
                                    headers={"Content-Type": "application/json", "X-CSRFToken": token})
        assert answer.status == 404
        assert database.scalar("select count(*) from app.session_messages where sender_id = %s", [eve]) == 0

        mechanic.goto("/mechanic/")  # the mechanic steps out: the customer is told, and the call resumes on return
        expect(customer.locator("#call-state")).to_contain_text("Your mechanic left the room")
        mechanic.goto(room)
        turn_on_media(mechanic)
        expect(customer.locator("#call-state")).to_contain_text("Connected with Maria Mechanic")
        expect_playing(customer)

        mechanic.get_by_label(re.compile("Summary for")).fill("Coil pack 2 is failing: replace it.")
        mechanic.get_by_role("button", name="Complete the session").click()
        expect(customer.locator("#room-status")).to_contain_text("completed")  # the customer's room closes
        expect(customer.get_by_text("Coil pack 2 is failing: replace it.")).to_be_visible()
        expect(customer.locator("#chat-form")).to_have_count(0)
        customer.screenshot(path=screenshots / "04-customer-after-the-session.png", full_page=True)
    finally:
        for context in (phone, laptop, snoop):
            context.close()
    kinds = dict(database.scalar("select jsonb_object_agg(kind, n) from (select kind, count(*) n "
                                 "from app.session_messages where session_id = %s group by kind) k", [session]))
    assert kinds["text"] == 2 and kinds["photo"] == 2 and kinds["signal"] > 6


@pytest.fixture
def turn_server(tmp_path):
    """coturn on 127.0.0.1 with the TURN REST API's shared secret, as README's production setup has it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = secrets.token_hex(16)
    log = tmp_path / "turn.log"
    process = subprocess.Popen(
        ["turnserver", "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", f"--listening-port={port}",
         "--use-auth-secret", f"--static-auth-secret={secret}", "--realm=autodoctor.test", "--no-tls", "--no-dtls",
         "--allow-loopback-peers", "--no-cli", "--min-port=49152", "--max-port=49407", f"--log-file={log}",
         "--simple-log", "--verbose"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("turnserver did not listen within 10 s")
        yield SimpleNamespace(port=port, secret=secret, log=log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_through_a_turn_relay_only_with_the_credentials_the_app_made(app, browser, live_server, database, turn_server):
    """ICE_TRANSPORT_POLICY=relay: the browsers may only talk through coturn, which accepts nothing but the
    time-limited credentials the app derived from the shared secret; the call still plays both ways."""
    app.config.update(TURN_SECRET=turn_server.secret, TURN_URLS=[f"turn:127.0.0.1:{turn_server.port}?transport=udp"],
                      ICE_TRANSPORT_POLICY="relay")
    maria = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    casey = make_customer(database, name="Casey Customer")
    database.scalar("select app.set_on_shift(%s, true)", [maria])
    session = paid_live_request(database, casey)
    database.scalar("select app.accept_offer(%s, %s)", [maria, session])
    contexts = [browser.new_context(base_url=live_server) for _ in range(2)]
    try:
        customer, mechanic = (context.new_page() for context in contexts)
        for page, email in ((customer, "casey@example.com"), (mechanic, "maria@example.com")):
            log_in(page, email)
            page.goto(f"/rooms/{session}")
            turn_on_media(page)
        expect_playing(customer)
        expect_playing(mechanic)
    finally:
        for context in contexts:
            context.close()
    log = turn_server.log.read_text()
    for user in (casey, maria):
        assert re.search(rf"user <\d+:{user}>: incoming packet ALLOCATE processed, success", log), log[-2000:]
    assert len(re.findall(r"user <\d+:\d+>: incoming packet CHANNEL_BIND processed, success", log)) >= 2  # media relayed


def test_a_refused_camera_leaves_a_working_chat_that_says_so(browser, live_server, database, screenshots):
    maria = make_staff(database, "mechanic", "maria@example.com", name="Maria Mechanic")
    casey = make_customer(database, name="Casey Customer")
    database.scalar("select app.set_on_shift(%s, true)", [maria])
    session = paid_live_request(database, casey)
    database.scalar("select app.accept_offer(%s, %s)", [maria, session])
    shy = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    laptop = browser.new_context(base_url=live_server)
    try:
        # the customer says no when the browser asks (as a person pressing Block would)
        shy.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
            Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));""")
        customer, mechanic = shy.new_page(), laptop.new_page()
        log_in(customer, "casey@example.com")
        customer.goto(f"/rooms/{session}")
        customer.get_by_role("button", name="Turn on camera and microphone").click()
        expect(customer.locator("#media-note")).to_contain_text("You did not allow the camera and microphone, so this is a chat")
        log_in(mechanic, "maria@example.com")
        mechanic.goto(f"/rooms/{session}")
        turn_on_media(mechanic)
        expect_playing(customer)  # the customer still sees the mechanic
        expect(mechanic.locator("#call-state")).to_contain_text("Connected with Casey Customer")
        customer.get_by_label("Message", exact=True).fill("I would rather write.")
        customer.get_by_role("button", name="Send", exact=True).click()
        expect(mechanic.locator("#chat-log")).to_contain_text("I would rather write.")
        customer.screenshot(path=screenshots / "01-customer-chat-only.png", full_page=True)
    finally:
        shy.close()
        laptop.close()
