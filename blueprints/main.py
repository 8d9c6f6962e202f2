"""The public pages: the home page and mechanics' profiles; and uploaded files for those allowed to see them."""
from io import BytesIO

from flask import Blueprint, current_app, g, redirect, render_template, request, send_file, url_for

import db

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html", plans=db.call("list_plans"), summary=db.call_one("platform_summary"))


@bp.get("/favicon.ico")
def favicon():
    # pages link static/favicon.ico; this answers browsers and tools that ask the site's root for it anyway
    return current_app.send_static_file("favicon.ico")


@bp.route("/mechanics/<int:mechanic_id>")
def mechanic_profile(mechanic_id):
    viewer = g.user["id"] if g.user and g.user["role"] == "customer" else None
    profile = db.call_one("mechanic_profile", mechanic=mechanic_id, viewer=viewer)
    return render_template("main/mechanic.html", m=profile, can_star=viewer is not None)


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id):
    if g.user is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    row = db.call_one("attachment_for", actor=g.user["id"], attachment=attachment_id)
    response = send_file(BytesIO(row["data"]), mimetype=row["content_type"], download_name=row["filename"])
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
