"""The real stripe-python SDK against the local Stripe stand-in: proof that the stand-in speaks enough Stripe."""
import pytest
import stripe

from stripe_standin import StripeStandIn


@pytest.fixture
def stripe_api():
    with StripeStandIn() as api:
        yield api


@pytest.fixture
def client(stripe_api):
    return stripe.StripeClient(StripeStandIn.api_key, base_addresses={"api": stripe_api.url})


def charge(client, payment_method="pm_card_visa", key="pay-5", amount=12_500, **extra):
    params = {"amount": amount, "currency": "cad", "payment_method": payment_method, "confirm": True,
              "metadata": {"payment_id": 5}, "description": "Deposit, booking 5", **extra}
    return client.v1.payment_intents.create(params, {"idempotency_key": key})


def test_a_visa_payment_succeeds_and_the_request_is_recorded(client, stripe_api):
    intent = charge(client)

    assert isinstance(intent, stripe.PaymentIntent)
    assert intent.id.startswith("pi_") and intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.currency) == (12_500, 12_500, "cad")
    assert intent.metadata["payment_id"] == "5"
    assert intent.latest_charge.startswith("ch_") and intent.livemode is False
    assert stripe_api.requests == [{
        "method": "POST", "path": "/v1/payment_intents", "idempotency_key": "pay-5",
        "params": {"amount": "12500", "currency": "cad", "payment_method": "pm_card_visa", "confirm": "true",
                   "metadata": {"payment_id": "5"}, "description": "Deposit, booking 5"},
    }]
    assert list(stripe_api.intents) == [intent.id]


def test_a_replay_with_the_same_key_returns_the_same_intent_and_creates_nothing(client, stripe_api):
    first = charge(client)
    again = charge(client)

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(stripe_api.intents) == 1 and len(stripe_api.requests) == 2


def test_the_same_key_with_other_params_is_an_idempotency_error(client, stripe_api):
    charge(client, amount=12_500)

    with pytest.raises(stripe.IdempotencyError) as raised:
        charge(client, amount=9_900)

    assert raised.value.http_status == 400
    assert "same parameters" in raised.value.user_message
    assert len(stripe_api.intents) == 1


@pytest.mark.parametrize("payment_method, decline_code, message", [
    ("pm_card_chargeDeclined", "generic_decline", "Your card was declined."),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."),
])
def test_a_declined_card_raises_card_error_carrying_the_intent(client, stripe_api, payment_method, decline_code,
                                                                  message):
    with pytest.raises(stripe.CardError) as raised:
        charge(client, payment_method=payment_method)

    error = raised.value
    assert (error.http_status, error.code, error.user_message) == (402, "card_declined", message)
    assert error.error.decline_code == decline_code
    declined = error.error.payment_intent
    assert isinstance(declined, stripe.PaymentIntent)
    assert declined.status == "requires_payment_method" and declined.amount_received == 0
    assert stripe_api.intents[declined.id]["status"] == "requires_payment_method"
    # Stripe saves a decline against the key, so a retry with the same key declines again without a new intent.
    with pytest.raises(stripe.CardError) as replayed:
        charge(client, payment_method=payment_method)
    assert replayed.value.error.payment_intent.id == declined.id and len(stripe_api.intents) == 1


def test_retrieve_sees_a_processing_intent_move_on(client, stripe_api):
    intent = charge(client, payment_method="pm_card_processing")
    assert intent.status == "processing" and intent.latest_charge is None

    stripe_api.set_intent_status(intent.id, "succeeded")
    fetched = client.v1.payment_intents.retrieve(intent.id)

    assert (fetched.id, fetched.status, fetched.amount_received) == (intent.id, "succeeded", 12_500)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.retrieve("pi_missing")
    assert raised.value.http_status == 404 and raised.value.code == "resource_missing"


def test_refund_part_then_the_rest_then_nothing_more(client, stripe_api):
    intent = charge(client)

    part = client.v1.refunds.create({"payment_intent": intent.id, "amount": 2_500, "reason": "requested_by_customer",
                                     "metadata": {"refund_id": 7}}, {"idempotency_key": "refund-7"})
    rest = client.v1.refunds.create({"payment_intent": intent.id}, {"idempotency_key": "refund-8"})

    assert isinstance(part, stripe.Refund)
    assert (part.amount, part.status, part.payment_intent, part.metadata["refund_id"]) == (
        2_500, "succeeded", intent.id, "7")
    assert rest.amount == 10_000
    assert client.v1.refunds.retrieve(part.id).amount == 2_500
    assert stripe_api.intents[intent.id]["amount_refunded"] == 12_500
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 1})
    assert len(stripe_api.refunds) == 2


def test_a_refund_above_what_remains_is_refused(client, stripe_api):
    intent = charge(client)
    client.v1.refunds.create({"payment_intent": intent.id, "amount": 10_000})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 2_501})

    assert raised.value.http_status == 400 and raised.value.param == "amount"
    assert stripe_api.intents[intent.id]["amount_refunded"] == 10_000 and len(stripe_api.refunds) == 1


def test_an_unpaid_intent_cannot_be_refunded(client, stripe_api):
    intent = charge(client, payment_method="pm_card_processing")

    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create({"payment_intent": intent.id})
    assert stripe_api.refunds == {}


def test_a_bad_api_key_is_refused(stripe_api):
    wrong = stripe.StripeClient("sk_test_wrong", base_addresses={"api": stripe_api.url})

    with pytest.raises(stripe.AuthenticationError) as raised:
        charge(wrong)

    assert raised.value.http_status == 401 and raised.value.user_message == "Invalid API Key provided"
    assert stripe_api.intents == {} and len(stripe_api.requests) == 1
