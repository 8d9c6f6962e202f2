"""Forms shared by several blueprints, and the checks every form uses."""
import re

from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

import db

BIGINT_MAX = 2**63 - 1


def concern_categories(flow):
    """{code: label} of the concern categories a wizard (book or schedule) offers, in order (app.concern_categories)."""
    return {row["code"]: row["label"] for row in db.call("concern_categories", flow=flow)}


def category_choices(flow):
    """A concern category field's choices: Choose one, then the wizard's categories."""
    return [SelectChoice("", "Choose one")] + [SelectChoice(code, label) for code, label in concern_categories(flow).items()]


def row_id(value):
    """A form's row id as an int, for a SelectField's coerce: a number no row can have (beyond bigint, zero or
    negative) is a ValueError, which WTForms shows as an invalid choice, and never reaches SQL."""
    number = int(value)
    if not 0 < number <= BIGINT_MAX:
        raise ValueError(f"{value} is not a row id")
    return number


def optional_row_id(value):
    """row_id, or None for an empty choice (All …)."""
    return row_id(value) if value not in (None, "") else None


class PostalCode:
    """A WTForms validator of a postal code's shape, as app.postal_code_is_valid after normalize_postal_code (the
    database has the last word, knowing the country): Canadian (A1A 1A1, the space optional) or a US ZIP code.
    For the Book Now location, whose search is refused before any draft is saved; the forms that save a postal
    code or a phone (sign-up, workshops) show the database's own refusal (place_database_errors)."""
    message = "Enter a Canadian postal code like M5V 2T6 (a ZIP code like 10001 in the United States)."
    CANADIAN = re.compile(r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]\s*[0-9][ABCEGHJ-NPRSTV-Z][0-9]", re.IGNORECASE)
    ZIP = re.compile(r"[0-9]{5}(-[0-9]{4})?")

    def __call__(self, form, field):
        text = (field.data or "").strip()
        if text and not (self.CANADIAN.fullmatch(text) or self.ZIP.fullmatch(text)):
            raise ValidationError(self.message)


def one_char_line_breaks(text):
    """A text box's text with each line break as one character (the browser sends CR LF): as its maxlength counted
    it, so that a Length check agrees with the box's limit. For the filters of every TextAreaField."""
    return text.replace("\r\n", "\n") if isinstance(text, str) else text
