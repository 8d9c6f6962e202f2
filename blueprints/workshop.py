"""The workshop admin's workspace: opening hours, capacity and the workshop's mechanics."""
from flask import Blueprint, g, render_template

import db
from blueprints.auth import requires_role

bp = Blueprint("workshop", __name__, url_prefix="/workshop")
bp.before_request(requires_role("workshop_admin"))


@bp.route("/")
def dashboard():
    return render_template("workshop/dashboard.html", workshops=db.call("workshop_overview", actor=g.user["id"]))
