"""Tests of submit-application: created once by svcgen, then yours to extend."""

import json

import pytest
from plumbing.submit_application import handler
from svcgen_runtime.testing import http_event, lambda_context

ROUTE = "/applications"
APPLICATION = {"applicant_name": "Erika Mustermann", "date_of_birth": "1964-08-12",
               "email": "erika.mustermann@example.com"}


def post(body):
    response = handler(http_event("POST", ROUTE, {}, body), lambda_context("submit-application"))
    return response["statusCode"], json.loads(response["body"])


def test_an_application_is_announced_under_a_new_id(bus, logs):
    status, body = post(APPLICATION)

    assert status == 200, body
    assert body["status"] == "submitted" and body["application_id"].startswith("app-")
    [published] = bus.received()
    assert (published["source"], published["detail-type"]) == ("acme.onboarding", "ApplicationSubmitted")
    assert published["detail"] | {"submitted_at": None} == {
        **APPLICATION, "application_id": body["application_id"], "submitted_at": None, "schema_version": 1}
    # The person's data is on the bus (the contract says so), never in the function's logs.
    assert body["application_id"] in logs.getvalue()
    assert "Mustermann" not in logs.getvalue() and "erika.mustermann@example.com" not in logs.getvalue()


def test_two_applications_get_two_ids(bus):
    assert post(APPLICATION)[1]["application_id"] != post(APPLICATION)[1]["application_id"]


@pytest.mark.parametrize("change", [
    {"date_of_birth": "2020-01-01"},  # a minor
    {"email": "not-an-address"},
    {"applicant_name": "   "},
    {"date_of_birth": "12.08.1964"},
    {"unexpected": True},
])
def test_an_invalid_application_is_refused_and_nothing_announced(bus, change):
    status, _ = post(APPLICATION | change)

    assert status == 422
    assert bus.received() == []


def test_a_missing_field_is_refused(bus):
    assert post({k: v for k, v in APPLICATION.items() if k != "email"})[0] == 422
