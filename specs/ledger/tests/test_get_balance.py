"""Tests of get-balance: created once by svcgen, then yours to extend."""

import json

import pytest
from plumbing.get_balance import handler
from svcgen_runtime.testing import http_event, lambda_context

from ledger_data import a_paid_account, request

ROUTE = "/accounts/{id}/balance"

pytestmark = pytest.mark.usefixtures("store")


def get(account_id):
    response = handler(http_event("GET", ROUTE, {"id": account_id}), lambda_context("get-balance"))
    return response["statusCode"], json.loads(response["body"])


def test_the_balance_is_derived_from_the_accounts_postings():
    revision = a_paid_account("acc-1")

    status, body = get("acc-1")

    assert status == 200, body
    # 100.00 in, 25.00 out when the payment settled (the order itself moves nothing).
    assert body == {"account_id": "acc-1", "balance": 7_500, "currency": "EUR", "revision": revision}


def test_a_pending_request_is_not_money():
    a_paid_account("acc-1")
    request("acc-1", "deposit", 99_999, "tx-pending")

    assert get("acc-1")[1]["balance"] == 7_500


def test_an_account_without_postings_is_not_found():
    status, body = get("acc-unknown")

    assert status == 404
    assert "acc-unknown" in body["message"]
