"""Accounts (SPEC §1, §16, §20): the platform admin creates workshops and staff (mechanics of the three types,
workshop admins, platform admins), finds any account by name or email, deactivates and reactivates accounts,
sends a new link to set a password, and cancels what a deactivated person leaves booked (a provider
cancellation: the customer gets everything back). New staff get no password: the email carries a single-use
link (auth.set_password)."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import db
from forms import one_char_line_breaks
import payments
from blueprints.admin import bp
from blueprints.auth import place_database_errors, place_errors, safe_next, time_zone_choices
from formats import format_local_time, format_money

ROLES = {"customer": "Customer", "mechanic": "Mechanic", "workshop_admin": "Workshop admin", "admin": "Platform admin"}
STATUSES = {"active": "Active", "invited": "Invited (no password yet)", "deactivated": "Deactivated"}
MECHANIC_TYPES = {
    "virtual_only": ("Virtual only", "No workshop: online sessions in their own weekly blocks; paid to them."),
    "independent_workshop": ("Owns a workshop", "Independent: their own blocks inside the workshop's opening hours; "
                                                "paid to them."),
    "workshop_affiliated": ("Works at a workshop", "Employee or contractor: the workshop's opening hours; "
                                                   "paid to the workshop."),
}
PARTNERSHIPS = {"employee": "Employee of the workshop", "contractor": "Contractor for the workshop"}


def _choices(labels):
    return [SelectChoice(value, label) for value, label in labels.items()]


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Name or email", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=_choices({"": "Any role", **ROLES}), validators=[Optional()])
    status = SelectField("Status", choices=_choices({"": "Any status", **STATUSES}), validators=[Optional()])


class PersonForm(FlaskForm):
    name = StringField("Full name", validators=[InputRequired(), Length(max=120)])
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    timezone = SelectField("Time zone", validators=[InputRequired()], default="America/Toronto")


class MechanicForm(PersonForm):
    mechanic_type = RadioField("Type", choices=_choices({key: label for key, (label, _) in MECHANIC_TYPES.items()}),
                               validators=[InputRequired(message="Choose the mechanic's type.")])
    workshop_id = SelectField("Workshop", validators=[Optional()])
    partnership_type = RadioField("Tie to the workshop (for a mechanic who works at one)", choices=_choices(PARTNERSHIPS),
                                  validators=[Optional()])
    specialties = StringField("Specialties (optional)", validators=[Optional(), Length(max=1000)])
    brands = StringField("Brands (optional)", validators=[Optional(), Length(max=1000)])
    years_experience = IntegerField("Years of experience", default=0,
                                    validators=[Optional(), NumberRange(min=0, max=70, message="Enter 0 to 70 years.")])


class WorkshopForm(FlaskForm):
    name = StringField("Workshop name", validators=[InputRequired(), Length(max=120)])
    street = StringField("Street address", validators=[InputRequired(), Length(max=120)])
    city = StringField("City", validators=[InputRequired(), Length(max=120)])
    province = StringField("Province or state", validators=[InputRequired(), Length(max=120)])
    postal_code = StringField("Postal code", validators=[InputRequired(), Length(max=10)])
    country = SelectField("Country", choices=[SelectChoice("CA", "Canada"), SelectChoice("US", "United States")],
                          default="CA")
    phone = StringField("Phone (optional)", validators=[Optional(), Length(max=20)])
    timezone = SelectField("Time zone", validators=[InputRequired()], default="America/Toronto")
    stripe_account_id = StringField("Stripe account id (optional)", validators=[Optional(), Length(max=255)])


class AccountActionForm(FlaskForm):
    """Deactivate, reactivate, send a link: nothing to fill in but the CSRF token, and where to come back to."""
    back = HiddenField()


class CancelBookingForm(FlaskForm):
    reason = TextAreaField("Reason (told to the customer and the mechanic)", filters=[one_char_line_breaks], validators=[
        InputRequired(message="Say why the booking is cancelled."), Length(max=500)])


def _me():
    return g.user["id"]


def _tags(text):
    """Comma-separated words as a list (shape only: the database checks how many and how long)."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


def _with_zones(form):
    form.timezone.choices = time_zone_choices()
    return form


# --- the accounts list and one account -----------------------------------------------------------------------

