"""The availability editor (SPEC §4): weekly blocks per weekday in the mechanic's own zone, time off and the
booking settings, on one page. Each weekday is its own small form whose save replaces that day's blocks in one
SQL call; a refusal is shown next to that day and changes nothing."""
from datetime import time

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, Form, FormField, IntegerField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import db
from blueprints.auth import place_database_errors, place_errors
from blueprints.mechanic import bp

DAY_NAMES = {1: "Monday", 2: "Tuesday", 3: "Wednesday", 4: "Thursday", 5: "Friday", 6: "Saturday", 7: "Sunday"}
EMPTY_ROWS = 2  # blank rows under a day's blocks, for adding blocks without JavaScript
CLOCK = ["%H:%M", "%H:%M:%S"]  # what time inputs send


class BlockForm(Form):
    start = TimeField("From", format=CLOCK, validators=[Optional()])
    end = TimeField("To", format=CLOCK, validators=[Optional()])


class WeekdayForm(FlaskForm):
    blocks = FieldList(FormField(BlockForm))


class TimeOffForm(FlaskForm):
    start_date = DateField("First day", validators=[InputRequired()])
    end_date = DateField("Last day", validators=[InputRequired()])
    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=200)])


class SettingsForm(FlaskForm):
    buffer_minutes = IntegerField("Buffer between sessions (minutes)",
                                  validators=[InputRequired(), NumberRange(min=0, max=240)])
    min_notice_minutes = IntegerField("Minimum notice (minutes)",
                                      validators=[InputRequired(), NumberRange(min=0, max=20160)])
    max_advance_days = IntegerField("Book up to (days ahead)", validators=[InputRequired(), NumberRange(min=1, max=365)])
    instant_booking = BooleanField("Instant booking: bookings are final without my answer")


def _me():
    return g.user["id"]


def _clock(text):
    """A block's time for a time input, which knows no 24:00: the closing midnight is written 00:00."""
    return time(0) if text == "24:00" else time.fromisoformat(text)


def _weekday_form(weekday, blocks):
    rows = [{"start": _clock(b["start"]), "end": _clock(b["end"])} for b in blocks if b["weekday"] == weekday]
    form = WeekdayForm(formdata=None, data={"blocks": rows})
    for _ in range(EMPTY_ROWS):
        form.blocks.append_entry()
    return form


def _page(status=200, day_forms=None, time_off_form=None, settings_form=None):
    """The editor, with any form that was just refused shown as sent, next to its error."""
    me = db.call_one("my_availability", actor=_me())
    days = {weekday: _weekday_form(weekday, me["blocks"]) for weekday in DAY_NAMES}
    days.update(day_forms or {})
    return render_template("mechanic/availability.html", me=me, days=days, day_names=DAY_NAMES,
                           time_off=db.call("my_time_off", actor=_me()),
                           time_off_form=time_off_form or TimeOffForm(formdata=None),
                           settings_form=settings_form or SettingsForm(formdata=None, data=me)), status


@bp.route("/availability")
def availability():
    return _page()


def _place_block_errors(form, filled, refusal):
    """Each refused block's error next to its time (set_weekly_blocks names them blocks-N-start or -end, N counting
    the blocks sent, which are the filled rows); the others above the day's form."""
    for name, message in refusal.problems:
        _, number, part = (name or "").split("-") if (name or "").count("-") == 2 else (None, None, None)
        if number is not None and number.isdigit() and int(number) < len(filled) and part in ("start", "end"):
            filled[int(number)][part].errors.append(message)
        elif message not in form.form_errors:
            form.form_errors.append(message)


@bp.route("/availability/<int:weekday>", methods=["POST"])
def save_weekday(weekday):
    if weekday not in DAY_NAMES:
        abort(404)
    form = WeekdayForm()
    if not form.validate_on_submit():
        return _page(400, day_forms={weekday: form})
    # a row with both times empty is no block; a half-filled one goes to SQL, which refuses it
    filled = [row for row in form.blocks if row.start.data is not None or row.end.data is not None]
    try:
        saved = db.call_value("set_weekly_blocks", actor=_me(), weekday=weekday,
                              starts=[row.start.data for row in filled], ends=[row.end.data for row in filled])
    except db.Refusal as refusal:
        _place_block_errors(form, filled, refusal)
        return _page(refusal.status, day_forms={weekday: form})
    blocks = f"{saved} block{'s' if saved != 1 else ''}" if saved else "no blocks: customers cannot book you that day"
    flash(f"{DAY_NAMES[weekday]} saved with {blocks}.", "success")
    return redirect(url_for("mechanic.availability", _anchor=f"day{weekday}"))


@bp.route("/time-off", methods=["POST"])
def add_time_off():
    form = TimeOffForm()
    time_off = dict(actor=_me(), start_date=form.start_date.data, end_date=form.end_date.data, reason=form.reason.data)
    if not form.validate_on_submit():
        place_database_errors(form, "add_time_off", **time_off)
        return _page(400, time_off_form=form)
    try:
        added = db.call_one("add_time_off", **time_off)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _page(refusal.status, time_off_form=form)
    if added["joined"]:  # it overlapped or continued time off already there: one entry now
        flash(f"Time off joined with the time off it overlaps or continues: now {added['start_date']:%a %-d %b %Y} "
              f"to {added['end_date']:%a %-d %b %Y}. Customers cannot book you on those days.", "success")
    else:
        flash("Time off added: customers cannot book you on those days.", "success")
    if added["booked_sessions"]:
        flash(f"{added['booked_sessions']} session(s) already booked in that period stay booked. Cancel them from "
              "your dashboard if you cannot attend: the customer is refunded in full.", "warning")
    return redirect(url_for("mechanic.availability", _anchor="time-off"))


@bp.route("/time-off/<int:time_off_id>/cancel", methods=["POST"])
def cancel_time_off(time_off_id):
    db.call("cancel_time_off", actor=_me(), time_off=time_off_id)
    flash("Time off removed: those days are bookable again.", "success")
    return redirect(url_for("mechanic.availability", _anchor="time-off"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    if request.method == "GET":  # the settings live on the editor's page
        return redirect(url_for("mechanic.availability", _anchor="settings"))
    form = SettingsForm()
    settings = dict(actor=_me(), buffer_minutes=form.buffer_minutes.data,
                    min_notice_minutes=form.min_notice_minutes.data, max_advance_days=form.max_advance_days.data,
                    instant_booking=form.instant_booking.data)
    if not form.validate_on_submit():
        place_database_errors(form, "update_mechanic_settings", **settings)
        return _page(400, settings_form=form)
    try:
        db.call("update_mechanic_settings", **settings)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _page(refusal.status, settings_form=form)
    flash("Booking settings saved. They apply to new bookings.", "success")
    return redirect(url_for("mechanic.availability", _anchor="settings"))
