"""The mechanic's workspace (SPEC §4): the dashboard (online toggle, offers, upcoming sessions, earnings),
the week calendar, the availability editor with time off, and the booking settings.

Every page acts for the logged-in mechanic only: the SQL functions take the actor and check each row, so no
URL names another mechanic. Modules: sessions.py (dashboard, offers and session actions, earnings),
availability.py (weekly blocks, time off, settings), calendar.py (the week calendar)."""
from flask import Blueprint

from blueprints.auth import requires_role

bp = Blueprint("mechanic", __name__, url_prefix="/mechanic")
bp.before_request(requires_role("mechanic"))

from blueprints.mechanic import availability, calendar, sessions  # noqa: E402,F401  the routes register on bp
