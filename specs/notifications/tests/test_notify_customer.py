"""Tests of notify-customer: created once by svcgen, then yours to extend."""

import json

import pytest
from plumbing.notify_customer import handler
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail, sample_envelope

import handlers.notify_customer as notify_customer

IBAN = "DE89370400440532013000"
COUNTERPARTY_IBAN = "FR7630006000011234567890189"
EMAIL = "erika.mustermann@example.com"
NAME = "Erika Mustermann"


@pytest.fixture
def sent(monkeypatch):
    """The messages handed to the provider."""
    messages = []
    monkeypatch.setattr(notify_customer, "deliver", messages.append)
    return messages


def event(source, detail_type, **change):
    return envelope(source, detail_type, sample_detail(source, detail_type) | change, f"evt-{detail_type}")


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("notify-customer"))


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


@pytest.mark.parametrize(("envelope_", "to", "channel", "subject", "body"), [
    (event("acme.onboarding", "ApplicationSubmitted", email=EMAIL, applicant_name=NAME, application_id="app-1"),
     EMAIL, "email", "We received your application", f"Dear {NAME}, thank you for applying. Your reference is app-1"),
    (event("acme.accounts", "ApplicationRejected", application_id="app-1", reason="rejected in compliance review"),
     "application:app-1", "email", "Your application", "for application app-1 (rejected in compliance review)."),
    (event("acme.accounts", "AccountOpened", customer_id="cus-1", iban=IBAN, currency="EUR"),
     "customer:cus-1", "email", "Your account is open", "Your EUR account ending in 3000 is open"),
    (event("acme.accounts", "AccountClosed", account_id="acc-1", closed_at="2024-03-05T10:00:00Z"),
     "account:acc-1", "email", "Your account is closed", "Your account was closed on 05 March 2024."),
    (event("acme.payments", "PaymentSettled", account_id="acc-1", amount=123_456, currency="EUR"),
     "account:acc-1", "push", "Payment sent", "Your payment of 1,234.56 EUR has been made."),
    (event("acme.payments", "PaymentFailed", account_id="acc-1", payment_id="pay-1", reason="no beneficiary IBAN"),
     "account:acc-1", "push", "Payment not sent", "Your payment pay-1 could not be made: no beneficiary IBAN."),
    (event("acme.ledger.store", "TransactionPosted", account_id="acc-1", amount=1_000_000, currency="EUR"),
     "account:acc-1", "push", "Large transaction", "A transaction of 10,000.00 EUR was posted"),
], ids=lambda value: value["detail-type"] if isinstance(value, dict) else None)
def test_each_milestone_gets_its_own_message(sent, envelope_, to, channel, subject, body):
    assert run(envelope_) == {"batchItemFailures": []}

    [message] = sent
    assert (message.to, message.channel, message.subject) == (to, channel, subject)
    assert body in message.body


def test_nothing_sensitive_is_logged(sent, logs):
    run(event("acme.onboarding", "ApplicationSubmitted", email=EMAIL, applicant_name=NAME),
        event("acme.accounts", "AccountOpened", iban=IBAN),
        event("acme.ledger.store", "TransactionPosted", counterparty_iban=COUNTERPARTY_IBAN),
        # Invalid (account_id is a number) and carrying an IBAN: its error line must not show it.
        event("acme.accounts", "AccountOpened", account_id=12345, iban=IBAN))

    text = logs.getvalue()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["notification"] for line in lines if line["message"] == "customer notified"] == [
        "ApplicationSubmitted", "AccountOpened", "StoredTransactionPosted"]
    assert any(line["level"] == "ERROR" and "invalid record message-4" in line["message"] for line in lines)
    assert len(sent) == 3 and EMAIL in sent[0].to and IBAN[-4:] in sent[1].body  # the messages do carry them
    for secret in (EMAIL, NAME, "Mustermann", IBAN, COUNTERPARTY_IBAN):
        assert secret not in text


@pytest.mark.parametrize(("minor", "text"), [(0, "0.00 EUR"), (5, "0.05 EUR"), (100_000_01, "100,000.01 EUR"),
                                             (-2_500, "-25.00 EUR")])
def test_money_is_formatted_exactly(minor, text):
    assert notify_customer.money(minor, "EUR") == text
