"""Test helpers for a service's own tests: Lambda events, a fake Lambda context, the test
environment, and sample events from the contracts.

Plain functions, imported by the tests svcgen creates (`from svcgen_runtime.testing import
sqs_event`); the pytest plugin (pytest_plugin.py) adds the fixtures. The event shapes are those
AWS documents for SQS batches, API Gateway HTTP APIs (payload 2.0), EventBridge Scheduler's
target input and the state machine's task payload (svcgen's concerns/workflow/asl.py), so a test
invokes the real generated handler. What is specific to a service (its environment, the samples
of the events it subscribes to) is generated into its tests/svcgen_support.py, which builds on
`ContractSamples` and `use_environment` here.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:test-function"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 60_000


def lambda_context(function_name: str = "test-function") -> FakeLambdaContext:
    return FakeLambdaContext(
        function_name=function_name,
        invoked_function_arn=f"arn:aws:lambda:eu-west-1:123456789012:function:{function_name}",
        log_group_name=f"/aws/lambda/{function_name}",
    )


def use_environment(values: Mapping[str, str]) -> None:
    """Set what the deployed function would find in its environment; never real credentials,
    so a test that forgets to mock AWS fails instead of touching an account."""
    for key, value in values.items():
        os.environ.setdefault(key, value)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ[key] = "testing"
    os.environ.pop("AWS_PROFILE", None)


def envelope(source: str, detail_type: str, detail: Mapping[str, Any], event_id: str = "") -> dict:
    """An event as EventBridge (or the event store's fan-out) delivers it."""
    return {
        "version": "0",
        "id": event_id or f"evt-{detail_type}",
        "source": source,
        "detail-type": detail_type,
        "time": "2024-01-01T00:00:00Z",
        "account": "123456789012",
        "region": "eu-west-1",
        "resources": [],
        "detail": dict(detail),
    }


def sqs_record(body: str | Mapping[str, Any], message_id: str, message_group: str | None = None) -> dict:
    """One SQS record; a mapping body is sent as JSON, as EventBridge and SNS (raw) deliver it."""
    text = body if isinstance(body, str) else json.dumps(body)
    attributes = {"ApproximateReceiveCount": "1", "SentTimestamp": "1704067200000",
                  "SenderId": "AIDAEXAMPLE", "ApproximateFirstReceiveTimestamp": "1704067200001"}
    if message_group is not None:
        attributes.update(MessageGroupId=message_group, MessageDeduplicationId=message_id,
                          SequenceNumber=str(int(hashlib.sha256(message_id.encode()).hexdigest()[:12], 16)))
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": text,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(text.encode()).hexdigest(),  # SQS's own checksum, not security
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:test-queue",
        "awsRegion": "eu-west-1",
    }


def sqs_event(records: list[dict]) -> dict:
    return {"Records": list(records)}


def http_event(method: str, route: str, path_parameters: Mapping[str, str] | None = None,
               body: Any = None) -> dict:
    """An API Gateway HTTP API (payload 2.0) request for `route` (`/accounts/{id}/balance`)."""
    path = route
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    text = None if body is None else (body if isinstance(body, str) else json.dumps(body))
    return {
        "version": "2.0",
        "routeKey": f"{method} {route}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                     "userAgent": "test"},
            "requestId": "request-1", "routeKey": f"{method} {route}", "stage": "$default",
            "time": "01/Jan/2024:00:00:00 +0000", "timeEpoch": 1704067200000,
        },
        "pathParameters": dict(path_parameters or {}),
        "body": text,
        "isBase64Encoded": False,
    }


def task_event(ids: Mapping[str, Any], execution: str = "test-execution", step: str = "test-step") -> dict:
    """What a workflow's `call` step sends its function."""
    return {"ids": dict(ids), "execution": execution, "step": step}


def scheduled_event(input: Mapping[str, Any] | None = None, scheduled_time: str = "2026-01-01T08:00:00Z",
                    execution_id: str = "test-execution", attempt_number: int = 1) -> dict[str, Any]:
    """The target input EventBridge Scheduler sends a scheduled function (schedule.py reads it);
    Scheduler sends the attempt number as a string."""
    return {"input": dict(input or {}), "scheduled_time": scheduled_time, "execution_id": execution_id,
            "attempt_number": str(attempt_number)}


class ContractSamples:
    """Sample events of the events a service subscribes to, keyed by (source, detail-type): a
    valid `detail` with every field filled, and for each the field (and a value of the wrong
    type for it) that makes an invalid one. svcgen builds both from the contracts into the
    service's tests/svcgen_support.py."""

    def __init__(self, valid: Mapping[tuple[str, str], Mapping[str, Any]],
                 invalid: Mapping[tuple[str, str], tuple[str, Any]]) -> None:
        self._valid = dict(valid)
        self._invalid = dict(invalid)

    def events(self) -> list[tuple[str, str]]:
        return sorted(self._valid)

    def detail(self, source: str, detail_type: str) -> dict[str, Any]:
        """A valid `detail` (a copy: a test may change it). KeyError: no sample of that event."""
        return copy.deepcopy(dict(self._valid[(source, detail_type)]))

    def envelope(self, source: str, detail_type: str, event_id: str = "") -> dict:
        return envelope(source, detail_type, self.detail(source, detail_type), event_id)

    def invalid_envelope(self, source: str, detail_type: str, event_id: str = "") -> dict:
        """A well-formed envelope whose detail breaks the contract (one field of the wrong type)."""
        detail = self.detail(source, detail_type)
        field, wrong = self._invalid[(source, detail_type)]
        detail[field] = copy.deepcopy(wrong)
        return envelope(source, detail_type, detail, event_id)
