"""Tests of project-balance: created once by svcgen, then yours to extend."""

import pytest
from plumbing.project_balance import handler
from plumbing.store import load
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope

import handlers.project_balance as project_balance
from ledger_data import a_paid_account, post


@pytest.fixture(autouse=True)
def cold_read_model(store):
    project_balance.READ_MODEL.clear()
    yield
    project_balance.READ_MODEL.clear()


def posted(account_id, revision):
    """The store fan-out's envelope for the posting stored at `revision`."""
    [stored] = [e for e in load(account_id) if e.revision == revision]
    detail = stored.event.model_dump(mode="json") | {"aggregate_id": account_id, "revision": revision}
    return envelope("acme.ledger.store", "TransactionPosted", detail, f"evt-{account_id}-{revision}")


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("project-balance"))


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    revision = a_paid_account("acc-1")
    records = [
        sqs_record(posted("acc-1", revision), "message-1"),
        sqs_record(invalid_envelope("acme.ledger.store", "TransactionPosted"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("project-balance"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_a_cold_model_is_rebuilt_from_the_store():
    revision = a_paid_account("acc-1")

    run(posted("acc-1", revision))

    balance = project_balance.balance("acc-1")
    assert (balance.balance, balance.currency, balance.revision) == (7_500, "EUR", revision)


def test_the_next_posting_is_applied_without_reading_the_store(monkeypatch):
    revision = a_paid_account("acc-1")
    run(posted("acc-1", revision))
    post("acc-1", "deposit", 500)
    next_posting = posted("acc-1", revision + 1)
    monkeypatch.setattr(project_balance, "load", lambda _: pytest.fail("the store was read"))

    run(next_posting)

    assert (project_balance.balance("acc-1").balance, project_balance.balance("acc-1").revision) == (8_000, revision + 1)


def test_duplicates_and_older_events_change_nothing():
    revision = a_paid_account("acc-1")
    run(posted("acc-1", revision))

    run(posted("acc-1", revision), posted("acc-1", 2))

    assert (project_balance.balance("acc-1").balance, project_balance.balance("acc-1").revision) == (7_500, revision)


def test_an_event_not_yet_in_the_store_is_retried():
    revision = a_paid_account("acc-1")
    ahead_of_the_store = posted("acc-1", revision)
    ahead_of_the_store["detail"]["aggregate_id"] = "acc-2"

    assert run(ahead_of_the_store, posted("acc-1", revision)) == {
        "batchItemFailures": [{"itemIdentifier": "message-1"}]}
    assert project_balance.balance("acc-2") is None
    assert project_balance.balance("acc-1").balance == 7_500
