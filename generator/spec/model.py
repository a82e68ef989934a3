"""The service spec language (v1), as pydantic models: the service and its functions.

Only the *shape* and single-field ranges live in the models; rules that relate several fields,
files or services are rule classes (generator/rules/, each concern's rules.py) so that each can
point at the exact key it is about. Each concern's fragment lives in its package
(generator/concerns/<concern>/spec.py) and is composed here; a function's fields are the
fragments of the registered concerns. Every field is optional where a default exists: defaults are applied
later, in `resolve`, from the concern that owns them (so the spec says only what differs).
"""

from __future__ import annotations

from typing import Annotated

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


# A function is every concern's fragment of it (generator/concerns/registry.py): its own settings
# (concerns/function/spec.py), `subscribe`, `queue`, `http`, `schedule` … (no docstring: it would
# become the JSON Schema's description of every function).
class FunctionSpec(*function_fragments(), Strict):
    pass


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
