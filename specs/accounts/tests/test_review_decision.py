"""Tests of review-decision: created once by svcgen, then yours to extend."""

import json

from plumbing.review_decision import handler
from plumbing.testing import http_event, lambda_context

ROUTE = "/reviews/{review_id}/decision"
PATH_PARAMETERS = {"review_id": "review_id-1"}


def test_a_valid_request_is_answered():
    event = http_event("POST", ROUTE, PATH_PARAMETERS, {})

    response = handler(event, lambda_context("review-decision"))

    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["status"] == "ok"


def test_an_invalid_request_is_rejected_before_the_handler():
    event = http_event("POST", ROUTE, PATH_PARAMETERS, {"unexpected": True})

    response = handler(event, lambda_context("review-decision"))

    assert response["statusCode"] == 422
