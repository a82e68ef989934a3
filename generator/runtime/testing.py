"""Test helpers for the service's own tests: Lambda events and a fake Lambda context.

Copied verbatim into each service's `plumbing/runtime/` by svcgen. The event shapes are those
AWS documents for SQS batches, API Gateway HTTP APIs (payload 2.0) and the state machine's task
payload (concerns/workflow/asl.py), so a test invokes the real generated handler.
"""

from __future__ import annotations

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
