"""The public pages: the home page."""
from flask import Blueprint, render_template

import db

bp = Blueprint("main", __name__)


@bp.route("/")
def home():
    return render_template("main/home.html", plans=db.call("list_plans"), summary=db.call_one("platform_summary"))
