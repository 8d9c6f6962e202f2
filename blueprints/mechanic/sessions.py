"""The mechanic's dashboard (to be extended: online toggle, offers inbox, upcoming sessions, earnings)."""
from flask import g, render_template

import db
from blueprints.mechanic import bp


@bp.route("/")
def dashboard():
    return render_template("mechanic/dashboard.html", me=db.call_one("mechanic_overview", actor=g.user["id"]))