@bp.route("/accounts")
def accounts():
    form = SearchForm(request.args)
    if not form.validate():
        return render_template("admin/accounts/list.html", form=form, people=[], roles=ROLES, statuses=STATUSES,
                               types=MECHANIC_TYPES, back=None), 400
    people = db.call("search_accounts", actor=_me(), q=form.q.data or None, role=form.role.data or None,
                     status=form.status.data or None)
    return render_template("admin/accounts/list.html", form=form, people=people, roles=ROLES, statuses=STATUSES,
                           types=MECHANIC_TYPES, back=request.full_path.rstrip("?"))


def _account_page(user_id, action_error=None, cancel_form=None, cancelling=None, status=200):
    person = db.call_one("account_detail", actor=_me(), user=user_id)
    return render_template(
        "admin/accounts/account.html", a=person, bookings=db.call("account_bookings", actor=_me(), user=user_id),
        devices=db.call("my_login_sessions", actor=_me(), user=user_id) if person else [],
        roles=ROLES, statuses=STATUSES, types=MECHANIC_TYPES, partnerships=PARTNERSHIPS,
        action_error=action_error, cancelling=cancelling,
        cancel_form=cancel_form or CancelBookingForm(formdata=None)), status


@bp.route("/accounts/<int:user_id>")
def account(user_id):
    return _account_page(user_id)


def _account_action(user_id, function, done):
    """Runs one of the account actions and comes back with what it did, or shows why not."""
    form = AccountActionForm()
    if not form.validate():
        abort(400)
    try:
        result = db.call_value(function, actor=_me(), user=user_id)
    except db.Refusal as refusal:
        return _account_page(user_id, action_error=refusal.message, status=refusal.status)
    flash(done(result), "success")
    return redirect(safe_next(form.back.data) or url_for("admin.account", user_id=user_id))


@bp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
def deactivate_account(user_id):
    return _account_action(user_id, "deactivate_account", lambda _: (
        "Account deactivated. They cannot log in; a mechanic is offline and no longer listed, offered or bookable. "
        "Bookings already made stay until you cancel them."))


@bp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
def reactivate_account(user_id):
    return _account_action(user_id, "reactivate_account", lambda _: (
        "Account reactivated. They can log in again, and a mechanic is listed and bookable again. "
        "Links sent before the deactivation stay closed: send a new one if they need it."))


@bp.route("/accounts/<int:user_id>/password-link", methods=["POST"])
def send_password_link(user_id):
    return _account_action(user_id, "issue_password_token", lambda expires: (
        f"A new link to set a password is on its way by email. It works once, until "
        f"{format_local_time(expires)}; the links sent before no longer work."))


@bp.route("/accounts/<int:user_id>/log-out", methods=["POST"])
def end_login_sessions(user_id):
    return _account_action(user_id, "end_my_login_sessions", lambda ended: (
        f"Logged out everywhere: {ended} log-in{'s' if ended != 1 else ''} ended. Their password still works."))


