"""The scheduling wizard's forms (SPEC §3.2): shape checks only; the database has the last word."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from blueprints.checkout import PaymentForm
from forms import category_choices, one_char_line_breaks

REMINDERS = ("24h", "1h", "15min")  # each one a remind_<code> box of the ReviewForm


class ChoiceForm(FlaskForm):
    """One choice posted by the button pressed (a service type, vehicle, plan, mechanic or time)."""
    choice = StringField(validators=[InputRequired(), Length(max=64)])
    brand = StringField(validators=[Optional(), Length(max=1)])


class IntakeForm(FlaskForm):
    concern_category = SelectField("Service category",
                                   validators=[InputRequired(message="Choose a service category.")])
    concern = TextAreaField("Describe the problem or question", filters=[one_char_line_breaks], validators=[
        InputRequired(message="Describe what you need."),
        Length(max=4000, message="Describe it in at most 4,000 characters.")])
    preparation_notes = TextAreaField("Preparation notes (optional)", filters=[one_char_line_breaks], validators=[Optional(), Length(max=2000)])
    special_requests = TextAreaField("Special requests (optional)", filters=[one_char_line_breaks], validators=[Optional(), Length(max=2000)])
    files = MultipleFileField("Photos or videos (optional, up to 5)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.concern_category.choices = category_choices("schedule")


class ReviewForm(PaymentForm):
    remind_24h = BooleanField("24 hours before", default=True)
    remind_1h = BooleanField("1 hour before", default=True)
    remind_15min = BooleanField("15 minutes before (with the waiver and join link)", default=True)
