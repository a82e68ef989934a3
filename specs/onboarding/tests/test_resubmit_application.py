"""Tests of resubmit-application: created once by svcgen, then yours to extend."""

import json

from plumbing.resubmit_application import handler
from svcgen_runtime.testing import http_event, lambda_context

ROUTE = "/applications/{id}/resubmit"


def post(application_id, body=None):
    event = http_event("POST", ROUTE, {"id": application_id}, {} if body is None else body)
    response = handler(event, lambda_context("resubmit-application"))
    return response["statusCode"], json.loads(response["body"])


def test_onboarding_starts_again_with_the_application_id_only(onboard_customer):
    status, body = post("app-1")

    assert status == 200, body
    execution = onboard_customer.describe_execution(executionArn=body["execution_arn"])
    assert json.loads(execution["input"]) == {"ids": {"application_id": "app-1"}}
    assert body == {"id": "app-1", "execution_arn": execution["executionArn"], "status": "started"}


def test_each_resubmission_is_a_new_attempt(onboard_customer):
    post("app-1")
    post("app-1")

    arn = onboard_customer.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    assert len(onboard_customer.list_executions(stateMachineArn=arn)["executions"]) == 2


def test_what_is_not_an_application_id_starts_nothing(onboard_customer):
    status, body = post("ACC-1;drop")

    assert status == 400 and "not an application id" in body["message"]
    arn = onboard_customer.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    assert onboard_customer.list_executions(stateMachineArn=arn)["executions"] == []


def test_an_invalid_request_is_rejected_before_the_handler():
    assert post("app-1", {"unexpected": True})[0] == 422
