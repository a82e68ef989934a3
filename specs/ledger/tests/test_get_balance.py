"""Tests of get-balance: created once by svcgen, then yours to extend."""

import json

from plumbing.get_balance import handler
from plumbing.testing import http_event, lambda_context

ROUTE = "/accounts/{id}/balance"
PATH_PARAMETERS = {"id": "id-1"}


def test_a_valid_request_is_answered():
    event = http_event("GET", ROUTE, PATH_PARAMETERS)

    response = handler(event, lambda_context("get-balance"))

    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["status"] == "ok"
