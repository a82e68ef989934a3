"""The service spec language (v1), as pydantic models.

Only the *shape* and single-field ranges live here; rules that relate several fields, files or
services live in `spec/rules.py` so that each can point at the exact key it is about. Every field
is optional where a default exists: defaults are applied later, in `resolve`, from the
component that owns them (so the spec says only what differs).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from generator.concerns.registry import function_fragments
from generator.spec.base import (  # re-exported: the spec language's names, see __all__
    EMAIL, ENV_NAME, EVENT_NAME, HANDLER, HTTP_ROUTE, SERVICE_NAME, TAG_KEY, WORKFLOW_REF, Email, EnvName,
    EventName, FunctionName, ServiceName, Strict, Subscription, TagKey,
)
from generator.concerns.workflow.spec import WorkflowSpec

class DeadLetterSpec(Strict):
    fifo: bool | None = Field(None, description="Must match the source queue; defaults to it.")
    retention_days: int | None = Field(None, ge=1, le=14, description="Days a failed message is kept (SQS max 14).")


class QueueSpec(Strict):
    """The SQS queue in front of a subscribing function."""

    fifo: bool = Field(False, description="FIFO queue; only when asked for, never the default.")
    batch_size: int | None = Field(None, ge=1, le=10000, description="Records per invocation (FIFO: at most 10).")
    batching_window: int | None = Field(None, ge=0, le=300, description="Seconds to gather a batch.")
    max_concurrency: int | None = Field(
        None, ge=2, le=1000, description="ScalingConfig.MaximumConcurrency: caps concurrent consumers."
    )
    max_receive_count: int | None = Field(
        None, ge=2, le=1000, description="Receives before a message moves to the DLQ (never 1)."
    )
    retention_days: int | None = Field(None, ge=1, le=13, description="Days a message is kept (must stay below the DLQ's).")
    message_group: str | None = Field(
        None, min_length=1, max_length=100, description="FIFO only: MessageGroupId EventBridge sets on delivery."
    )
    dlq: DeadLetterSpec | None = None


class IdempotencySpec(Strict):
    """Process each business event once, even when SQS or EventBridge deliver it twice."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        ..., description="A required field of every consumed event that identifies it (not the message id).")


# Registered concerns (generator/concerns/registry.py) add their fields, e.g. `schedule:`.
class FunctionSpec(*function_fragments(), Strict):
    handler: Annotated[str, StringConstraints(pattern=HANDLER)] | None = Field(
        None, description="Your business function, module.function; default handlers.<function_name>.handle"
    )
    description: str | None = Field(None, max_length=256)
    timeout: int | None = Field(None, ge=1, le=900, description="Seconds.")
    memory: int | None = Field(None, ge=128, le=10240, description="MB.")
    environment: dict[EnvName, str] = Field(default_factory=dict)
    reserved_concurrency: int | None = Field(
        None, ge=1, le=10000, description="Dropped in ephemeral stages."
    )
    subscribe: list[Subscription] = Field(default_factory=list)
    queue: QueueSpec | None = Field(None, description="Only for functions that subscribe.")
    store_access: list[Literal["read", "append"]] = Field(
        default_factory=list, description="Access to this service's event store.")
    starts: list[Annotated[str, StringConstraints(pattern=WORKFLOW_REF)]] = Field(
        default_factory=list, description="Workflows it may start: `name` or `service.name`.")
    http: Annotated[str, StringConstraints(pattern=HTTP_ROUTE)] | None = Field(
        None, description="HTTP API route, e.g. `GET /accounts/{id}`.")
    idempotency: IdempotencySpec | None = Field(None, description="Opt-in: skip duplicates of the same event.")
    publishes: list[EventName] | None = Field(
        None, description="Events of the service's `publishes` this function may put on the bus ([] for none). "
        "Once any function of the service declares it, a function that does not may publish nothing.")


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


class EventStoreSpec(Strict):
    """DynamoDB event store: partition key aggregate id, sort key revision."""

    events: list[EventName] = Field(..., min_length=1, description="Event types the store holds.")
    fan_out: bool = Field(True, description="Publish every stored event to the service's store topic.")


class Alerts(Strict):
    email: list[Email] = Field(default_factory=list)


class ServiceSpec(Strict):
    service: ServiceName
    owner: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    description: str = Field(..., min_length=1, max_length=256)
    runtime: str | None = Field(None, description="Defaults to the platform's default runtime.")
    tags: dict[TagKey, Annotated[str, StringConstraints(max_length=256)]] = Field(default_factory=dict)
    publishes: list[EventName] = Field(default_factory=list)
    events: dict[EventName, EventContract] = Field(
        default_factory=dict, description="Contracts of the events this service publishes or stores.")
    event_store: EventStoreSpec | None = None
    functions: dict[FunctionName, FunctionSpec] = Field(..., min_length=1)
    workflows: dict[FunctionName, WorkflowSpec] = Field(default_factory=dict)
    alerts: Alerts = Field(default_factory=Alerts)


__all__ = [
    "EMAIL", "ENV_NAME", "EVENT_NAME", "HANDLER", "HTTP_ROUTE", "SERVICE_NAME", "TAG_KEY", "WORKFLOW_REF", "Email",
    "EnvName", "EventName", "FunctionName", "ServiceName", "Strict", "Subscription", "TagKey",
    "Alerts", "DeadLetterSpec", "EventContract", "EventStoreSpec", "FieldSpec", "FunctionSpec", "IdempotencySpec",
    "QueueSpec", "ServiceSpec", "WorkflowSpec",
]
