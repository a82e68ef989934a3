"""Tests of send-payment: created once by svcgen, then yours to extend."""

from plumbing.send_payment import handler
from plumbing.testing import invalid_envelope, lambda_context, sample_envelope, sqs_event, sqs_record


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(sample_envelope("acme.ledger", "TransactionPosted"), "message-1"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.ledger", "TransactionPosted"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("send-payment"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}
