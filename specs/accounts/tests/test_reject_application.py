"""Tests of reject-application: created once by svcgen, then yours to extend."""

from plumbing.reject_application import handler
from svcgen_runtime.testing import lambda_context, task_event


def test_the_rejection_is_announced(bus):
    result = handler(task_event({"application_id": "app-1"}, step="reject-application"),
                     lambda_context("reject-application"))

    [published] = bus.received()
    assert result == {"event_id": published["id"]}
    assert (published["source"], published["detail-type"]) == ("acme.accounts", "ApplicationRejected")
    assert published["detail"] == {"application_id": "app-1", "reason": "rejected in compliance review",
                                   "schema_version": 1}
