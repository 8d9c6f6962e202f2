"""Schedule (SPEC §3.2): the scheduling page at /customer/schedule.

Seven steps (service type, vehicle, plan, mechanic, time, intake, review & pay) and a confirmation. What the
customer chose is kept in the server-side draft (blueprints/drafts.py, flow 'schedule'), never in the cookie; a step
visited before an earlier one is answered sends the customer to the first unanswered one. The database decides
availability (schedule_calendar, available_slots, any_mechanic_slots), holds (reserve_slot, reserve_any_slot)
and money (checkout_quote, then checkout.pay).

steps.py: which steps the draft answers, the step guard and the steps' layout; choices.py: entering and steps 1 to 4;
slots.py: step 5, the time and its hold; finish.py: step 6 (intake), step 7 (review and pay) and the confirmation.
The forms are in forms/scheduling.py."""
from flask import Blueprint

from blueprints.auth import requires_role

bp = Blueprint("scheduling", __name__, url_prefix="/customer/schedule")
bp.before_request(requires_role("customer"))

from blueprints.scheduling import choices, finish, slots  # noqa: E402,F401  the routes register on bp
