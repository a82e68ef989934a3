"""Tests of open-account: created once by svcgen, then yours to extend."""

import pytest
from plumbing.models import AccountOpened
from plumbing.open_account import handler
from plumbing.store import append
from svcgen_runtime.testing import lambda_context, task_event

import handlers.accounts_store as accounts_store

pytestmark = pytest.mark.usefixtures("store", "bus")


def open_for(application_id, execution="exec-1"):
    return handler(task_event({"application_id": application_id}, execution=execution, step="open-account"),
                   lambda_context("open-account"))


def valid_iban(iban):
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def test_the_account_is_stored_and_announced(store, bus):
    result = open_for("app-1")

    account_id = result["account_id"]
    assert result == {"account_id": account_id}  # the step's result: no IBAN in the execution
    [item] = store.items(account_id)
    assert (item["revision"], item["type"]) == (1, "AccountOpened")
    assert item["data"]["application_id"] == "app-1" and item["data"]["currency"] == "EUR"
    assert valid_iban(item["data"]["iban"])
    [published] = bus.received()
    assert (published["source"], published["detail-type"]) == ("acme.accounts", "AccountOpened")
    assert published["detail"] == item["data"]  # the stored event, as it is


def test_a_retried_step_opens_no_second_account(store, bus):
    first = open_for("app-1", execution="exec-1")
    again = open_for("app-1", execution="exec-2")  # e.g. the pipe started a second execution

    assert again == first
    assert len(store.items(first["account_id"])) == 1
    published = bus.received()
    assert len(published) == 2 and published[0]["detail"] == published[1]["detail"]


def test_a_concurrent_open_of_the_same_account_is_taken_as_done(store, bus, monkeypatch):
    real_load = accounts_store.load

    def load_then_lose_the_race(account_id):
        events = real_load(account_id)
        monkeypatch.setattr(accounts_store, "load", real_load)  # only once
        other = AccountOpened(account_id=account_id, application_id="app-1", customer_id="cus-other",
                              iban="DE89370400440532013000", currency="EUR", opened_at="2024-01-01T00:00:00Z")
        append(account_id, 0, other)  # another execution appends first
        return events

    monkeypatch.setattr(accounts_store, "load", load_then_lose_the_race)

    result = open_for("app-1")

    [item] = store.items(result["account_id"])
    assert item["data"]["customer_id"] == "cus-other"
    assert [e["detail"]["customer_id"] for e in bus.received()] == ["cus-other"]


def test_the_step_fails_without_an_application_id():
    with pytest.raises(KeyError):
        handler(task_event({"id": "id-1"}), lambda_context("open-account"))


def test_the_identifiers_are_derived_from_the_application():
    account_id = accounts_store.account_id("app-1")

    assert account_id == accounts_store.account_id("app-1") != accounts_store.account_id("app-2")
    assert valid_iban(accounts_store.iban(account_id)) and len(accounts_store.iban(account_id)) == 22
    assert accounts_store.customer_id("app-1").startswith("cus-")
