"""The development mailbox (SPEC §14): without SMTP, emails (and recorded SMS) are files in VAR_DIR/mailbox;
these pages list and show them. Registered only when DEV_MAILBOX is on (`./dev run` turns it on), and answered
only to a browser on this machine (a loopback address): it shows everyone's emails."""
import ipaddress
import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request

bp = Blueprint("dev", __name__, url_prefix="/dev")
MESSAGE_NAME = re.compile(r"^[0-9]{8}-[a-z0-9_]+\.(eml|sms\.txt)$")


@bp.before_request
def only_from_this_machine():
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        abort(404)


def _mailbox():
    return Path(current_app.config["VAR_DIR"]) / "mailbox"


def _read(name):
    """(kind, parsed) of a message file; a name that is not one is a 404."""
    path = _mailbox() / name
    if not MESSAGE_NAME.match(name) or not path.is_file():
        abort(404)
    if name.endswith(".eml"):
        return "email", BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    header, _, body = path.read_text().partition("\n\n")
    return "sms", {"To": header.removeprefix("To: "), "Subject": body.strip(), "body": body.strip()}


@bp.route("/mailbox")
def mailbox():
    folder = _mailbox()
    names = sorted((p.name for p in folder.iterdir() if MESSAGE_NAME.match(p.name)), reverse=True) if folder.is_dir() else []
    messages = [{"name": name, "kind": kind, "to": msg["To"], "subject": msg["Subject"]}
                for name in names for kind, msg in [_read(name)]]
    return render_template("dev/mailbox.html", messages=messages)


@bp.route("/mailbox/<name>")
def message(name):
    kind, msg = _read(name)
    if kind == "sms":
        return render_template("dev/message.html", name=name, kind=kind, headers=msg, text=msg["body"], attachments=[])
    text = msg.get_body(preferencelist=("plain",))
    attachments = [part.get_filename() for part in msg.iter_attachments()]
    return render_template("dev/message.html", name=name, kind=kind, text=text.get_content() if text else "",
                           headers={h: msg[h] for h in ("From", "To", "Subject", "Date", "Message-ID")},
                           attachments=attachments)


@bp.route("/mailbox/<name>/html")
def message_html(name):
    kind, msg = _read(name)
    html = msg.get_body(preferencelist=("html",)) if kind == "email" else None
    if html is None:
        abort(404)
    # the email as a mail client shows it: its inline styles, no scripts, nothing fetched
    return Response(html.get_content(), mimetype="text/html", headers={
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"})


@bp.route("/mailbox/<name>/attachments/<int:number>")
def attachment(name, number):
    kind, msg = _read(name)
    parts = list(msg.iter_attachments()) if kind == "email" else []
    if number >= len(parts):
        abort(404)
    part = parts[number]
    return Response(part.get_payload(decode=True), mimetype=part.get_content_type(),
                    headers={"Content-Disposition": f'attachment; filename="{part.get_filename()}"'})
