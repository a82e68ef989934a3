"""The event envelope, and turning a message body into a typed event.

Milestones (EventBridge) and stored events (the event store's fan-out) arrive in the same
envelope, so one parser serves both.

Validation errors are reported without the input values (`include_input=False`): an invalid
event may well carry an IBAN in the wrong field, and the error ends up in a log line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Envelope(BaseModel):
    """EventBridge's event shape: `detail-type` names the event, `detail` is its payload."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    version: str = "0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    detail_type: str = Field(alias="detail-type", min_length=1)
    time: datetime
    detail: dict[str, Any]


class InvalidEvent(Exception):
    """A message that is not a valid event of the contract it claims: reported, never retried
    into the user's code. The message names the event and what failed, never the values."""

    def __init__(self, event_type: str, problems: str) -> None:
        self.event_type = event_type
        self.problems = problems
        super().__init__(f"{event_type}: {problems}")


def describe(error: ValidationError) -> str:
    """`amount: Input should be a valid integer; posted_at: Field required` (no input values)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "(root)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def parse_envelope(raw: str | bytes | dict,
                   events: Mapping[tuple[str, str], type[BaseModel]]) -> tuple[Envelope, BaseModel]:
    """The envelope and its typed detail; `events` maps (source, detail-type) to the model.

    Keyed by source as well as type: two publishers may one day use the same event name, and a
    function must never read one publisher's event with the other's contract.
    """
    try:
        envelope = Envelope.model_validate_json(raw) if isinstance(raw, (str, bytes)) else Envelope.model_validate(raw)
    except ValidationError as exc:
        raise InvalidEvent("envelope", describe(exc)) from None  # no chained error: it holds the input
    model = events.get((envelope.source, envelope.detail_type))
    if model is None:
        accepted = ", ".join(f"{t} from {s}" for s, t in sorted(events))
        raise InvalidEvent(envelope.detail_type, f"not an event of this function (source {envelope.source}; "
                                                 f"accepted: {accepted})")
    try:
        return envelope, model.model_validate(envelope.detail)
    except ValidationError as exc:
        raise InvalidEvent(envelope.detail_type, describe(exc)) from None


def to_json(event: BaseModel) -> str:
    """An event's `detail` as JSON: integers stay numbers, datetimes ISO 8601, decimals strings
    (exact), absent optional fields left out; `schema_version` always included."""
    return json.dumps(event.model_dump(mode="json", exclude_none=True, by_alias=True), separators=(",", ":"),
                      sort_keys=True)
