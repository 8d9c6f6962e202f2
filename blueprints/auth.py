"""Accounts: sign up (customers), log in, log out, set a password through a link the platform admin sent, and
the role guard every other blueprint uses.

Passwords are checked and hashed in the database (log_in, sign_up_customer …); the signed cookie carries only
the token of a log-in session that the database can end (log-out, "log out other devices", a new password, an
admin). Every database call of a request binds that session's person as the actor (db.bind)."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.security import _hash_internal
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, Optional

import db
from forms.passwords import StrongPassword

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {"customer": "customer.dashboard", "mechanic": "mechanic.dashboard",
                "workshop_admin": "workshop.dashboard", "admin": "admin.dashboard"}


def init_app(app):
    app.before_request(_load_logged_in_user)
    app.context_processor(lambda: {"current_user": g.get("user")})


def _load_logged_in_user():
    g.user = None
    token = session.get("token")
    if token is not None:
        g.user = db.call_one("authenticate", token=token)
        if g.user is None:  # logged out elsewhere, revoked, expired or deactivated
            session.clear()
        else:
            db.bind(token, g.user["id"])


def requires_role(*roles):
    """A before_request hook for a blueprint: logged-out visitors go to log in, other roles get 403."""
    def guard():
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if g.user["role"] not in roles:
            abort(403)
    return guard


def place_errors(form, refusal):
    """Shows a database refusal next to each field it names, or above the form when it names none."""
    for name, message in refusal.problems:
        field = form._fields.get(name) if name else None
        if field is None:
            if message not in form.form_errors:
                form.form_errors.append(message)
        elif message not in field.errors:
            field.errors = list(field.errors) + [message]


def place_database_errors(form, function, **args):
    """For a form whose own checks failed: what the database refuses as well (db.verdict, nothing is kept), next
    to the fields that have no error yet, so that every error of the form is shown at once. A field the form
    refused is sent as null: the database judges the others."""
    refusal = db.verdict(function, **{name: None if name in form._fields and form._fields[name].errors else value
                                      for name, value in args.items()})
    if refusal is not None:
        refusal.problems = [(name, message) for name, message in refusal.problems
                            if name in form._fields and not form._fields[name].errors]
        place_errors(form, refusal)


class SignupForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", render_kw={"autocomplete": "new-password"},
                             validators=[InputRequired(), Length(max=200), StrongPassword("email", "name")])
    confirm = PasswordField("Repeat password", validators=[InputRequired(), EqualTo("password", message="The passwords differ.")])
    timezone = SelectField("Time zone", validators=[InputRequired()], default="America/Toronto")
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=20)])
    city = StringField("City", validators=[Optional(), Length(max=80)])
    province = StringField("Province or state", validators=[Optional(), Length(max=40)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=10)])
    country = SelectField("Country", choices=[SelectChoice("CA", "Canada"), SelectChoice("US", "United States")],
                          default="CA")


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", render_kw={"autocomplete": "new-password"},
                             validators=[InputRequired(), Length(max=200), StrongPassword()])
    confirm = PasswordField("Repeat the new password", render_kw={"autocomplete": "new-password"},
                            validators=[InputRequired(), EqualTo("password", message="The passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])
    next = HiddenField()


def time_zone_choices():
    """Every zone, grouped by region, labelled as people read them (America/St_Johns: St Johns), after an empty
    first choice outside the groups (HTML wants a required select to start with one)."""
    zones = [row["list_time_zones"] for row in db.call("list_time_zones")]
    return [SelectChoice("", "Choose a time zone")] + [
        SelectChoice(zone, zone.split("/", 1)[-1].replace("_", " "), optgroup=zone.split("/")[0]) for zone in zones]


def _start_session(token):
    session.clear()  # a fresh session at every log-in: no fixation
    session.permanent = True
    session["token"] = token


def _log_in(email, password):
    """log_in's answer. An account whose werkzeug hash predates the move into the database is asked twice: the
    database names the method and salt, the digest of this password under them is the proof (werkzeug's own
    derivation), and the database compares it and rehashes the password with bcrypt."""
    attempt = dict(email=email, password=password, ip=request.remote_addr, user_agent=request.user_agent.string)
    answer = db.call_one("log_in", **attempt)
    if answer["outcome"] == "legacy":
        method, salt = answer["legacy_scheme"].split("$", 1)
        answer = db.call_one("log_in", **attempt, legacy_proof=_hash_internal(method, salt, password)[0])
    return answer


def safe_next(target):
    """Only a path on this site: never another host, whatever the query string says."""
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    form.timezone.choices = time_zone_choices()
    if not form.is_submitted():
        return render_template("auth/signup.html", form=form)
    account = dict(email=form.email.data, password=form.password.data, name=form.name.data,
                   timezone=form.timezone.data, phone=form.phone.data, city=form.city.data,
                   province=form.province.data, postal_code=form.postal_code.data, country=form.country.data)
    valid = form.validate()
    try:
        db.call("note_signup_attempt", ip=request.remote_addr)  # counted either way: both may say the email exists
        if not valid:
            place_database_errors(form, "sign_up_customer", **account)
            return render_template("auth/signup.html", form=form), 400
        db.call("sign_up_customer", **account)
        answer = _log_in(form.email.data, form.password.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return render_template("auth/signup.html", form=form), refusal.status
    _start_session(answer["token"])
    flash("Welcome to Auto Doctor! Your account is ready.", "success")
    return redirect(url_for("customer.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            answer = _log_in(form.email.data, form.password.data)
        except db.Refusal as refusal:
            form.form_errors.append(refusal.message)
            return render_template("auth/login.html", form=form), refusal.status
        if answer["outcome"] == "ok":
            _start_session(answer["token"])
            return redirect(safe_next(form.next.data) or url_for(HOME_BY_ROLE[answer["role"]]))
        if answer["outcome"] == "deactivated":  # only someone who knows the password learns it
            form.form_errors.append("This account is deactivated, so it cannot log in. "
                                    "Ask the Auto Doctor platform team if you think this is a mistake.")
            return render_template("auth/login.html", form=form), 403
        form.form_errors.append("That email and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token
        if session.get("token"):
            db.call("log_out", token=session["token"])  # a copy of the cookie no longer works either
        session.clear()
        flash("You are logged out.", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/logout.html")


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token):
    """The link of an invitation or a new-password email: works once, for 48 hours, while the account is active."""
    try:
        link = db.call_one("check_password_token", token=token)
    except db.Refusal as refusal:
        return _set_password_page(refusal=refusal), refusal.status
    form = SetPasswordForm()
    form.known_words = (link["email"], link["name"])
    if form.validate_on_submit():
        try:
            email = db.call_value("set_password_with_token", token=token, password=form.password.data)
        except db.Refusal as refusal:
            return _set_password_page(refusal=refusal), refusal.status
        session.clear()  # every log-in of theirs has ended; whoever was logged in here, they now log in as themselves
        flash(f"Your password is set. Log in as {email} with your new password.", "success")
        return redirect(url_for("auth.login"))
    return _set_password_page(link=link, form=form), 400 if form.is_submitted() else 200


def _set_password_page(**values):
    response = make_response(render_template("auth/set_password.html", **values))
    response.headers["Cache-Control"] = "no-store"  # the page's address is the credential
    return response
