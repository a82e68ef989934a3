"""Publishing milestones on the platform's EventBridge bus.

The generated `plumbing/publish.py` has one typed function per event that builds the model
and calls `put_event`.

Environment: EVENT_BUS_NAME (the platform bus), EVENT_SOURCE (`<org>.<service>`; IAM allows
PutEvents only with this source and the event names the function may publish).

Each function's generated entry runs under `publishes(function, events)`: while it runs,
`put_event` refuses an event the function may not publish (its spec's `publishes`, what its IAM
role allows) with `PublishNotAllowed`, before anything is sent, in tests as in Lambda. Called
outside an entry (a script, a test of your function alone) nothing is checked here; IAM still is.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel

from .clients import client
from .events import to_json

# Lambda sets this when tracing is active; passing it on lets X-Ray follow the event to its
# subscribers.
TRACE_HEADER_ENV = "_X_AMZN_TRACE_ID"


# (function, events it may publish) of the entry running now; None outside an entry.
_ALLOWED: ContextVar[tuple[str, frozenset[str]] | None] = ContextVar("svcgen_publishes", default=None)


class PublishError(Exception):
    """EventBridge accepted the request but not the event (FailedEntryCount > 0)."""


class PublishNotAllowed(Exception):
    """The running function may not publish this event: a mistake in the code or the spec, not a
    transient failure (so not a PublishError, which callers may retry)."""


def publishes(function: str, events: Iterable[str]) -> Callable:
    """Decorate a Lambda entry: while it runs, only `events` may be published."""
    allowed = frozenset(events)

    def decorate(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(event: Any, context: Any) -> Any:
            token = _ALLOWED.set((function, allowed))
            try:
                return handler(event, context)
            finally:
                _ALLOWED.reset(token)

        return run

    return decorate


def check_allowed(detail_type: str) -> None:
    """Raise PublishNotAllowed if the running entry may not publish `detail_type`."""
    scope = _ALLOWED.get()
    if scope is None or detail_type in scope[1]:
        return
    function, allowed = scope
    may = f"it may publish only {', '.join(sorted(allowed))}" if allowed else "it may publish no event"
    raise PublishNotAllowed(f"{function} may not publish {detail_type}: {may} (its IAM role allows no more); "
                            f"add {detail_type} to functions.{function}.publishes in the service's spec")


def put_event(detail_type: str, event: BaseModel) -> str:
    """Put one event on the bus; returns its EventBridge id, raises PublishError if rejected and
    PublishNotAllowed if the running function may not publish `detail_type`."""
    check_allowed(detail_type)
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
