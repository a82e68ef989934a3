"""Contracts (`events:`): the typed payload of each event a service owns."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from generator.spec.base import EventName, Strict

FIELD_NAME = r"^[a-z][a-z0-9_]*$"
FieldName = Annotated[str, StringConstraints(pattern=FIELD_NAME, max_length=64)]
FieldType = Literal["string", "integer", "number", "decimal", "boolean", "datetime", "date", "object", "list"]


class FieldSpec(Strict):
    type: FieldType
    required: bool = Field(True, description="Absent or null is invalid when required.")
    items: Literal["string", "integer", "number", "decimal", "boolean", "datetime", "date", "object"] | None = Field(
        None, description="Element type, for `type: list`.")
    sensitive: bool = Field(False, description="Masked in every log line (personal or secret data).")
    description: str | None = Field(None, max_length=256)


class EventContract(Strict):
    """The payload (`detail`) of an event this service owns: published on the bus or stored."""

    version: int = Field(1, ge=1, le=1000, description="Bump on a breaking change; carried in every event.")
    description: str | None = Field(None, max_length=256)
    fields: dict[FieldName, FieldSpec] = Field(..., min_length=1)


class PublishesFragment(Strict):
    publishes: list[EventName] | None = Field(
        None, description="Events of the service's `publishes` this function may put on the bus ([] for none). "
        "Once any function of the service declares it, a function that does not may publish nothing.")
