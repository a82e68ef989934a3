"""Tests of settle-balance: created once by svcgen, then yours to extend."""

from plumbing.settle_balance import handler
from plumbing.testing import invalid_envelope, lambda_context, sample_envelope, sqs_event, sqs_record


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(sample_envelope("acme.accounts", "AccountClosed"), "message-1", message_group="settlements"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.accounts", "AccountClosed"), "message-invalid", message_group="settlements"),
    ]

    response = handler(sqs_event(records), lambda_context("settle-balance"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}
