"""Fan-out of an event store: DynamoDB stream records -> the service's SNS store topic.

Each stored event (an INSERT into the store table) is published in the same envelope
EventBridge puts around milestones (`version`, `id`, `source`, `detail-type`, `time`,
`detail`), so a handler sees one shape whatever the origin. `detail` is plain JSON: the
stream's DynamoDB-typed NewImage is converted here (EventBridge Pipes can only template the
typed form, and SNS filter policies such as `amount: [{numeric: [">=", 10000]}]` need plain
numbers), with the event's data fields next to `aggregate_id` and `revision`.

Environment: STORE_TOPIC_ARN (where to publish), EVENT_SOURCE (`<org>.<service>.store`).

Item layout of the store: aggregate_id (S), revision (N), type (S), data (M), recorded_at (S).
"""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import Binary, TypeDeserializer

_deserializer = TypeDeserializer()
_log = logging.getLogger(__name__)
_sns = None  # created on first use, so importing this module needs no AWS configuration


def handler(event: dict, context: Any = None) -> dict:
    """Publish every INSERT record, in stream order; report the first failure.

    Lambda's partial batch response for streams checkpoints at the lowest reported sequence
    number and retries from there. Publishing the records after a failed one would therefore
    only publish them twice (and out of order) on the retry, so processing stops at the first
    failure and that record alone is reported.
    """
    topic_arn = os.environ["STORE_TOPIC_ARN"]
    source = os.environ["EVENT_SOURCE"]
    for record in event.get("Records", []):
        if record.get("eventName") != "INSERT":
            continue  # the store is append-only; a MODIFY/REMOVE is not a new event
        sequence_number = record.get("dynamodb", {}).get("SequenceNumber", "")
        try:
            envelope = to_envelope(record, source)
            _client().publish(
                TopicArn=topic_arn,
                Message=json.dumps(envelope, separators=(",", ":"), sort_keys=True),
                MessageAttributes={"detail-type": {"DataType": "String",
                                                   "StringValue": envelope["detail-type"]}},
            )
        except Exception:  # noqa: BLE001 - any failure must become a retry, never a loss
            _log.exception("store event not published", extra={"sequence_number": sequence_number})
            return {"batchItemFailures": [{"itemIdentifier": sequence_number}]}
    return {"batchItemFailures": []}


def to_envelope(record: dict, source: str) -> dict:
    """The envelope for one INSERT stream record (raises on a record that is not a stored event)."""
    stream = record["dynamodb"]
    item = {key: _deserializer.deserialize(value) for key, value in stream["NewImage"].items()}
    detail = stored_detail(item)
    event_type = item["type"]
    if not isinstance(event_type, str) or not event_type:
        raise ValueError(f"stored item has no event type: {event_type!r}")
    return {
        "version": "0",
        "id": record["eventID"],
        "source": source,
        "detail-type": event_type,
        "time": item.get("recorded_at") or _iso(stream["ApproximateCreationDateTime"]),
        "detail": detail,
    }


def stored_detail(item: dict) -> dict:
    """The `detail` of a stored event (a deserialized store item): its identity and its data,
    as plain JSON. svcgen's `replay` re-sends stored events with it, so both agree."""
    detail = {"aggregate_id": _plain(item["aggregate_id"]), "revision": int(item["revision"])}
    # The store's identity fields win over a data field of the same name: subscribers filter
    # and deduplicate on them.
    detail.update((k, _plain(v)) for k, v in item.get("data", {}).items() if k not in detail)
    return detail


def _plain(value: Any) -> Any:
    """A deserialized DynamoDB value as plain JSON data."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):  # SS / NS / BS: JSON has no sets; sorted for stability
        return sorted(_plain(v) for v in value)
    if isinstance(value, (Binary, bytes, bytearray)):
        raw = value.value if isinstance(value, Binary) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    return value


def _iso(epoch_seconds: float) -> str:
    """EventBridge's `time` format (UTC, seconds) from the stream's approximate creation time."""
    return datetime.fromtimestamp(float(epoch_seconds), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _client():
    global _sns
    if _sns is None:
        _sns = boto3.client("sns")
    return _sns
