"""Book Now (SPEC §3.1): the immediate wizard, step by step, against the real database and the offline test
gateway: vehicle or Just Advice, plan, the mechanic search (nothing before Find; waitlist, Schedule instead and
the offline list when nobody is online), the concern with files, the waiver, payment and the session lobby."""
import io
import re
import struct
import zlib

import psycopg
import pytest

from conftest import log_in, make_customer, submit
from support import refusal_codes

BOOK = "/customer/book"
VISA = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


def tiny_png():
    """A real 1×1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def customer(world, database, client):
    customer_id = make_customer(database)  # Toronto, M5V 2T6
    log_in(client, "casey@example.com")
    return customer_id


def mechanic(world, name, online=True, brands=(), specialties=(), rating=None, years=0):
    mechanic_id = world.mechanic()
    world.conn.execute("update app.users set name = %s where id = %s", [name, mechanic_id])
    world.conn.execute(
        "update app.mechanics set currently_on_shift = %s, last_seen_at = app.app_now() - interval '3 days', "
        "brands = %s, specialties = %s, rating = %s, years_experience = %s, city = 'Toronto', postal_code = 'M5V 1A1' "
        "where id = %s", [online, list(brands), list(specialties), rating, years, mechanic_id])
    return mechanic_id


def sign_waiver_on_file(database, customer_id):
    database.scalar("select app.sign_waiver(%s, null, 'online', null, 'Casey Customer')", [customer_id])


def draft(database, customer_id, flow="book"):
    return database.scalar("select app.draft_json(d) from app.booking_drafts d where customer_id = %s and flow = %s",
                           [customer_id, flow])


def page(response):
    return response.get_data(as_text=True)


def choose(client, vehicle_id=None, plan="standard"):
    """Steps 1 and 2: a saved vehicle (or Just Advice) and a plan, each auto-advancing."""
    data = {"vehicle_id": str(vehicle_id)} if vehicle_id else {"advice_only": "y"}
    response = submit(client, f"{BOOK}/vehicle", data)
    assert (response.status_code, response.location) == (302, f"{BOOK}/plan")
    response = submit(client, f"{BOOK}/plan", {"plan": plan})
    assert (response.status_code, response.location) == (302, f"{BOOK}/mechanic")


def locate(client, tab="all"):
    """Step 3: Find, then Continue."""
    found = client.get(f"{BOOK}/mechanic", query_string={"find": "1", "tab": tab})
    assert found.status_code == 200 and "online now" in page(found)
    response = submit(client, f"{BOOK}/mechanic", {"city": "Toronto", "postal_code": "M5V 2T6", "tab": tab},
                      action=f"{BOOK}/mechanic/continue")
    assert (response.status_code, response.location) == (302, f"{BOOK}/concern")


def describe(client, concern="The brakes squeal when I stop.", category="brakes", files=(), urgent=False):
    data = {"concern_category": category, "concern": concern}
    if urgent:
        data["is_urgent"] = "y"
    if files:
        data["files"] = [(io.BytesIO(content), name) for name, content in files]
    return submit(client, f"{BOOK}/concern", data, content_type="multipart/form-data")


def pay(client, card=VISA):
    return submit(client, f"{BOOK}/payment", {"card": card})


def test_just_advice_end_to_end_books_a_pending_immediate_session(client, database, world, customer):
    online = mechanic(world, "Olive Online", rating=4.8, years=12)
    assert client.get(f"{BOOK}/").location == f"{BOOK}/vehicle"
    choose(client)
    locate(client)
    assert describe(client, "Is a 2015 Civic a good first car?", "other").location == f"{BOOK}/waiver"
    waiver = client.get(f"{BOOK}/waiver")
    assert waiver.status_code == 200 and "data-signature-pad" in page(waiver) and "signature.js" in page(waiver)
    signed = submit(client, f"{BOOK}/waiver", {"agree": "y", "typed_name": "Casey Customer"})
    assert signed.location == f"{BOOK}/payment"
    summary = page(client.get(f"{BOOK}/payment"))
    assert "Just Advice" in summary and "$29.00 CAD" in summary and "4242 4242 4242 4242" in summary

    response = pay(client)

    session = database.scalar("select row_to_json(s) from app.sessions s where customer_id = %s", [customer])
    assert response.status_code == 302
    assert response.location == f"/customer/appointments/{session['id']}/room"
    assert (session["kind"], session["status"], session["advice_only"], session["vehicle_id"]) == (
        "immediate", "pending", True, None)
    assert (session["plan_code"], session["request_type"], session["concern_category"]) == ("standard", "general", "other")
    assert session["intake"] == {"attachments": [], "city": "Toronto", "postal_code": "M5V 2T6"}
    paid = database.scalar("select row_to_json(p) from app.payments p where session_id = %s", [session["id"]])
    assert (paid["status"], paid["amount_cents"] + paid["credit_cents"]) == ("succeeded", 2900)
    offers = database.scalar("select array_agg(coalesce(mechanic_id, 0) order by kind desc) from app.session_offers "
                             "where session_id = %s", [session["id"]])
    assert offers == [online, 0]  # the targeted offer, then the broadcast
    assert draft(database, customer) is None
    assert database.scalar("select count(*) from app.money_audit()") == 0


def test_vehicle_journey_with_a_photo_and_a_text_file_posing_as_one(client, database, world, customer):
    specialist = mechanic(world, "Hana Honda", brands=["Honda"], specialties=["brakes"])
    mechanic(world, "Gus General")
    bad_vin = submit(client, f"{BOOK}/vehicle", {"year": "2018", "make": "Honda", "model": "Civic",
                                                 "vin": "JM3KFBCM2K0123456"}, action=f"{BOOK}/vehicle/new")
    assert bad_vin.status_code == 400 and refusal_codes(bad_vin, "vin-error") == {"vehicles_vin_valid"}
    assert database.scalar("select count(*) from app.vehicles") == 0 and draft(database, customer) is None
    added = submit(client, f"{BOOK}/vehicle", {"year": "2018", "make": "Honda", "model": "Civic",
                                               "odometer_km": "84000", "plate": "CBRK 123"},
                   action=f"{BOOK}/vehicle/new")
    vehicle = database.scalar("select id from app.vehicles where customer_id = %s", [customer])
    assert (added.status_code, added.location) == (302, f"{BOOK}/plan")
    assert draft(database, customer)["vehicle_id"] == vehicle
    assert submit(client, f"{BOOK}/plan", {"plan": "extended"}).location == f"{BOOK}/mechanic"
    brand = page(client.get(f"{BOOK}/mechanic", query_string={"find": "1", "tab": "brand"}))
    assert "Hana Honda" in brand and "Gus General" not in brand and "specialist in Honda +30" in brand
    locate(client, tab="brand")

    refused = describe(client, files=[("photo.png", b"just some text, not a picture at all")])
    assert refused.status_code == 400
    assert refusal_codes(refused, "files-error") == {"UV014"}
    assert re.search(r'id="files-error"[^>]*>photo\.png: ', page(refused))  # the refused file is named
    assert database.scalar("select count(*) from app.attachments") == 0

    kept = describe(client, files=[("brake-pad.png", tiny_png())])
    assert kept.location == f"{BOOK}/waiver"
    attachment = database.scalar("select id from app.attachments where customer_id = %s", [customer])
    assert "brake-pad.png" in page(client.get(f"{BOOK}/concern"))
    sign_waiver_on_file(database, customer)
    response = pay(client)

    session = database.scalar("select row_to_json(s) from app.sessions s where customer_id = %s", [customer])
    assert response.location == f"/customer/appointments/{session['id']}/room"
    assert (session["vehicle_id"], session["advice_only"], session["plan_code"]) == (vehicle, False, "extended")
    assert session["request_type"] == "brand_specialist"
    assert session["intake"]["attachments"] == [attachment]
    assert database.scalar("select session_id from app.attachments where id = %s", [attachment]) == session["id"]
    assert database.scalar("select amount_cents from app.payments where session_id = %s", [session["id"]]) == 4900
    targeted = database.scalar("select array_agg(mechanic_id) from app.session_offers where session_id = %s "
                               "and kind = 'targeted'", [session["id"]])
    assert targeted == [specialist]


def test_nobody_online_join_waitlist_stays_on_the_page_and_confirms(client, database, world, customer):
    mechanic(world, "Otto Offline", online=False)
    choose(client)
    found = client.get(f"{BOOK}/mechanic", query_string={"find": "1"})
    assert "Nobody is online right now" in page(found) and "Join waitlist" in page(found)

    joined = submit(client, f"{BOOK}/mechanic", {"city": "Toronto", "postal_code": "M5V 2T6", "tab": "all"},
                    action=f"{BOOK}/mechanic/waitlist")
    assert joined.status_code == 302 and joined.location.startswith(f"{BOOK}/mechanic?")
    shown = page(client.get(joined.location))
    assert "You are on the waitlist: number 1 in line" in shown
    assert "Mon 23 Nov 2026, 11:00 AM EST" in shown  # two hours from the frozen 09:00 Toronto
    assert "emailed you a confirmation" in shown and "comes online" in shown
    entry = database.scalar("select row_to_json(w) from app.customer_waitlist w where customer_id = %s", [customer])
    assert (entry["status"], entry["plan_code"], entry["advice_only"]) == ("pending", "standard", True)
    assert database.scalar("select count(*) from app.outbox where user_id = %s and template = 'waitlist_joined'",
                           [customer]) == 1

    again = submit(client, f"{BOOK}/mechanic", {"tab": "all"}, action=f"{BOOK}/mechanic/waitlist")
    assert refusal_codes(client.get(again.location)) == {"customer_waitlist_one_pending"}
    assert database.scalar("select count(*) from app.customer_waitlist where customer_id = %s", [customer]) == 1


def test_nobody_online_schedule_instead_carries_the_booking_to_scheduling(client, database, world, customer):
    online = mechanic(world, "Fleeting Fiona")
    vehicle = database.scalar("select app.add_vehicle(%s, 2020, 'Toyota', 'RAV4')", [customer])
    choose(client, vehicle_id=vehicle, plan="premium")
    locate(client)
    describe(client, "A rattle from the rear at 60 km/h.", "noise")
    world.conn.execute("update app.mechanics set currently_on_shift = false where id = %s", [online])
    assert "Nobody is online right now" in page(client.get(f"{BOOK}/mechanic", query_string={"find": "1"}))

    response = submit(client, f"{BOOK}/mechanic", {}, action=f"{BOOK}/mechanic/schedule-instead")

    assert (response.status_code, response.location) == (302, "/customer/schedule/")
    assert draft(database, customer) is None
    carried = draft(database, customer, "schedule")
    assert carried["vehicle_id"] == vehicle and carried["plan"] == "premium" and carried["carried"] is True
    assert (carried["concern"], carried["concern_category"]) == ("A rattle from the rear at 60 km/h.", "noise")


def test_offline_list_puts_favorites_first_and_has_no_schedule_button(client, database, world, customer):
    top = mechanic(world, "Alice Acclaimed", online=False, rating=5.0, specialties=["engine"])
    favorite = mechanic(world, "Zed Favorite", online=False, rating=3.9, specialties=["brakes", "noise"])
    database.scalar("select app.set_favorite(%s, %s, true)", [customer, favorite])
    choose(client)

    shown = page(client.get(f"{BOOK}/mechanic", query_string={"find": "1"}))

    offline = shown[shown.index('<details id="offline"'):shown.index("</details>")]
    assert offline.index("Zed Favorite") < offline.index("Alice Acclaimed")
    assert re.search(r"★ </span><span class=\"visually-hidden\">Favorite: </span>Zed Favorite", offline)
    assert "Alice Acclaimed" in offline and "★ 5.0" in offline and ">engine<" in offline and ">noise<" in offline
    assert f'href="/mechanics/{top}"' in offline and f'action="/customer/favorites/{top}"' in offline
    assert "Add to favorites" in offline and "Remove from favorites" in offline
    assert "/customer/schedule" not in offline and not re.search(r"<button[^>]*>[^<]*Schedule", offline)
    assert "Schedule instead" in offline  # the tip points to it
    added = submit(client, f"{BOOK}/mechanic", {"favorite": "1", "next": f"{BOOK}/mechanic?find=1&offline=1"},
                   action=f"/customer/favorites/{top}")
    assert added.location == f"{BOOK}/mechanic?find=1&offline=1"
    assert database.scalar("select count(*) from app.favorites where customer_id = %s", [customer]) == 2


def test_nothing_is_searched_before_find_is_pressed(client, database, world, customer):
    mechanic(world, "Olive Online", rating=4.8)
    choose(client)
    step = client.get(f"{BOOK}/mechanic")
    shown = page(step)
    assert step.status_code == 200 and "Find mechanics" in shown
    assert 'value="Toronto"' in shown and 'value="M5V 2T6"' in shown  # the location from the profile
    assert "Olive Online" not in shown and "online now" not in shown and "Continue" not in shown
    world.conn.execute("update app.mechanics set currently_on_shift = false")
    shown = page(client.get(f"{BOOK}/mechanic"))
    assert "Nobody is online" not in shown and "Join waitlist" not in shown and "Schedule instead" not in shown
    # Continue re-checks: nobody online means no way forward to the concern
    stay = submit(client, f"{BOOK}/mechanic", {"tab": "all"}, action=f"{BOOK}/mechanic/continue")
    assert stay.location.startswith(f"{BOOK}/mechanic?") and "located" not in draft(database, customer)


def test_just_advice_has_no_brand_tab(client, database, world, customer):
    mechanic(world, "Olive Online", brands=["Honda"])
    choose(client)
    shown = page(client.get(f"{BOOK}/mechanic"))
    assert "Just Advice is not brand-filtered" in shown and 'aria-disabled="true">Brand specialist' in shown
    forced = client.get(f"{BOOK}/mechanic", query_string={"find": "1", "tab": "brand"})
    assert forced.status_code == 400 and refusal_codes(forced) == {"UV008"}
    unknown = client.get(f"{BOOK}/mechanic", query_string={"find": "1", "tab": "nearby"})
    assert unknown.status_code == 400 and 'id="tab-error"' in page(unknown)


def test_waiver_is_skipped_with_a_signature_on_file(client, database, world, customer):
    mechanic(world, "Olive Online")
    sign_waiver_on_file(database, customer)
    choose(client)
    locate(client)
    assert describe(client).location == f"{BOOK}/waiver"
    assert client.get(f"{BOOK}/waiver").location == f"{BOOK}/payment"
    assert client.get(f"{BOOK}/").location == f"{BOOK}/payment"
    assert database.scalar("select count(*) from app.waiver_signatures") == 1


def test_waiver_is_required_without_a_signature_on_file(client, database, world, customer):
    mechanic(world, "Olive Online")
    choose(client)
    locate(client)
    describe(client)
    assert client.get(f"{BOOK}/payment").location == f"{BOOK}/waiver"
    assert submit(client, f"{BOOK}/waiver", {"card": VISA}, action=f"{BOOK}/payment").location == f"{BOOK}/waiver"
    unticked = submit(client, f"{BOOK}/waiver", {"typed_name": "Casey Customer"})
    assert unticked.status_code == 400 and 'id="agree-error"' in page(unticked)
    unsigned = submit(client, f"{BOOK}/waiver", {"agree": "y"})
    assert unsigned.status_code == 400 and refusal_codes(unsigned) == {"UV013"}
    assert database.scalar("select count(*) from app.waiver_signatures") == 0
    assert database.scalar("select count(*) from app.sessions") == 0
    assert submit(client, f"{BOOK}/waiver", {"agree": "y", "typed_name": "Casey Customer"}).location == f"{BOOK}/payment"
    assert database.scalar("select typed_name from app.waiver_signatures where customer_id = %s", [customer]) == "Casey Customer"


def test_a_declined_card_books_nothing_and_keeps_the_draft(client, database, world, customer):
    mechanic(world, "Olive Online")
    sign_waiver_on_file(database, customer)
    choose(client)
    locate(client)
    describe(client)

    malformed = pay(client, "1234 5678")
    assert malformed.status_code == 400 and 'id="card-error"' in page(malformed)
    assert database.scalar("select count(*) from app.payments") == 0

    response = pay(client, DECLINED)

    assert response.status_code == 402 and "Your card was declined" in page(response)
    assert database.scalar("select count(*) from app.sessions") == 0
    assert database.scalar("select status from app.payments where customer_id = %s", [customer]) == "failed"
    assert draft(database, customer)["concern"] == "The brakes squeal when I stop."
    assert pay(client).location.endswith("/room")  # the kept draft pays with another card
    assert database.scalar("select count(*) from app.sessions") == 1


def test_another_customers_vehicle_and_bad_input_are_refused_and_change_nothing(client, database, world, customer):
    stranger = make_customer(database, email="stranger@example.com")
    theirs = database.scalar("select app.add_vehicle(%s, 2019, 'Mazda', 'CX-5')", [stranger])

    refused = submit(client, f"{BOOK}/vehicle", {"vehicle_id": str(theirs)})
    assert refused.status_code == 404 and refusal_codes(refused) == {"UN001"}
    malformed = submit(client, f"{BOOK}/vehicle", {"vehicle_id": "1; drop table"})
    assert malformed.status_code == 400 and refusal_codes(malformed) == {"UV010"}
    assert draft(database, customer) is None

    choose(client)
    unknown = submit(client, f"{BOOK}/plan", {"plan": "platinum"})
    assert unknown.status_code == 400 and refusal_codes(unknown) == {"UV003"}
    assert draft(database, customer)["plan"] == "standard"
    early = submit(client, f"{BOOK}/plan", {"concern_category": "brakes", "concern": "The brakes squeal."},
                   action=f"{BOOK}/concern")  # the mechanic step comes first
    assert early.location == f"{BOOK}/mechanic" and "concern" not in draft(database, customer)
    assert database.scalar("select count(*) from app.sessions") == 0
    assert database.scalar("select count(*) from app.payments") == 0


def test_concern_length_follows_urgency(client, database, world, customer):
    mechanic(world, "Olive Online")
    choose(client)
    locate(client)
    short = describe(client, "Too short")
    assert short.status_code == 400 and 'id="concern-error"' in page(short)
    assert describe(client, "Help", urgent=True).status_code == 400
    assert "concern" not in draft(database, customer)
    assert describe(client, "Smoke!", "engine", urgent=True).location == f"{BOOK}/waiver"
    saved = draft(database, customer)
    assert (saved["concern"], saved["is_urgent"], saved["concern_category"]) == ("Smoke!", True, "engine")


def test_later_steps_send_back_to_the_first_missing_one(client, database, world, customer):
    for step in ("plan", "mechanic", "concern", "waiver", "payment"):
        assert client.get(f"{BOOK}/{step}").location == f"{BOOK}/vehicle"
    submit(client, f"{BOOK}/vehicle", {"advice_only": "y"})
    assert client.get(f"{BOOK}/payment").location == f"{BOOK}/plan"
    assert client.get(f"{BOOK}/").location == f"{BOOK}/plan"
    indicator = page(client.get(f"{BOOK}/plan"))
    assert re.search(r'aria-current="step">\s*<span><span class="book-step-number">2</span> Plan', indicator)


def test_back_from_step_one_forgets_the_draft_and_its_files(client, database, world, customer):
    mechanic(world, "Olive Online")
    choose(client)
    locate(client)
    describe(client, files=[("a.png", tiny_png())])
    assert database.scalar("select count(*) from app.attachments") == 1
    step_one = page(client.get(f"{BOOK}/vehicle"))
    assert f'action="{BOOK}/leave"' in step_one

    response = submit(client, f"{BOOK}/vehicle", {}, action=f"{BOOK}/leave")

    assert (response.status_code, response.location) == (302, "/customer/")
    assert draft(database, customer) is None
    assert database.scalar("select count(*) from app.attachments") == 0
    assert client.get(f"{BOOK}/").location == f"{BOOK}/vehicle"


def test_an_attached_file_can_be_removed_and_at_most_five_are_kept(client, database, world, customer):
    mechanic(world, "Olive Online")
    choose(client)
    locate(client)
    describe(client, files=[(f"p{i}.png", tiny_png()) for i in range(4)])
    too_many = describe(client, files=[("p4.png", tiny_png()), ("p5.png", tiny_png())])
    assert too_many.status_code == 400 and refusal_codes(too_many) == {"UV015"}
    assert database.scalar("select count(*) from app.attachments") == 4
    first = database.scalar("select min(id) from app.attachments")
    removed = submit(client, f"{BOOK}/concern", {}, action=f"{BOOK}/concern/files/{first}/remove")
    assert removed.location == f"{BOOK}/concern"
    assert database.scalar("select count(*) from app.attachments") == 3
    assert first not in draft(database, customer)["attachments"]
    again = submit(client, f"{BOOK}/concern", {}, action=f"{BOOK}/concern/files/{first}/remove")
    assert again.status_code == 404 and database.scalar("select count(*) from app.attachments") == 3
    stranger = make_customer(database, email="stranger@example.com")
    with pytest.raises(psycopg.Error) as refused:
        database.scalar("select app.remove_attachment(%s, 'book', %s)", [stranger, first + 1])
    assert refused.value.sqlstate == "UN001"
    assert database.scalar("select count(*) from app.attachments") == 3
