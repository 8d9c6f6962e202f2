"""Schedule (SPEC §3.2): the scheduling page at /customer/schedule."""
from flask import Blueprint

from blueprints.auth import requires_role

bp = Blueprint("scheduling", __name__, url_prefix="/customer/schedule")
bp.before_request(requires_role("customer"))
