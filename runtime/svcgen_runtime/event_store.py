"""The client of a service's event store (DynamoDB): append with optimistic concurrency, load.

The generated `plumbing/store.py` binds it to the service's stored event types.

Item layout (the same that store_publisher.py reads and svcgen's concerns/event_store/render.py
grants): aggregate_id (S), revision (N), type (S), data (M), recorded_at (S, ISO 8601 UTC).
Revisions of an aggregate are 1, 2, 3, …; an append writes revision `expected_revision + 1`
only if nobody wrote it first, so two writers that loaded the same state cannot both win.

Environment: EVENT_STORE_TABLE.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from .clients import client
from .events import describe

TABLE_ENV = "EVENT_STORE_TABLE"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConcurrencyConflict(Exception):
    """Another writer appended to the aggregate since it was loaded: load again, decide again."""


class StoredEventError(Exception):
    """A stored item that is not a valid event of this service's contracts."""


@dataclass(frozen=True)
class StoredEvent:
    aggregate_id: str
    revision: int
    type: str
    recorded_at: str
    event: BaseModel


class EventStore:
    def __init__(self, events: Mapping[str, type[BaseModel]]) -> None:
        self.events = dict(events)  # event type -> model
        self.types = {model: name for name, model in self.events.items()}

    def append(self, aggregate_id: str, expected_revision: int, event: BaseModel) -> int:
        """Store `event` as revision `expected_revision + 1` of `aggregate_id`; returns that
        revision. `expected_revision` is the last revision the caller loaded (0: none yet)."""
        event_type = self.types.get(type(event))
        if event_type is None:
            raise TypeError(f"{type(event).__name__} is not an event of this store "
                            f"({', '.join(sorted(self.events))})")
        if isinstance(expected_revision, bool) or not isinstance(expected_revision, int) or expected_revision < 0:
            raise ValueError(f"expected_revision must be an integer >= 0, got {expected_revision!r}")
        revision = expected_revision + 1
        item = {
            "aggregate_id": aggregate_id,
            "revision": revision,
            "type": event_type,
            "data": _to_dynamodb(json.loads(event.model_dump_json(exclude_none=True, by_alias=True))),
            "recorded_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        try:
            client("dynamodb").put_item(
                TableName=os.environ[TABLE_ENV],
                Item={k: _serializer.serialize(v) for k, v in item.items()},
                ConditionExpression="attribute_not_exists(#revision)",
                ExpressionAttributeNames={"#revision": "revision"},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise ConcurrencyConflict(f"{aggregate_id}: revision {revision} was already written by another "
                                          f"writer; load the aggregate again and retry") from None
            raise
        return revision

    def load(self, aggregate_id: str) -> list[StoredEvent]:
        """Every event of `aggregate_id`, in revision order (a consistent read: an append just
        made is always seen, so the next append's expected revision is right)."""
        paginator = client("dynamodb").get_paginator("query")
        pages = paginator.paginate(
            TableName=os.environ[TABLE_ENV],
            KeyConditionExpression="#id = :id",
            ExpressionAttributeNames={"#id": "aggregate_id"},
            ExpressionAttributeValues={":id": {"S": aggregate_id}},
            ConsistentRead=True,
            ScanIndexForward=True,
        )
        return [self._event(item) for page in pages for item in page.get("Items", [])]

    def _event(self, raw: dict) -> StoredEvent:
        item = {k: _plain(_deserializer.deserialize(v)) for k, v in raw.items()}
        where = f"{item.get('aggregate_id')}@{item.get('revision')}"
        model = self.events.get(item.get("type"))
        if model is None:
            raise StoredEventError(f"{where}: unknown event type {item.get('type')!r}")
        try:
            event = model.model_validate(item.get("data", {}))
        except ValidationError as exc:
            raise StoredEventError(f"{where} ({item['type']}): {describe(exc)}") from None
        return StoredEvent(item["aggregate_id"], item["revision"], item["type"], item.get("recorded_at", ""), event)


def revision_of(events: list[StoredEvent]) -> int:
    """The revision to pass to the next append after loading `events`."""
    return events[-1].revision if events else 0


def _to_dynamodb(value: Any) -> Any:
    """JSON data as DynamoDB accepts it: boto3 refuses floats (inexact), so they become Decimal."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _to_dynamodb(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_dynamodb(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: whole ones become int (strict integer fields
    accept only int), the others stay Decimal (exact for decimal fields, accepted by number)."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
