"""The platform admin's pages."""
from flask import Blueprint, g, render_template

import db
from blueprints.auth import requires_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(requires_role("admin"))


@bp.route("/")
def dashboard():
    return render_template("admin/dashboard.html", overview=db.call_one("admin_overview", actor=g.user["id"]))
