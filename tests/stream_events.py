"""DynamoDB stream events as Lambda delivers them to the store publisher, for unit and e2e tests.

Records follow the Lambda event for DynamoDB Streams (eventID, eventName, eventVersion,
eventSource, awsRegion, dynamodb{ApproximateCreationDateTime (epoch seconds), Keys, NewImage,
SequenceNumber, SizeBytes, StreamViewType}, eventSourceARN), with images in DynamoDB's typed
JSON, built with boto3's TypeSerializer from the store's item layout.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeSerializer

REGION = "eu-west-1"
STREAM_ARN = ("arn:aws:dynamodb:eu-west-1:123456789012:table/acme-dev-ledger-events/stream/"
              "2025-01-01T00:00:00.000")
CREATED = 1735732800.0  # 2025-01-01T12:00:00Z

_serializer = TypeSerializer()


def typed(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items()}


def stored_item(aggregate_id: str, revision: int, event_type: str, data: dict,
                recorded_at: str | None = "2025-01-01T12:00:00Z") -> dict[str, Any]:
    """One event as the store keeps it (numbers as int: TypeSerializer rejects float)."""
    item = {"aggregate_id": aggregate_id, "revision": revision, "type": event_type, "data": data}
    if recorded_at is not None:
        item["recorded_at"] = recorded_at
    return item


def record(sequence_number: str, item: dict[str, Any] | None, event_name: str = "INSERT",
           new_image: dict | None = None) -> dict[str, Any]:
    """A stream record for `item` (or for a raw typed `new_image`, to build malformed ones)."""
    image = new_image if new_image is not None else typed(item or {})
    keys = {k: image[k] for k in ("aggregate_id", "revision") if k in image}
    return {
        "eventID": f"evt-{sequence_number}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {
            "ApproximateCreationDateTime": CREATED,
            "Keys": keys,
            "NewImage": image,
            "SequenceNumber": sequence_number,
            "SizeBytes": 200,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": STREAM_ARN,
    }


def stream_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
