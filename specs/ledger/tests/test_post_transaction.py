"""Tests of post-transaction: created once by svcgen, then yours to extend."""

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from plumbing.models import TransactionRequested
from plumbing.post_transaction import handler
from plumbing.store import append, load
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail, sample_envelope

import handlers.post_transaction as post_transaction

pytestmark = pytest.mark.usefixtures("store", "bus")


def run(*envelopes):
    records = [sqs_record(e, f"message-{i}") for i, e in enumerate(envelopes, 1)]
    return handler(sqs_event(records), lambda_context("post-transaction"))


def account_opened(account_id="acc-1"):
    return envelope("acme.accounts", "AccountOpened",
                    {**sample_detail("acme.accounts", "AccountOpened"), "account_id": account_id,
                     "iban": "DE89370400440532013000", "currency": "EUR"})


def requested(kind="deposit", amount=10_000, account_id="acc-1", transaction_id="tx-1"):
    """A TransactionRequested as the store's fan-out delivers it, after storing it as it would be."""
    revision = append(account_id, len(load(account_id)), TransactionRequested(
        transaction_id=transaction_id, account_id=account_id, amount=amount, currency="EUR", kind=kind))
    detail = {"transaction_id": transaction_id, "account_id": account_id, "amount": amount, "currency": "EUR",
              "kind": kind, "aggregate_id": account_id, "revision": revision}
    return envelope("acme.ledger.store", "TransactionRequested", detail)


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(sample_envelope("acme.accounts", "AccountOpened"), "message-1"),
        sqs_record(sample_envelope("acme.payments", "PaymentSettled"), "message-2"),
        sqs_record(requested(), "message-3"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.accounts", "AccountOpened"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("post-transaction"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_an_opened_account_gets_an_opening_entry_in_the_store_and_on_the_bus(store, bus):
    assert run(account_opened()) == {"batchItemFailures": []}

    [item] = store.items("acc-1")
    assert item["revision"] == 1 and item["type"] == "TransactionPosted"
    assert item["data"]["kind"] == "opening" and item["data"]["amount"] == 0
    assert item["data"]["transaction_id"] == "acc-1:opening"
    [published] = bus.received()
    assert (published["source"], published["detail-type"]) == ("acme.ledger", "TransactionPosted")
    assert published["detail"]["transaction_id"] == "acc-1:opening"
    assert published["detail"]["currency"] == "EUR"


def test_a_requested_deposit_is_posted_at_the_next_revision(store, bus):
    run(account_opened())
    bus.received()

    assert run(requested(amount=2_500)) == {"batchItemFailures": []}

    assert [(i["revision"], i["type"]) for i in store.items("acc-1")] == [
        (1, "TransactionPosted"), (2, "TransactionRequested"), (3, "TransactionPosted")]
    [published] = bus.received()
    assert published["detail"] | {"posted_at": None} == {
        "transaction_id": "tx-1", "account_id": "acc-1", "amount": 2_500, "currency": "EUR", "kind": "deposit",
        "posted_at": None, "schema_version": 1}


def test_a_settled_payment_is_posted_with_its_own_transaction_id(store, bus):
    settled = {**sample_detail("acme.payments", "PaymentSettled"), "account_id": "acc-1", "transaction_id": "tx-9"}

    assert run(envelope("acme.payments", "PaymentSettled", settled)) == {"batchItemFailures": []}

    [item] = store.items("acc-1")
    assert item["data"]["kind"] == "payment-settled" and item["data"]["transaction_id"] == "tx-9:settled"
    # Not `outgoing-payment`: payments subscribes to those, and must not pay this one again.
    assert bus.received()[0]["detail"]["kind"] == "payment-settled"


def test_a_redelivered_event_is_stored_once_and_published_again(store, bus):
    run(account_opened())
    run(account_opened())

    assert len(store.items("acc-1")) == 1
    # At least once: a retry after a failed publish must still publish.
    assert [e["detail"]["transaction_id"] for e in bus.received()] == ["acc-1:opening", "acc-1:opening"]


def test_a_concurrent_writer_makes_the_record_fail_and_its_retry_post_after_it(store, bus, monkeypatch):
    run(account_opened())
    bus.received()
    event = requested(amount=700)  # stored at revision 2
    real_load = post_transaction.load

    def load_then_lose_the_race(account_id):
        events = real_load(account_id)
        # Another writer appends right after this function loaded the aggregate.
        append(account_id, len(events), TransactionRequested(
            transaction_id="tx-other", account_id=account_id, amount=1, currency="EUR", kind="deposit"))
        monkeypatch.setattr(post_transaction, "load", real_load)  # only once
        return events

    monkeypatch.setattr(post_transaction, "load", load_then_lose_the_race)

    # Reported alone: the other account's event in the same batch is posted.
    assert run(event, account_opened("acc-2")) == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
    assert [i["data"]["transaction_id"] for i in store.items("acc-1")] == ["acc-1:opening", "tx-1", "tx-other"]
    assert [e["detail"]["transaction_id"] for e in bus.received()] == ["acc-2:opening"]

    assert run(event) == {"batchItemFailures": []}  # SQS's redelivery
    assert store.items("acc-1")[-1]["revision"] == 4
    assert store.items("acc-1")[-1]["data"]["transaction_id"] == "tx-1"
    assert [e["detail"]["transaction_id"] for e in bus.received()] == ["tx-1"]


@pytest.mark.parametrize(("kind", "amount"), [("payment-settled", 100), ("opening", 100), ("deposit", 0)])
def test_a_request_the_ledger_cannot_post_fails_and_nothing_is_posted(store, bus, kind, amount):
    # A batch of that record alone would fail the whole invocation (Powertools raises
    # BatchProcessingError when every record fails); SQS retries it all the same.
    with pytest.raises(BatchProcessingError):
        run(requested(kind=kind, amount=amount))

    assert [i["type"] for i in store.items("acc-1")] == ["TransactionRequested"]
    assert bus.received() == []
