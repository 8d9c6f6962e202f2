"""Your account, whatever your role: the devices you are logged in on (end one, or all but this one) and a new
password, which logs out every other device."""
from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

import db
from blueprints.auth import HOME_BY_ROLE, place_errors, requires_role
from forms import BIGINT_MAX
from forms.passwords import StrongPassword

bp = Blueprint("account", __name__, url_prefix="/account")
bp.before_request(requires_role(*HOME_BY_ROLE))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", render_kw={"autocomplete": "current-password"},
                                     validators=[InputRequired(), Length(max=200)])
    password = PasswordField("New password", render_kw={"autocomplete": "new-password"},
                             validators=[InputRequired(), Length(max=200), StrongPassword()])
    confirm = PasswordField("Repeat the new password", render_kw={"autocomplete": "new-password"},
                            validators=[InputRequired(), EqualTo("password", message="The passwords differ.")])


class EndSessionForm(FlaskForm):
    session = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, BIGINT_MAX)])


def _page(form=None, status=200):
    form = form or ChangePasswordForm()
    devices = db.call("my_login_sessions", actor=g.user["id"])
    return render_template("account/security.html", form=form, devices=devices, end_form=EndSessionForm(),
                           current=g.user["login_session_id"]), status


@bp.get("/security")
def security():
    return _page()


@bp.post("/password")
def change_password():
    form = ChangePasswordForm()
    form.known_words = (g.user["email"], g.user["name"])
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        db.call("change_password", actor=g.user["id"], current_password=form.current_password.data,
                new_password=form.password.data, keep=g.user["login_session_id"])
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _page(form, refusal.status)
    flash("Your password is changed. Every other device you were logged in on is logged out.", "success")
    return redirect(url_for("account.security"))


@bp.post("/sessions/others/end")
def end_other_sessions():
    if FlaskForm().validate_on_submit():  # the CSRF token only
        ended = db.call_value("end_my_login_sessions", actor=g.user["id"], keep=g.user["login_session_id"])
        flash(f"Logged out of {ended} other device{'s' if ended != 1 else ''}.", "success")
    return redirect(url_for("account.security"))


@bp.post("/sessions/end")
def end_session():
    form = EndSessionForm()
    if form.validate_on_submit():
        db.call("end_my_login_sessions", actor=g.user["id"], session=form.session.data)
        flash("That device is logged out.", "success")
    return redirect(url_for("account.security"))
