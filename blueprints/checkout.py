"""What Book Now and Schedule share at their end: the waiver form (drawn or typed signature) and paying
through the gateway (payments.checkout), with the outcome told in one sentence."""
import base64
import binascii

from flask import g, request
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

import db
import payments

PNG_DATA_URL = "data:image/png;base64,"


class WaiverForm(FlaskForm):
    agree = BooleanField("I have read the waiver and agree to it", validators=[InputRequired(message="Tick the box to agree.")])
    typed_name = StringField("Type your full name", validators=[Optional(), Length(max=120)])
    # filled by static/signature.js from the drawing pad; without JavaScript the typed name signs
    signature = HiddenField("Drawn signature")


class PaymentForm(FlaskForm):
    card = StringField("Card number", validators=[Optional(), Length(max=40)])

    def validate_card(self, field):
        if field.data and payments.payment_method_for(field.data) is None:
            raise ValidationError("That card number is not one we can charge. Check it, or try the test card 4242 4242 4242 4242.")


def quote(plan, service_type="online"):
    """What paying will take (checkout_quote): the price, what is due now, credit first, the rest on the card."""
    return db.call_one("checkout_quote", actor=g.user["id"], plan=plan, service_type=service_type)


def sign_waiver(form, session_id=None, mode="online"):
    """Signs the current waiver from a validated WaiverForm: the logged-in customer online, or the workshop's
    tablet (mode in_person, the logged-in admin checking the customer in). Places a refusal next to its field
    and returns False when the drawing cannot be read or the database says no."""
    drawing = None
    if form.signature.data and form.signature.data.startswith(PNG_DATA_URL):
        try:
            drawing = base64.b64decode(form.signature.data[len(PNG_DATA_URL):], validate=True)
        except (binascii.Error, ValueError):
            form.typed_name.errors = ["That drawing could not be read. Draw again, or type your name."]
            return False
    try:
        db.call("sign_waiver", actor=g.user["id"], session=session_id, mode=mode, signature_png=drawing,
                typed_name=None if drawing else form.typed_name.data, ip=request.remote_addr,
                user_agent=request.user_agent.string)
    except db.Refusal as refusal:
        target = form.typed_name if refusal.field in ("signature", "typed_name") else None
        (target.errors if target is not None else form.form_errors).append(refusal.message)
        form.refusal_status = refusal.status
        return False
    return True


def pay(form, **booking):
    """Pays for a booking with the card of a PaymentForm. Returns (payment, message): a succeeded payment
    with its session_id is a booking; otherwise message says what happened (declined, time lost, pending)."""
    payment = payments.checkout(g.user["id"], card=form.card.data or None, **booking)
    if payment["status"] == "succeeded" and payment["session_id"]:
        return payment, None
    if payment["status"] == "succeeded":
        return payment, ("That time was taken while you paid. Nothing was charged in the end: the full amount "
                         "is on its way back to your card and account credit.")
    if payment["status"] == "failed":
        return payment, f"Your card was not charged: {(payment['failure_message'] or 'the payment was declined').rstrip('.')}."
    held = " The time stays held for you until then." if booking.get("kind") == "scheduled" else ""
    if payment is payments.OUTCOME_UNKNOWN:
        return payment, ("We are confirming whether your payment went through. If it did, My appointments lists it "
                         f"under Payments until the booking is confirmed.{held} If nothing is listed there, nothing was "
                         "charged and you can pay again; nothing is ever charged twice.")
    return payment, ("We are confirming your payment with the card network. My appointments shows the booking as soon "
                     f"as it is confirmed, or that nothing was charged; nothing is charged twice.{held}")
