"""The Book Now wizard's forms (SPEC §3.1): shape checks only; the database has the last word."""
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional

from forms import BIGINT_MAX, PostalCode, category_choices, one_char_line_breaks

TABS = {"all": "All", "brand": "Brand specialist", "favorites": "My favorites"}


class VehicleChoiceForm(FlaskForm):
    """A saved vehicle's button (vehicle_id) or Skip — Just Advice (advice_only)."""
    vehicle_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=BIGINT_MAX)])
    advice_only = BooleanField()


class PlanForm(FlaskForm):
    plan = StringField(validators=[InputRequired(message="Choose a plan.")])


class LocationForm(FlaskForm):
    """Where to search from and which tab: posted by Continue and the waitlist buttons."""
    city = StringField("City", validators=[Optional(), Length(max=80)])
    postal_code = StringField("Postal code", validators=[Optional(), Length(max=10), PostalCode()])
    tab = HiddenField(validators=[Optional(), AnyOf(list(TABS), message="Choose All, Brand specialist or My favorites.")])

    def check(self):
        """Validates; the hidden tab's error is shown above the form, and the search falls back to All."""
        valid = self.validate()
        if self.tab.errors:
            self.form_errors.extend(self.tab.errors)
            self.tab.data = "all"
        return valid

    def search_args(self, **extra):
        """The query string that shows this search again (tab, location), for links and redirects."""
        return {"tab": self.tab.data or "all", "city": self.city.data or None,
                "postal_code": self.postal_code.data or None, **extra}


class SearchForm(LocationForm):
    """The same fields in the query string of Find mechanics: a search changes nothing."""
    class Meta:
        csrf = False


class ConcernForm(FlaskForm):
    concern_category = SelectField("What is it about?",
                                   validators=[InputRequired(message="Choose what the concern is about.")])
    concern = TextAreaField("Describe the problem", filters=[one_char_line_breaks], validators=[InputRequired(message="Describe the problem."),
                                                                Length(max=4000)])
    is_urgent = BooleanField("It is urgent (for instance, I am stuck at the roadside)")
    files = MultipleFileField("Photos or videos (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.concern_category.choices = category_choices("book")
