"""Tests of close-account: created once by svcgen, then yours to extend."""

import pytest
from plumbing.close_account import handler
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail

from handlers.accounts_store import open_account

pytestmark = pytest.mark.usefixtures("store", "bus")


def settled(account_id, final_balance=0):
    detail = {**sample_detail("acme.ledger", "BalanceSettled"), "account_id": account_id,
              "final_balance": final_balance}
    return envelope("acme.ledger", "BalanceSettled", detail)


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("close-account"))


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(settled(open_account("app-1").account_id), "message-1"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.ledger", "BalanceSettled"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("close-account"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_a_settled_account_is_closed_and_the_closure_announced(store, bus):
    account_id = open_account("app-1").account_id

    assert run(settled(account_id, 7_500)) == {"batchItemFailures": []}

    assert [i["type"] for i in store.items(account_id)] == ["AccountOpened", "AccountClosed"]
    assert store.items(account_id)[1]["data"]["reason"] == "balance settled"
    [published] = bus.received()
    assert (published["detail-type"], published["detail"]["account_id"]) == ("AccountClosed", account_id)


def test_the_settlement_that_answers_the_closure_ends_the_round_trip(store, bus):
    """AccountClosed -> ledger settles -> BalanceSettled -> here again: nothing more happens."""
    account_id = open_account("app-1").account_id
    run(settled(account_id))
    bus.received()

    assert run(settled(account_id)) == {"batchItemFailures": []}

    assert len(store.items(account_id)) == 2
    assert bus.received() == []


def test_an_account_never_opened_here_is_left_alone(store, bus):
    assert run(settled("acc-elsewhere")) == {"batchItemFailures": []}

    assert store.items("acc-elsewhere") == []
    assert bus.received() == []
