"""The mechanic's workspace: profile, settings, weekly blocks and time off."""
from flask import Blueprint, g, render_template

import db
from blueprints.auth import requires_role

bp = Blueprint("mechanic", __name__, url_prefix="/mechanic")
bp.before_request(requires_role("mechanic"))


@bp.route("/")
def dashboard():
    return render_template("mechanic/dashboard.html", me=db.call_one("mechanic_overview", actor=g.user["id"]))
