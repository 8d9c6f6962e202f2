"""The workshop admin's workspace (SPEC §4, §11). Every page names the workshop or the visit in its URL; the SQL
functions check that the admin runs that workshop (another's is a 404).

settings.py: the dashboard, opening hours, closed days, zone, capacity, contact, mechanics;
visits.py: the in-person visits: the queue, confirm, decline, counter-offer, assign, check-in, complete."""
from flask import Blueprint

from blueprints.auth import requires_role

bp = Blueprint("workshop", __name__, url_prefix="/workshop")
bp.before_request(requires_role("workshop_admin"))

from blueprints.workshop import settings, visits  # noqa: E402,F401  the routes register on bp
