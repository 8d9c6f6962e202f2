"""The date range of the admin's ledgers and of the analytics pages: local dates in the viewer's zone, sent in
the query string (a GET form, so a filtered page can be bookmarked). The database checks the range itself."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import g, request
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import Optional

DEFAULT_DAYS = 30


class RangeForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])


def date_range(form=None):
    """The range of a RangeForm (or subclass) filled from the query string, its choices set: (form, first,
    last) local dates, the last 30 days up to today in the viewer's zone unless the query says otherwise. A
    malformed field is shown next to itself and left out (its default is used)."""
    form = form or RangeForm(request.args)
    form.validate()
    for field in form:
        if field.errors:
            field.data = None
    today = datetime.now(ZoneInfo(g.user["timezone"])).date()
    last = form.end.data or today
    first = form.start.data or last - timedelta(days=DEFAULT_DAYS - 1)
    form.start.data, form.end.data = first, last
    return form, first, last
