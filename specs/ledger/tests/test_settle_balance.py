"""Tests of settle-balance: created once by svcgen, then yours to extend."""

import pytest
from plumbing.settle_balance import handler
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail

from ledger_data import a_paid_account

pytestmark = pytest.mark.usefixtures("store")


def closed(account_id):
    return envelope("acme.accounts", "AccountClosed",
                    {**sample_detail("acme.accounts", "AccountClosed"), "account_id": account_id})


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}", message_group="settlements") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("settle-balance"))


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone(bus):
    records = [
        sqs_record(closed("acc-1"), "message-1", message_group="settlements"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.accounts", "AccountClosed"), "message-invalid", message_group="settlements"),
    ]

    response = handler(sqs_event(records), lambda_context("settle-balance"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_a_closed_account_is_settled_at_its_balance(bus):
    a_paid_account("acc-1")

    assert run(closed("acc-1")) == {"batchItemFailures": []}

    [settled] = bus.received()
    assert (settled["source"], settled["detail-type"]) == ("acme.ledger", "BalanceSettled")
    assert settled["detail"]["account_id"] == "acc-1"
    assert settled["detail"]["final_balance"] == 7_500


def test_an_account_the_ledger_never_posted_to_settles_at_zero(bus):
    run(closed("acc-new"))

    assert [(e["detail"]["account_id"], e["detail"]["final_balance"]) for e in bus.received()] == [("acc-new", 0)]
