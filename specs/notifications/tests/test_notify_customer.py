"""Tests of notify-customer: created once by svcgen, then yours to extend."""

from plumbing.notify_customer import handler
from plumbing.testing import invalid_envelope, lambda_context, sample_envelope, sqs_event, sqs_record


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(sample_envelope("acme.accounts", "AccountOpened"), "message-1"),
        sqs_record(sample_envelope("acme.accounts", "AccountClosed"), "message-2"),
        sqs_record(sample_envelope("acme.onboarding", "ApplicationSubmitted"), "message-3"),
        sqs_record(sample_envelope("acme.accounts", "ApplicationRejected"), "message-4"),
        sqs_record(sample_envelope("acme.payments", "PaymentSettled"), "message-5"),
        sqs_record(sample_envelope("acme.payments", "PaymentFailed"), "message-6"),
        sqs_record(sample_envelope("acme.ledger.store", "TransactionPosted"), "message-7"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.accounts", "AccountOpened"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("notify-customer"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}
