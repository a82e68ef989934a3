"""The publishing guard, the event store's number handling, scheduled runs, workflow decisions:
what the runtime does on its own, without a generated service around it."""

from __future__ import annotations

import io
import json
import logging
import uuid
from decimal import Decimal

import pytest
from aws_lambda_powertools import Logger

from svcgen_runtime import clients, publishing, workflows
from svcgen_runtime.event_store import _plain, _to_dynamodb
from svcgen_runtime.schedule import InvalidScheduledRun, run_scheduled
from svcgen_runtime.testing import lambda_context, scheduled_event


def test_the_publish_check_applies_only_inside_a_decorated_entry():
    seen = []

    @publishing.publishes("close", ["AccountClosed"])
    def entry(event, context):
        publishing.check_allowed("AccountClosed")
        seen.append(event)
        publishing.check_allowed(event)
        return "done"

    assert entry("AccountClosed", None) == "done"
    with pytest.raises(publishing.PublishNotAllowed, match=r"^close may not publish AccountOpened: it may "
                                                           r"publish only AccountClosed \(its IAM role"):
        entry("AccountOpened", None)
    publishing.check_allowed("AccountOpened")  # outside any entry: nothing is known, nothing checked
    assert not issubclass(publishing.PublishNotAllowed, publishing.PublishError)  # never retried as transient


def test_decimals_stay_exact_through_the_store():
    assert _to_dynamodb({"a": 1.1, "b": [2.5], "c": "12.30"}) == {"a": Decimal("1.1"), "b": [Decimal("2.5")],
                                                                   "c": "12.30"}
    assert _plain({"n": Decimal("3"), "f": Decimal("1.5")}) == {"n": 3, "f": Decimal("1.5")}


def _logger() -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    return Logger(service=f"test-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(stream)), stream


def test_a_scheduled_run_reaches_the_function_typed_and_a_run_without_its_due_time_does_not():
    logger, stream = _logger()
    runs = []
    event = scheduled_event({"report": "daily"}, scheduled_time="2026-03-01T06:00:00Z", attempt_number=3)
    run_scheduled(event, None, runs.append, "report", logger)
    (run,) = runs
    assert run.input == {"report": "daily"} and run.scheduled_time.isoformat() == "2026-03-01T06:00:00+00:00"
    with pytest.raises(InvalidScheduledRun, match="^report: scheduled_time: Field required"):
        run_scheduled({"input": {}, "execution_id": "e-1"}, None, runs.append, "report", logger)
    assert len(runs) == 1 and "invalid scheduled run for report" in stream.getvalue()
    # A function that takes the context gets it.
    run_scheduled(event, lambda_context("report"), lambda r, context: runs.append(context.function_name),
                  "report", logger)
    assert runs[-1] == "report"


def test_decisions_resume_a_paused_execution_with_the_review(monkeypatch):
    sent = []

    class Recording:
        def send_task_success(self, **kwargs):
            sent.append(("success", kwargs))

        def send_task_failure(self, **kwargs):
            sent.append(("failure", kwargs))

    monkeypatch.setitem(clients._clients, "stepfunctions", Recording())
    workflows.approve("token-1", reviewer="alice")
    workflows.reject("token-2", "documents unreadable")
    workflows.fail("token-3", "ReviewImpossible", "the applicant withdrew")
    assert [json.loads(args["output"]) for kind, args in sent if kind == "success"] == [
        {"decision": workflows.APPROVED, "reviewer": "alice"},
        {"decision": workflows.REJECTED, "reason": "documents unreadable"}]
    assert sent[2] == ("failure", {"taskToken": "token-3", "error": "ReviewImpossible",
                                   "cause": "the applicant withdrew"})
    with pytest.raises(TypeError, match="the decision is given by approve"):
        workflows.approve("token-4", decision="rejected")
