"""Tests of purge-kyc-data: created once by svcgen, then yours to extend."""

from plumbing.check_kyc import handler as check_kyc
from plumbing.purge_kyc_data import handler
from svcgen_runtime.testing import lambda_context, task_event


def test_the_partners_check_of_the_application_is_purged():
    ids = {"application_id": "app-1"}
    checked = check_kyc(task_event(ids, step="check-kyc"), lambda_context("check-kyc"))

    result = handler(task_event(ids, step="compensate-check-kyc"), lambda_context("purge-kyc-data"))

    assert result == {"purged": checked["reference"]}


def test_purging_again_is_harmless():
    event = task_event({"application_id": "app-1"})

    assert handler(event, lambda_context("purge-kyc-data")) == handler(event, lambda_context("purge-kyc-data"))
