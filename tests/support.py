"""Helpers the test modules share: what a refused call says, and moving the database's clock. (Booking and paying
as the app does is World.book and World.pay in availability_world.py; the money audit that must stay empty is the
`money_audit_stays_empty` fixture of conftest.py.)"""
import psycopg
import pytest


def sqlstate(call, *args):
    """The SQLSTATE that `call(*args)` is refused with (it must be refused): sqlstate(conn.execute, query, params),
    or sqlstate(lambda: ...)."""
    with pytest.raises(psycopg.Error) as failure:
        call(*args)
    return failure.value.sqlstate


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
