"""Tests of close-account: created once by svcgen, then yours to extend."""

from plumbing.close_account import handler
from plumbing.testing import invalid_envelope, lambda_context, sample_envelope, sqs_event, sqs_record


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(sample_envelope("acme.ledger", "BalanceSettled"), "message-1"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.ledger", "BalanceSettled"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("close-account"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}
