"""The platform admin's workspace (SPEC §1, §15, §16, §20): the overview and the analytics here (drawn by
blueprints/analytics.py, as for workshops and mechanics), accounts, money oversight and operations in modules."""
from flask import Blueprint, g, render_template

import db
from blueprints.analytics import analytics_page
from blueprints.auth import requires_role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(requires_role("admin"))


@bp.route("/analytics")
def analytics():
    return analytics_page("Platform analytics", "admin.analytics", endpoint_args={})


@bp.route("/")
def dashboard():
    me = g.user["id"]
    return render_template("admin/dashboard.html", overview=db.call_one("admin_overview", actor=me),
                           audit=db.call("money_audit", actor=me), overdue=db.call("money_overdue", actor=me))


from blueprints.admin import accounts, money, operations  # noqa: E402,F401  (the modules register their routes on bp)
