"""Forms shared by several blueprints, and the checks every form uses."""

BIGINT_MAX = 2**63 - 1


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
