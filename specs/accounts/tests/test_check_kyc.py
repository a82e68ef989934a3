"""Tests of check-kyc: created once by svcgen, then yours to extend."""

from plumbing.check_kyc import handler
from plumbing.testing import lambda_context, task_event


def test_the_step_returns_a_small_dict():
    result = handler(task_event({"id": "id-1"}), lambda_context("check-kyc"))

    assert isinstance(result, dict)
