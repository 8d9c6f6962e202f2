"""The session room (SPEC §20): one page for an online session's customer (Join) and its mechanic (Open room):
video and voice peer to peer in the browser (static/room.js), chat and photos, the plan's clock; read-only once
the session is over. Its script talks to the endpoints below: the event stream (rooms.py), messages, photos,
signals and the read marker. Who may enter is decided in SQL (room_party): anyone else gets the same 404 as
for a missing id. Every form works without JavaScript too; the script sends the same forms with
`Accept: application/json` and gets JSON back."""
import json
from io import BytesIO

from flask import (Blueprint, Response, current_app, g, redirect, render_template, request, send_file, url_for)
from flask_wtf import FlaskForm
from psycopg.types.json import Jsonb
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import db
import rooms
from forms import one_char_line_breaks
from blueprints import api
from blueprints.auth import place_errors

bp = Blueprint("room", __name__, url_prefix="/rooms")


@bp.before_request
def require_login():
    """Logged-out visitors log in first; for anyone else, the SQL functions answer (404 unless a party)."""
    if g.user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


class MessageForm(FlaskForm):
    body = TextAreaField("Message", filters=[one_char_line_breaks],
                         validators=[InputRequired(message="Write a message first."), Length(max=2000)],
                         render_kw={"rows": 2, "maxlength": 2000})


class PhotoForm(FlaskForm):
    photo = FileField("Photo", validators=[FileRequired(message="Choose a photo to send.")],
                      render_kw={"accept": "image/jpeg,image/png,image/gif,image/webp"})
    caption = StringField("Caption (optional)", validators=[Optional(), Length(max=2000)])


class ReadForm(FlaskForm):
    seq = IntegerField(validators=[InputRequired(), NumberRange(min=0, max=2**31 - 1)])


def _me():
    return g.user["id"]


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def render_room(session_id, message_form=None, photo_form=None, status=200):
    room = db.call_one("room_for", actor=_me(), session=session_id)
    config = {
        "side": room["side"], "status": room["status"], "isOpen": room["is_open"], "otherName": room["other_name"],
        "lastSeq": room["last_seq"], "lastReadSeq": room["last_read_seq"],
        "endsAt": room["ends_at"].isoformat() if room["ends_at"] else None,
        "timezone": g.user["timezone"], "iceServers": rooms.ice_servers(current_app.config, _me()),
        "iceTransportPolicy": current_app.config["ICE_TRANSPORT_POLICY"],
        "urls": {name: url_for(f"room.{name}", session_id=session_id)
                 for name in ("events", "messages", "photos", "signals", "read")},
    }
    return render_template("room/room.html", room=room, config=config,
                           transcript=db.call("room_messages", actor=_me(), session=session_id),
                           message_form=message_form or MessageForm(), photo_form=photo_form or PhotoForm()), status


@bp.route("/<int:session_id>")
def page(session_id):
    return render_room(session_id)


def _sent(row, session_id):
    if _wants_json():
        return {"seq": row["seq"]}, 201
    return redirect(url_for("room.page", session_id=session_id, _anchor="chat"))


def _refused(refusal, session_id, form, **forms):
    if _wants_json():
        return api.error_response(refusal.status, refusal.message, refusal.field)
    place_errors(form, refusal)
    return render_room(session_id, status=refusal.status, **forms)


def _invalid(form, session_id, **forms):
    if _wants_json():
        field, messages = next(iter(form.errors.items()))
        return api.error_response(400, " ".join(messages) if isinstance(messages, list) else str(messages), field)
    return render_room(session_id, status=400, **forms)


@bp.route("/<int:session_id>/messages", methods=["POST"])
def messages(session_id):
    form = MessageForm()
    if not form.validate_on_submit():
        return _invalid(form, session_id, message_form=form)
    try:
        row = db.call_one("post_room_message", actor=_me(), session=session_id, kind="text", body=form.body.data)
    except db.Refusal as refusal:
        return _refused(refusal, session_id, form, message_form=form)
    return _sent(row, session_id)


@bp.route("/<int:session_id>/photos", methods=["POST"])
def photos(session_id):
    form = PhotoForm()
    if not form.validate_on_submit():
        return _invalid(form, session_id, photo_form=form)
    try:
        row = db.call_one("post_room_message", actor=_me(), session=session_id, kind="photo",
                          body=form.caption.data, photo=form.photo.data.read())
    except db.Refusal as refusal:
        return _refused(refusal, session_id, form, photo_form=form)
    return _sent(row, session_id)


@bp.route("/<int:session_id>/photos/<int:seq>")
def photo(session_id, seq):
    row = db.call_one("room_photo", actor=_me(), session=session_id, seq=min(seq, 2**31 - 1))
    return send_file(BytesIO(row["photo"]), mimetype=row["photo_type"])  # no-store, as every page of a person


@bp.route("/<int:session_id>/signals", methods=["POST"])
def signals(session_id):
    """A WebRTC signal (JSON body; or the form field `signal` of the beacon sent when a tab closes)."""
    signal = request.get_json(silent=True) if request.is_json else _json_field("signal")
    if not isinstance(signal, dict):
        return api.error_response(400, "Send the signal as a JSON object.")
    try:
        row = db.call_one("post_room_message", actor=_me(), session=session_id, kind="signal", signal=Jsonb(signal))
    except db.Refusal as refusal:
        return api.error_response(refusal.status, refusal.message, refusal.field)
    return {"seq": row["seq"]}, 201


def _json_field(name):
    try:
        return json.loads(request.form.get(name) or "null")
    except ValueError:
        return None


@bp.route("/<int:session_id>/read", methods=["POST"])
def read(session_id):
    form = ReadForm()
    if not form.validate_on_submit():
        return api.error_response(400, "Say up to which message you have read.", "seq")
    return {"last_read_seq": db.call_value("mark_room_read", actor=_me(), session=session_id, seq=form.seq.data)}


@bp.route("/<int:session_id>/events")
def events(session_id):
    """Server-sent events: the room's state and every message after Last-Event-ID (or ?after=), as they
    come. A finished session's room answers 204, which tells EventSource to stop reconnecting."""
    after = _after()
    actor = _me()
    db.release()  # the stream holds no pooled connection while it waits
    call = db.brief_caller()

    def fetch(since):
        return call("room_updates", actor=actor, session=session_id, after=since)[0]["room_updates"]

    updates = fetch(after)
    if updates["status"] in rooms.FINAL_STATUSES and not updates["messages"] and after > 0:
        return Response(status=204)

    stream = rooms.event_stream(updates, after, fetch, session_id, rooms.streams(current_app),
                                seconds=current_app.config["ROOM_STREAM_SECONDS"])
    return Response(stream, mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _after():
    value = request.headers.get("Last-Event-ID") or request.args.get("after") or "0"
    return int(value) if value.isdigit() and len(value) < 10 else 0