@bp.route("/accounts/<int:user_id>/bookings/<int:session_id>/cancel", methods=["POST"])
def cancel_account_booking(user_id, session_id):
    """Cancels one of the person's bookings as the platform admin (SPEC §20): a provider cancellation, so the
    customer is refunded in full, with the reason logged under the admin's name."""
    if session_id not in {b["session_id"] for b in db.call("account_bookings", actor=_me(), user=user_id)}:
        abort(404)
    form = CancelBookingForm()
    if not form.validate():
        return _account_page(user_id, cancel_form=form, cancelling=session_id, status=400)
    try:
        outcome = payments.cancel(_me(), session_id, form.reason.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _account_page(user_id, cancel_form=form, cancelling=session_id, status=refusal.status)
    back = outcome["refund_cents"] + outcome["credit_cents"]
    flash(f"Booking #{session_id} cancelled: the customer and the mechanic are told, with your reason"
          + (f", and the customer gets back everything they paid ({format_money(back)})." if back else "."), "success")
    return redirect(url_for("admin.account", user_id=user_id))


# --- new staff ---------------------------------------------------------------------------------------------

def _invite(form, role, workshop_id=None, **mechanic):
    """Validates the posted form, creates the account with no password and emails the link; (user id, None), or
    (None, HTTP status) with every error next to its field: the form's own and the database's at once."""
    account = dict(actor=_me(), role=role, email=form.email.data, name=form.name.data, timezone=form.timezone.data,
                   workshop_id=workshop_id, **mechanic)
    if not form.validate():
        place_database_errors(form, "invite_staff_account", **account)
        return None, 400
    try:
        user_id = db.call_value("invite_staff_account", **account)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return None, refusal.status
    flash(f"{form.name.data} can now set their password: the link is on its way to {form.email.data} and works "
          f"once, for 48 hours.", "success")
    return user_id, None


@bp.route("/accounts/mechanics/new", methods=["GET", "POST"])
def new_mechanic():
    form = _with_zones(MechanicForm())
    workshops = {str(w["id"]): w for w in db.call("list_workshops", actor=_me())}
    form.workshop_id.choices = [SelectChoice("", "No workshop")] + [
        SelectChoice(key, f"{w['name']} ({w['city']})") for key, w in workshops.items()]
    chosen = workshops.get(request.args.get("workshop_id", "")) if request.method == "GET" else None
    if chosen:  # from a workshop's page: one of its mechanics, in its zone
        form.workshop_id.data, form.mechanic_type.data = str(chosen["id"]), "workshop_affiliated"
        form.timezone.data = chosen["timezone"]
    if not form.is_submitted():
        return render_template("admin/accounts/new_mechanic.html", form=form, types=MECHANIC_TYPES)
    workshop = workshops.get(form.workshop_id.data or "")
    user_id, status = _invite(
        form, "mechanic", workshop_id=workshop["id"] if workshop else None,
        mechanic_type=form.mechanic_type.data, partnership_type=form.partnership_type.data or None,
        specialties=_tags(form.specialties.data), brands=_tags(form.brands.data),
        years_experience=form.years_experience.data or 0)
    if user_id is None:
        return render_template("admin/accounts/new_mechanic.html", form=form, types=MECHANIC_TYPES), status
    return redirect(url_for("admin.account", user_id=user_id))


@bp.route("/accounts/admins/new", methods=["GET", "POST"])
def new_platform_admin():
    form = _with_zones(PersonForm())
    if not form.is_submitted():
        return render_template("admin/accounts/new_admin.html", form=form)
    user_id, status = _invite(form, "admin")
    if user_id is None:
        return render_template("admin/accounts/new_admin.html", form=form), status
    return redirect(url_for("admin.account", user_id=user_id))


# --- workshops ---------------------------------------------------------------------------------------------

@bp.route("/accounts/workshops")
def workshops():
    return render_template("admin/accounts/workshops.html", workshops=db.call("list_workshops", actor=_me()))


@bp.route("/accounts/workshops/new", methods=["GET", "POST"])
def new_workshop():
    form = _with_zones(WorkshopForm())
    if not form.is_submitted():
        return render_template("admin/accounts/new_workshop.html", form=form)
    workshop = dict(actor=_me(), name=form.name.data, street=form.street.data, city=form.city.data,
                    province=form.province.data, postal_code=form.postal_code.data, country=form.country.data,
                    phone=form.phone.data or None, timezone=form.timezone.data,
                    stripe_account_id=form.stripe_account_id.data or None)
    if not form.validate():
        place_database_errors(form, "create_workshop", **workshop)
        return render_template("admin/accounts/new_workshop.html", form=form), 400
    try:
        workshop_id = db.call_value("create_workshop", **workshop)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return render_template("admin/accounts/new_workshop.html", form=form), refusal.status
    flash(f"{form.name.data} is created. Add its workshop admins now: they set its opening hours, which it needs "
          f"before anyone can book it.", "success")
    return redirect(url_for("admin.workshop", workshop_id=workshop_id))


def _workshop_page(workshop_id, admin_form=None, status=200):
    workshop = db.call_one("list_workshops", actor=_me(), workshop=workshop_id)
    if admin_form is None:
        admin_form = _with_zones(PersonForm(formdata=None, timezone=workshop["timezone"]))
    people = db.call("search_accounts", actor=_me(), workshop=workshop_id)
    return render_template("admin/accounts/workshop.html", w=workshop, form=admin_form, statuses=STATUSES,
                           types=MECHANIC_TYPES, admins=[p for p in people if p["role"] == "workshop_admin"],
                           mechanics=[p for p in people if p["role"] == "mechanic"]), status


@bp.route("/accounts/workshops/<int:workshop_id>")
def workshop(workshop_id):
    return _workshop_page(workshop_id)


@bp.route("/accounts/workshops/<int:workshop_id>/admins", methods=["POST"])
def new_workshop_admin(workshop_id):
    form = _with_zones(PersonForm())
    user_id, status = _invite(form, "workshop_admin", workshop_id=workshop_id)
    if user_id is None:
        return _workshop_page(workshop_id, admin_form=form, status=status)
    return redirect(url_for("admin.workshop", workshop_id=workshop_id))
