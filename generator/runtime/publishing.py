"""Publishing milestones on the platform's EventBridge bus.

Copied verbatim into each service's `plumbing/runtime/` by svcgen; the generated
`plumbing/publish.py` has one typed function per event that builds the model and calls `put_event`.

Environment: EVENT_BUS_NAME (the platform bus), EVENT_SOURCE (`<org>.<service>`; IAM allows
PutEvents only with this source and the service's declared event names).
"""

from __future__ import annotations

import os

from pydantic import BaseModel

from .clients import client
from .events import to_json

# Lambda sets this when tracing is active; passing it on lets X-Ray follow the event to its
# subscribers.
TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"


class PublishError(Exception):
    """EventBridge accepted the request but not the event (FailedEntryCount > 0)."""


def put_event(detail_type: str, event: BaseModel) -> str:
    """Put one event on the bus; returns its EventBridge id, raises PublishError if rejected."""
    entry = {
        "Source": os.environ["EVENT_SOURCE"],
        "DetailType": detail_type,
        "EventBusName": os.environ["EVENT_BUS_NAME"],
        "Detail": to_json(event),
    }
    trace_header = os.environ.get(TRACE_HEADER_ENV)
    if trace_header:
        entry["TraceHeader"] = trace_header
    response = client("events").put_events(Entries=[entry])
    result = (response.get("Entries") or [{}])[0]
    if response.get("FailedEntryCount", 0) > 0 or "EventId" not in result:
        raise PublishError(f"{detail_type} was not published to {entry['EventBusName']}: "
                           f"{result.get('ErrorCode', 'unknown error')}: {result.get('ErrorMessage', '')}".rstrip(": "))
    return result["EventId"]
