"""Tests of revoke-account: created once by svcgen, then yours to extend."""

import pytest
from plumbing.revoke_account import handler
from svcgen_runtime.testing import lambda_context, task_event

from handlers.accounts_store import open_account

pytestmark = pytest.mark.usefixtures("store", "bus")


def revoke(application_id):
    return handler(task_event({"application_id": application_id}, step="compensate-open-account"),
                   lambda_context("revoke-account"))


def test_an_opened_account_is_closed_and_the_closure_announced(store, bus):
    account_id = open_account("app-1").account_id

    assert revoke("app-1") == {"revoked": True, "account_id": account_id}

    assert [(i["revision"], i["type"]) for i in store.items(account_id)] == [(1, "AccountOpened"), (2, "AccountClosed")]
    assert store.items(account_id)[1]["data"]["reason"].startswith("revoked")
    [published] = bus.received()
    assert (published["detail-type"], published["detail"]["account_id"]) == ("AccountClosed", account_id)


def test_revoking_again_closes_once_and_announces_again(store, bus):
    account_id = open_account("app-1").account_id
    revoke("app-1")

    revoke("app-1")

    assert len(store.items(account_id)) == 2
    assert [e["detail-type"] for e in bus.received()] == ["AccountClosed", "AccountClosed"]


def test_nothing_is_revoked_when_no_account_was_opened(bus):
    assert revoke("app-never-opened") == {"revoked": False}
    assert bus.received() == []
