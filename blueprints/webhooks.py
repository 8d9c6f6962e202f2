"""Gateway webhooks: POST /webhooks/stripe, the one route without a CSRF token (the signature stands in)."""
import logging

from flask import Blueprint, jsonify, request

import db
import payments

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)


@bp.post("/stripe")
def stripe_event():
    try:
        result = payments.handle_webhook(request.get_data(), request.headers.get("Stripe-Signature", ""))
    except payments.InvalidWebhook as failure:
        log.warning("webhook refused: %s", failure)
        return jsonify({"error": {"code": "invalid_signature", "message": "The signature is missing, wrong or too old."}}), 400
    except payments.GatewayUnavailable:
        log.exception("webhook could not re-read its object; the gateway will deliver it again")
        return jsonify({"error": {"code": "unavailable", "message": "Try again later."}}), 503
    except db.Refusal as refusal:
        return jsonify({"error": {"code": refusal.code, "message": refusal.message}}), refusal.status
    return jsonify({"received": True, "result": result})
