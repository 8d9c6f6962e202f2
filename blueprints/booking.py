"""Book Now (SPEC §3.1): the immediate wizard at /customer/book."""
from flask import Blueprint

from blueprints.auth import requires_role

bp = Blueprint("booking", __name__, url_prefix="/customer/book")
bp.before_request(requires_role("customer"))
