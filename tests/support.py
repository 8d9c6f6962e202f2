"""Helpers the test modules share: what a refused call says, the codes a page marks its refusals with, and moving
the database's clock. (Booking and paying as the app does is World.book and World.pay in availability_world.py; the
money audit that must stay empty is the `money_audit_stays_empty` fixture of conftest.py.)"""
from html.parser import HTMLParser

import psycopg
import pytest


def refusal(call, *args, error=psycopg.Error):
    """The error that `call(*args)` is refused with (it must be refused, with an `error`): for what sqlstate and
    constraint do not say, e.g. refusal(conn.execute, query, params).diag.column_name."""
    with pytest.raises(error) as failure:
        call(*args)
    return failure.value


def sqlstate(call, *args):
    """The SQLSTATE that `call(*args)` is refused with (it must be refused): sqlstate(conn.execute, query, params),
    or sqlstate(lambda: ...)."""
    return refusal(call, *args).sqlstate


def constraint(call, *args):
    """The name of the constraint that refuses `call(*args)` (an integrity error): constraint(conn.execute, query,
    params)."""
    return refusal(call, *args, error=psycopg.errors.IntegrityError).diag.constraint_name


def refused(world, code, sql, *params):
    """Asserts that `sql` is refused with SQLSTATE `code`, in a transaction of its own (so that nothing of it stays
    and the connection goes on); returns the error."""
    with pytest.raises(psycopg.Error) as failure:
        with world.conn.transaction():
            world.conn.execute(sql, params)
    assert failure.value.sqlstate == code
    return failure.value


def set_clock(world, moment):
    """Freezes the database's clock (app.app_now) at `moment`, through the world's owner connection."""
    world.conn.execute("select app.set_app_clock(%s)", [moment])


class _CodeMarks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.marks = []  # (element id, codes)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-code"):
            self.marks.append((attrs.get("id"), attrs["data-code"].split()))


def refusal_codes(page, element=None):
    """The codes a page marks its refusals with (data-code: a SQLSTATE such as UR007, or a constraint's name), as a
    set: of the whole page, or of the element with this id (a field's error is "<field id>-error"). `page` is HTML
    or a test client's response. Tests assert these rather than the wording, which may change."""
    marks = _CodeMarks()
    marks.feed(page if isinstance(page, str) else page.get_data(as_text=True))
    return {code for mark, codes in marks.marks if element is None or mark == element for code in codes}
