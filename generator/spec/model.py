"""The service spec language (v1), as pydantic models: the service and its functions.

Only the *shape* and single-field ranges live in the models; rules that relate several fields,
files or services are rule classes (generator/rules/, each concern's rules.py) so that each can
point at the exact key it is about. Each concern's fragment lives in its package
(generator/concerns/<concern>/spec.py) and is composed here; registered concerns add their
function fields themselves. Every field is optional where a default exists: defaults are applied
later, in `resolve`, from the concern that owns them (so the spec says only what differs).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from generator.concerns.registry import function_fragments
from generator.spec.base import (  # re-exported: the spec language's names, see __all__
    EMAIL, ENV_NAME, EVENT_NAME, HANDLER, HTTP_ROUTE, SERVICE_NAME, TAG_KEY, WORKFLOW_REF, Email, EnvName,
    EventName, FunctionName, ServiceName, Strict, Subscription, TagKey,
)
from generator.concerns.alarms.spec import Alerts
from generator.concerns.event_store.spec import EventStoreSpec
from generator.concerns.events.spec import FIELD_NAME, EventContract, FieldSpec  # FIELD_NAME: see __all__
from generator.concerns.idempotency.spec import IdempotencySpec
from generator.concerns.queue.spec import DeadLetterSpec, QueueSpec
from generator.concerns.workflow.spec import WorkflowSpec

# Registered concerns (generator/concerns/registry.py) add their fields, e.g. `schedule:`.
class FunctionSpec(*function_fragments(), Strict):
    # 128: Lambda's limit for a Handler, and each part becomes a file name of the service's code.
    handler: Annotated[str, StringConstraints(pattern=HANDLER, max_length=128)] | None = Field(
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
    "EMAIL", "ENV_NAME", "EVENT_NAME", "FIELD_NAME", "HANDLER", "HTTP_ROUTE", "SERVICE_NAME", "TAG_KEY", "WORKFLOW_REF", "Email",
    "EnvName", "EventName", "FunctionName", "ServiceName", "Strict", "Subscription", "TagKey",
    "Alerts", "DeadLetterSpec", "EventContract", "EventStoreSpec", "FieldSpec", "FunctionSpec", "IdempotencySpec",
    "QueueSpec", "ServiceSpec", "WorkflowSpec",
]
