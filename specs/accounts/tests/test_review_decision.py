"""Tests of review-decision: created once by svcgen, then yours to extend."""

import json

import pytest
from plumbing.review_decision import handler
from svcgen_runtime.testing import http_event, lambda_context

ROUTE = "/reviews/{review_id}/decision"
PATH_PARAMETERS = {"review_id": "rev-1"}
TOKEN = "AAAAKgAAAAIAAAAAAAAAAQ-task-token"


def post(body):
    response = handler(http_event("POST", ROUTE, PATH_PARAMETERS, body), lambda_context("review-decision"))
    return response["statusCode"], json.loads(response["body"])


def test_an_approval_resumes_the_execution_with_the_decision(stepfunctions, logs):
    stepfunctions.add_response("send_task_success", {}, {
        "taskToken": TOKEN, "output": '{"decision":"approved","review_id":"rev-1"}'})

    status, body = post({"task_token": TOKEN, "decision": "approved"})

    assert (status, body) == (200, {"review_id": "rev-1", "decision": "approved"})
    assert '"message":"review decided"' in logs.getvalue()
    assert TOKEN not in logs.getvalue()  # a bearer capability stays out of the logs


def test_a_rejection_resumes_it_with_the_reason(stepfunctions):
    stepfunctions.add_response("send_task_success", {}, {
        "taskToken": TOKEN, "output": '{"decision":"rejected","reason":"documents expired","review_id":"rev-1"}'})

    status, body = post({"task_token": TOKEN, "decision": "rejected", "reason": "documents expired"})

    assert (status, body) == (200, {"review_id": "rev-1", "decision": "rejected"})


@pytest.mark.parametrize("body", [
    {"task_token": TOKEN, "decision": "rejected"},  # a rejection says why
    {"task_token": TOKEN, "decision": "maybe"},
    {"decision": "approved"},
    {"task_token": TOKEN, "decision": "approved", "unexpected": True},
])
def test_an_invalid_request_is_rejected_before_step_functions_is_called(stepfunctions, body):
    assert post(body)[0] == 422  # the Stubber fails the test on any call it was not given


@pytest.mark.parametrize(("error", "status"), [("TaskTimedOut", 409), ("TaskDoesNotExist", 409), ("InvalidToken", 400)])
def test_a_review_that_is_not_waiting_any_more_is_a_client_error(stepfunctions, error, status):
    stepfunctions.add_client_error("send_task_success", service_error_code=error)

    assert post({"task_token": TOKEN, "decision": "approved"})[0] == status
