"""Building blocks shared by the spec models: name rules, the strict base model, subscriptions.

Their own module so that `model.py` (services) and `workflow_model.py` (workflows, which also
subscribe) can both import them without importing each other.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# kebab-case, starting with a letter: it becomes part of every physical name.
SERVICE_NAME = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
# PascalCase milestone names, as they appear in EventBridge `detail-type`.
EVENT_NAME = r"^[A-Z][A-Za-z0-9]*$"
# Lambda's own rule for environment variable names.
ENV_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
# module.path.function inside the service's code directory.
HANDLER = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
TAG_KEY = r"^[A-Za-z0-9 _.:/=+\-@]{1,128}$"
# `GET /accounts/{id}/balance`: an HTTP API route key.
HTTP_ROUTE = r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY) (/[A-Za-z0-9._~{}+-]*)+$"
# A workflow of this service (`settle-wire`) or of another (`payments.settle-wire`).
WORKFLOW_REF = r"^([a-z][a-z0-9]*(-[a-z0-9]+)*\.)?[a-z][a-z0-9]*(-[a-z0-9]+)*$"

ServiceName = Annotated[str, StringConstraints(pattern=SERVICE_NAME, min_length=2, max_length=32)]
FunctionName = Annotated[str, StringConstraints(pattern=SERVICE_NAME, min_length=2, max_length=40)]
EventName = Annotated[str, StringConstraints(pattern=EVENT_NAME, min_length=2, max_length=64)]
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME, max_length=128)]
Email = Annotated[str, StringConstraints(pattern=EMAIL, max_length=254)]
TagKey = Annotated[str, StringConstraints(pattern=TAG_KEY)]


class Strict(BaseModel):
    """Unknown keys are errors (typos must not be silently ignored); no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=False, frozen=True)



class Subscription(Strict):
    """A milestone on the shared bus (`event` + `from`), or an event of an event store (`store`,
    this service's own unless `from` names another service). Exactly one of `event`/`store`:
    checked by rule SVC1201 so the error points at the entry."""

    event: EventName | None = Field(None, description="Milestone (EventBridge detail-type).")
    store: EventName | None = Field(None, description="Event type of an event store's fan-out topic.")
    from_: ServiceName | None = Field(None, alias="from", description="The publishing service.")
    filter: dict[str, Any] | None = Field(
        None, description="Content filter: on the event's `detail` (bus) or the stored event (store)."
    )
