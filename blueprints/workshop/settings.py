"""The workshop's settings (SPEC §4): the dashboard, the opening hours of the seven weekdays with an optional
break, closed days, the time zone, capacity and contact details, and its mechanics."""
from flask import flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from psycopg.types.json import Jsonb
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TimeInput

import db
from blueprints.analytics import analytics_page
from blueprints.auth import place_database_errors, place_errors, time_zone_choices
from blueprints.workshop import bp

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME_PARTS = (("opens", "Opens"), ("closes", "Closes"), ("break_start", "Break from"), ("break_end", "Break until"))


class HoursForm(FlaskForm):
    """All seven weekdays; fields are named dayN_closed, dayN_opens ... as set_workshop_hours names its errors."""

    def day(self, number):
        """One weekday's fields, in page order."""
        return [self[f"day{number}_closed"]] + [self[f"day{number}_{part}"] for part, _ in TIME_PARTS]


for _number in range(1, 8):
    setattr(HoursForm, f"day{_number}_closed", BooleanField("Closed all day"))
    for _part, _label in TIME_PARTS:
        setattr(HoursForm, f"day{_number}_{_part}", StringField(
            _label, widget=TimeInput(), validators=[Optional(), Length(max=8, message="Enter a time like 08:30.")]))


class ClosureForm(FlaskForm):
    action = HiddenField(default="add", validators=[AnyOf(["add", "remove"])])
    closed_on = DateField("Date", validators=[InputRequired(message="Pick a date.")])
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=200)])


class SettingsForm(FlaskForm):
    name = StringField("Workshop name", validators=[InputRequired(), Length(max=120)])
    street = StringField("Street address", validators=[InputRequired(), Length(max=120)])
    city = StringField("City", validators=[InputRequired(), Length(max=120)])
    province = StringField("Province or state", validators=[InputRequired(), Length(max=120)])
    postal_code = StringField("Postal code", validators=[InputRequired(), Length(max=10)])
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=20)])
    timezone = SelectField("Time zone", validators=[InputRequired()])
    capacity = IntegerField("Capacity: in-person appointments at the same time",
                            validators=[InputRequired(), NumberRange(min=1, max=100)])


def _me():
    return g.user["id"]


def _workshop(workshop_id):
    """One workshop the admin runs; another's or a missing one is refused (UN001: a 404 page)."""
    return db.call_one("my_workshops", actor=_me(), workshop_id=workshop_id)


@bp.route("/")
def dashboard():
    return render_template("workshop/dashboard.html", workshops=db.call("my_workshops", actor=_me()),
                           weekdays=WEEKDAYS)


# --- opening hours and closed days -----------------------------------------------------------------------

def _hours_data(workshop):
    data = {}
    for day in workshop["hours"]:
        prefix = f"day{day['weekday']}_"
        data[prefix + "closed"] = day["closed"]
        for part, _ in TIME_PARTS:
            data[prefix + part] = day[part]
        if day["closes"] == "24:00":  # a time field cannot show 24:00; 00:00 closes at midnight
            data[prefix + "closes"] = "00:00"
    return data


def _days(form):
    return [{"weekday": number, "closed": form[f"day{number}_closed"].data,
             **{part: form[f"day{number}_{part}"].data for part, _ in TIME_PARTS}}
            for number in range(1, 8)]


def _hours_page(workshop, hours_form=None, closure_form=None, status=200):
    return render_template("workshop/hours.html", w=workshop, weekdays=WEEKDAYS,
                           form=hours_form or HoursForm(formdata=None, data=_hours_data(workshop)),
                           closure_form=closure_form or ClosureForm(formdata=None)), status


@bp.route("/<int:workshop_id>/hours", methods=["GET", "POST"])
def hours(workshop_id):
    if request.method == "GET":
        return _hours_page(_workshop(workshop_id))
    form = HoursForm()
    hours = dict(actor=_me(), workshop_id=workshop_id, days=Jsonb(_days(form)))
    if not form.validate():
        place_database_errors(form, "set_workshop_hours", **hours)
        return _hours_page(_workshop(workshop_id), hours_form=form, status=400)
    try:
        db.call("set_workshop_hours", **hours)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _hours_page(_workshop(workshop_id), hours_form=form, status=refusal.status)
    flash("Opening hours saved. Existing bookings are kept; new bookings follow the new hours.", "success")
    return redirect(url_for("workshop.hours", workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/closures", methods=["POST"])
def closures(workshop_id):
    """Closes the workshop on a date (action=add, with a reason) or opens it again (action=remove)."""
    form = ClosureForm()
    if not form.validate():
        return _hours_page(_workshop(workshop_id), closure_form=form, status=400)
    day = form.closed_on.data
    try:
        if form.action.data == "remove":
            db.call("remove_workshop_closure", actor=_me(), workshop_id=workshop_id, closed_on=day)
        else:
            db.call("add_workshop_closure", actor=_me(), workshop_id=workshop_id, closed_on=day, reason=form.reason.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _hours_page(_workshop(workshop_id), closure_form=form, status=refusal.status)
    flash(f"Open again on {day:%A %-d %B %Y}: that day follows the weekly hours." if form.action.data == "remove"
          else f"Closed on {day:%A %-d %B %Y}. Customers can no longer book that day; bookings already made are kept.",
          "success")
    return redirect(url_for("workshop.hours", workshop_id=workshop_id))


# --- zone, capacity and contact details ------------------------------------------------------------------

@bp.route("/<int:workshop_id>/settings", methods=["GET", "POST"])
def settings(workshop_id):
    if request.method == "GET":
        workshop = _workshop(workshop_id)
        form = SettingsForm(data=workshop)
        form.timezone.choices = time_zone_choices()
        return render_template("workshop/settings.html", w=workshop, form=form)
    form = SettingsForm()
    form.timezone.choices = time_zone_choices()
    settings = dict(actor=_me(), workshop_id=workshop_id, name=form.name.data, street=form.street.data,
                    city=form.city.data, province=form.province.data, postal_code=form.postal_code.data,
                    phone=form.phone.data, timezone=form.timezone.data, capacity=form.capacity.data)
    if form.validate():
        try:
            db.call("update_workshop", **settings)
        except db.Refusal as refusal:
            place_errors(form, refusal)
            return render_template("workshop/settings.html", w=_workshop(workshop_id), form=form), refusal.status
        flash(f"Settings saved. Opening hours are local times in {form.timezone.data}; existing bookings are kept.",
              "success")
        return redirect(url_for("workshop.dashboard"))
    place_database_errors(form, "update_workshop", **settings)
    return render_template("workshop/settings.html", w=_workshop(workshop_id), form=form), 400


# --- mechanics -------------------------------------------------------------------------------------------

@bp.route("/<int:workshop_id>/mechanics")
def mechanics(workshop_id):
    return render_template("workshop/mechanics.html", w=_workshop(workshop_id),
                           mechanics=db.call("workshop_mechanics", actor=_me(), workshop_id=workshop_id))


@bp.route("/<int:workshop_id>/analytics")
def analytics(workshop_id):
    """The workshop's numbers and its mechanics' (SPEC §15); another workshop's are a 404, as its pages are."""
    workshop = _workshop(workshop_id)
    return analytics_page(f"{workshop['name']}: analytics", "workshop.analytics",
                          endpoint_args={"workshop_id": workshop_id}, workshop=workshop_id,
                          back=(url_for("workshop.visits", workshop_id=workshop_id), workshop["name"]))
