"""Tests of send-payment: created once by svcgen, then yours to extend."""

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from plumbing.send_payment import handler
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail

from handlers import partner_bank

BENEFICIARY = "FR7630006000011234567890189"


def posted(transaction_id="tx-1", **change):
    detail = sample_detail("acme.ledger", "TransactionPosted") | {
        "transaction_id": transaction_id, "account_id": "acc-1", "amount": 2_500, "currency": "EUR",
        "kind": "outgoing-payment", "counterparty_iban": BENEFICIARY} | change
    return envelope("acme.ledger", "TransactionPosted", detail, f"evt-{transaction_id}")


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("send-payment"))


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone(bus):
    records = [
        sqs_record(posted(), "message-1"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.ledger", "TransactionPosted"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("send-payment"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_a_confirmed_payment_is_announced_as_settled(bus):
    assert run(posted("tx-1")) == {"batchItemFailures": []}

    [published] = bus.received()
    assert (published["source"], published["detail-type"]) == ("acme.payments", "PaymentSettled")
    assert published["detail"] | {"settled_at": None} == {
        "payment_id": partner_bank.payment_id("tx-1"), "transaction_id": "tx-1", "account_id": "acc-1",
        "amount": 2_500, "currency": "EUR", "settled_at": None, "schema_version": 1}


@pytest.mark.parametrize(("change", "reason"), [
    ({"counterparty_iban": None}, "no beneficiary IBAN"),
    ({"currency": "USD"}, "currency USD is not supported"),
    ({"amount": partner_bank.LIMIT + 1}, "amount above the partner's limit"),
])
def test_a_refused_payment_is_announced_as_failed(bus, change, reason):
    assert run(posted("tx-2", **change)) == {"batchItemFailures": []}

    [published] = bus.received()
    assert published["detail-type"] == "PaymentFailed"
    assert published["detail"] == {"payment_id": partner_bank.payment_id("tx-2"), "transaction_id": "tx-2",
                                   "account_id": "acc-1", "reason": reason, "schema_version": 1}


def test_an_unavailable_partner_makes_the_record_retry_and_nothing_is_announced(bus, monkeypatch):
    def unavailable(*args):
        raise partner_bank.PartnerUnavailable("503 from the partner")

    monkeypatch.setattr(partner_bank, "pay", unavailable)

    # A batch of one failed record fails the invocation: SQS retries it.
    with pytest.raises(BatchProcessingError):
        run(posted("tx-3"))
    assert bus.received() == []


def test_a_redelivered_transaction_is_paid_once(bus, idempotency, monkeypatch):
    calls = []
    real_pay = partner_bank.pay
    monkeypatch.setattr(partner_bank, "pay", lambda *args: calls.append(args) or real_pay(*args))

    run(posted("tx-4"))
    run(posted("tx-4"))  # EventBridge or SQS delivered it again

    assert len(calls) == 1
    assert [e["detail-type"] for e in bus.received()] == ["PaymentSettled"]


def test_other_kinds_are_not_paid(bus):
    assert run(posted("tx-5", kind="payment-settled")) == {"batchItemFailures": []}
    assert bus.received() == []
