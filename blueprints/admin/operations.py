"""Operations (issue 15): cancellations by policy tier, no-shows by mechanic, plan and customer, the waitlist,
sessions being re-matched, the outbox's backlog, and notifications that did not go out, with a retry."""
from flask import flash, g, redirect, render_template, url_for

import db
from blueprints.admin import bp
from forms.ranges import date_range


@bp.route("/operations")
def operations():
    form, first, last = date_range()
    me, zone = g.user["id"], g.user["timezone"]
    span = {"actor": me, "from": first, "to": last, "zone": zone}
    no_shows = db.call("analytics_no_shows", **span)
    return render_template(
        "admin/operations.html", form=form, tiers=db.call("admin_cancellations", **span),
        by_mechanic=[r for r in no_shows if r["level"] == "mechanic"],
        by_plan=[r for r in no_shows if r["level"] == "plan"],
        by_customer=db.call("admin_no_shows_by_customer", **span),
        waitlist=db.call("analytics_waitlist", **span), rematches=db.call("admin_rematches", actor=me),
        outbox=db.call("admin_outbox_trouble", actor=me), backlog=db.call_one("admin_outbox_backlog", actor=me))


@bp.route("/operations/outbox/<int:outbox_id>/retry", methods=["POST"])
def retry_delivery(outbox_id):
    db.call("retry_outbox_delivery", actor=g.user["id"], outbox=outbox_id)
    flash("It goes out again at the next delivery run, within a minute.", "success")
    return redirect(url_for("admin.operations", _anchor="deliveries"))
