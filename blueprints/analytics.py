"""The analytics pages (SPEC §15) for the three who see numbers: the platform admin (the platform, or one
workshop or mechanic), a workshop admin (their workshop and its mechanics) and a mechanic (their own). One SQL
function per measure decides what each may see (analytics_request); this module only asks and draws."""
from flask import g, render_template, request
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

import db
from forms import optional_row_id
from forms.ranges import RangeForm, date_range

MEASURES = ("revenue", "utilization", "no_shows", "peak_hours", "lead_times", "waitlist", "offer_acceptance")


class AnalyticsForm(RangeForm):
    mechanic = SelectField("Mechanic", coerce=optional_row_id, validators=[Optional()])
    workshop = SelectField("Workshop", coerce=optional_row_id, validators=[Optional()])


def scope_choices(form):
    """The mechanic and workshop choices of a form: those the viewer may see (analytics_scope)."""
    scope = db.call("analytics_scope", actor=g.user["id"])
    for field, kind, everyone in ((form.mechanic, "mechanic", "All mechanics"), (form.workshop, "workshop", "All workshops")):
        field.choices = [SelectChoice("", everyone)] + [SelectChoice(r["id"], r["name"]) for r in scope if r["kind"] == kind]
    return form


def analytics_page(title, endpoint, workshop=None, mechanic=None, **page):
    """Every measure for the viewer over the range of the query string, narrowed to a workshop or a mechanic
    (the query's, within what the viewer may see, or the one given), rendered as charts with their tables."""
    form, first, last = date_range(scope_choices(AnalyticsForm(request.args)))
    ask = {"actor": g.user["id"], "from": first, "to": last, "zone": g.user["timezone"],
           "mechanic": mechanic or form.mechanic.data, "workshop": workshop or form.workshop.data}
    period = "day" if (last - first).days < 45 else "week"
    numbers = db.call_all(**{name: (f"analytics_{name}", {**ask, "bucket": period} if name == "revenue" else ask)
                             for name in MEASURES})  # the slowest first, so that the others run beside it
    as_of = db.call_value("analytics_as_of", actor=g.user["id"], **{"from": first}, to=last, zone=g.user["timezone"])
    return render_template("analytics/page.html", title=title, endpoint=endpoint, form=form, period=period, as_of=as_of,
                           filters=len(form.mechanic.choices) > 2 or len(form.workshop.choices) > 2,
                           first=first, last=last, n=numbers, payees=_payees(numbers["revenue"]),
                           peak=[(r["weekday"], r["hour"], r["bookings"]) for r in numbers["peak_hours"]], **page)


def _payees(revenue):
    """The payee's share over the whole range, per mechanic and per workshop, largest first."""
    totals = {"mechanic": {}, "workshop": {}}
    for row in revenue:
        if row["level"] in totals:
            name = row[f"{row['level']}_name"]
            totals[row["level"]][name] = totals[row["level"]].get(name, 0) + row["payee_cents"]
    return {level: [{"label": name, "value": cents} for name, cents in sorted(by.items(), key=lambda kv: -kv[1])]
            for level, by in totals.items()}
