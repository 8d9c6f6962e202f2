"""Money oversight (issue 15; SPEC §9, §20): the payments, refunds, credit and payouts ledgers with filters and
CSV export, payouts due per payee, money that needs attention with the reconcile action and "Send again" for a
failed refund, and the money audits."""
import csv
import io
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, g, redirect, render_template, request, url_for
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

import db
import jobs
from blueprints.admin import bp
from blueprints.analytics import AnalyticsForm, scope_choices
from forms.ranges import date_range

LEDGERS = {"payments": "Payments", "refunds": "Refunds", "credit": "Account credit", "payouts": "Payouts"}
STATUSES = {"payments": ("pending", "processing", "succeeded", "failed"), "refunds": ("pending", "succeeded", "failed"),
            "credit": (), "payouts": ("due", "paid out")}


class LedgerForm(AnalyticsForm):
    ledger = SelectField("Ledger", choices=[SelectChoice(k, v) for k, v in LEDGERS.items()], default="payments")
    status = SelectField("Status", validators=[Optional()])


def _ledger_form():
    form = LedgerForm(request.args)
    if form.ledger.data not in LEDGERS:
        form.ledger.data = "payments"
    scope_choices(form)
    form.status.choices = [SelectChoice("", "Any status")] + [SelectChoice(s, s.capitalize()) for s in STATUSES[form.ledger.data]]
    return date_range(form)  # an id or a status not offered is shown as an error, and left out


def _csv(filename, header, rows):
    """A CSV download; a cell a spreadsheet would run as a formula (=, +, -, @ first) is quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _dollars(cents):
    return f"{cents / 100:.2f}"


def _ledger(limit=1000):
    form, first, last = _ledger_form()
    rows = db.call("admin_ledger", actor=g.user["id"], ledger=form.ledger.data, **{"from": first}, to=last,
                   zone=g.user["timezone"], mechanic=form.mechanic.data, workshop=form.workshop.data,
                   status=form.status.data or None, limit=limit)
    return form, first, last, rows


@bp.route("/money")
def money():
    form, _, _, rows = _ledger()
    return render_template("admin/money.html", form=form, rows=rows, ledger=LEDGERS[form.ledger.data],
                           total=sum(r["amount_cents"] for r in rows),
                           attention=db.call("admin_money_attention", actor=g.user["id"]))


@bp.route("/money.csv")
def money_csv():
    form, first, last, rows = _ledger(limit=10000)
    zone = g.user["timezone"]
    return _csv(f"autodoctor-{form.ledger.data}-{first}-{last}.csv",
                ["id", f"time ({zone})", "kind", "status", "amount (CAD)", "customer", "mechanic", "workshop",
                 "session", "detail"],
                ([r["id"], r["at"].astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M"), r["kind"], r["status"],
                  _dollars(r["amount_cents"]), r["customer_name"], r["mechanic_name"], r["workshop_name"],
                  r["session_id"], r["detail"]] for r in rows))


def _payouts_due():
    form, first, last = date_range()
    return form, first, last, db.call("admin_payouts_due", actor=g.user["id"], **{"from": first}, to=last,
                                      zone=g.user["timezone"])


@bp.route("/money/payouts-due")
def payouts_due():
    form, _, _, rows = _payouts_due()
    return render_template("admin/payouts_due.html", form=form, rows=rows,
                           total=sum(r["amount_cents"] for r in rows if r["payee"] != "platform"))


@bp.route("/money/payouts-due.csv")
def payouts_due_csv():
    _, first, last, rows = _payouts_due()
    return _csv(f"autodoctor-payouts-due-{first}-{last}.csv",
                ["payee", "payee id", "name", "stripe account", "sessions", "amount (CAD)"],
                ([r["payee"], r["payee_id"], r["payee_name"], r["stripe_account_id"], r["sessions"],
                  _dollars(r["amount_cents"])] for r in rows))


@bp.route("/money/reconcile", methods=["POST"])
def reconcile():
    """Asks the gateway now about payments whose answer never came, and sends the refunds still pending (the
    jobs that run every few minutes anyway), outside any transaction of this request."""
    app = current_app._get_current_object()
    done = {name: jobs.run_job(app, name) for name in ("reconcile_payments", "send_refunds")}
    busy = [name for name, result in done.items() if result is None]
    flash("Reconciled with the gateway: " + "; ".join(
        f"{name.replace('_', ' ')}: {'already running, try again in a minute' if name in busy else result}"
        for name, result in done.items()) + ".", "success")
    return redirect(url_for("admin.money"))


@bp.route("/money/refunds/<int:refund_id>/retry", methods=["POST"])
def retry_refund(refund_id):
    """Sends a failed refund again (the customer's page promised that support would): pending again, due at once."""
    db.call("admin_retry_refund", actor=g.user["id"], refund=refund_id)
    flash(f"Refund #{refund_id} goes back to the card at the next refund run, within a minute.", "success")
    return redirect(url_for("admin.money", _anchor="attention-title"))
