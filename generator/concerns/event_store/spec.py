"""A service's `event_store:`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from generator.spec.base import EventName, Strict


class EventStoreSpec(Strict):
    """DynamoDB event store: partition key aggregate id, sort key revision."""

    events: list[EventName] = Field(..., min_length=1, description="Event types the store holds.")
    fan_out: bool = Field(True, description="Publish every stored event to the service's store topic.")


class StoreAccessFragment(Strict):
    store_access: list[Literal["read", "append"]] = Field(
        default_factory=list, description="Access to this service's event store.")
