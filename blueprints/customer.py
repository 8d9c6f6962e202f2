"""The customer's own pages: the dashboard and saved vehicles."""
from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

import db
from blueprints.auth import place_errors, requires_role

bp = Blueprint("customer", __name__, url_prefix="/customer")
bp.before_request(requires_role("customer"))


class VehicleForm(FlaskForm):
    year = IntegerField("Year", validators=[InputRequired(), NumberRange(min=1900, max=2100)])
    make = StringField("Make", validators=[InputRequired(), Length(max=40)])
    model = StringField("Model", validators=[InputRequired(), Length(max=60)])
    vin = StringField("VIN (optional)", validators=[Optional(), Length(min=17, max=17, message="A VIN has 17 characters.")])
    odometer_km = IntegerField("Odometer (km)", validators=[Optional(), NumberRange(min=0, max=2_000_000)])
    plate = StringField("Plate (optional)", validators=[Optional(), Length(max=10)])


def _dashboard(form, status=200):
    return render_template("customer/dashboard.html", form=form,
                           vehicles=db.call("my_vehicles", actor=g.user["id"]),
                           favorites=db.call("my_favorites", actor=g.user["id"])), status


@bp.route("/")
def dashboard():
    return _dashboard(VehicleForm())


@bp.route("/vehicles", methods=["POST"])
def add_vehicle():
    form = VehicleForm()
    if not form.validate_on_submit():
        return _dashboard(form, 400)
    try:
        db.call("add_vehicle", actor=g.user["id"], year=form.year.data, make=form.make.data, model=form.model.data,
                vin=form.vin.data, odometer_km=form.odometer_km.data, plate=form.plate.data)
    except db.Refusal as refusal:
        place_errors(form, refusal)
        return _dashboard(form, refusal.status)
    flash(f"{form.year.data} {form.make.data} {form.model.data} saved.", "success")
    return redirect(url_for("customer.dashboard"))


@bp.route("/vehicles/<int:vehicle_id>/remove", methods=["POST"])
def remove_vehicle(vehicle_id):
    db.call("remove_vehicle", actor=g.user["id"], vehicle_id=vehicle_id)
    flash("Vehicle removed.", "success")
    return redirect(url_for("customer.dashboard"))
