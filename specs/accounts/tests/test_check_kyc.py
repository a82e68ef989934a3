"""Tests of check-kyc: created once by svcgen, then yours to extend."""

import pytest
from plumbing.check_kyc import handler
from svcgen_runtime.testing import lambda_context, task_event


def check(application_id):
    return handler(task_event({"application_id": application_id}, step="check-kyc"), lambda_context("check-kyc"))


def test_an_ordinary_application_is_clear():
    result = check("app-1")

    assert result == {"reference": result["reference"], "verdict": "clear", "risk": "low"}
    assert result["reference"].startswith("kyc-")


def test_the_partner_sandbox_refers_an_application_id_ending_in_refer():
    assert check("app-2-refer")["verdict"] == "refer"
    assert check("app-2-refer")["risk"] == "high"


def test_the_verdict_depends_on_the_application_id_alone():
    assert check("app-1") == check("app-1")  # a retried step gets the same answer
    assert check("app-1")["reference"] != check("app-3")["reference"]


def test_a_task_without_the_application_id_fails_the_step():
    with pytest.raises(KeyError):
        handler(task_event({"id": "id-1"}), lambda_context("check-kyc"))
