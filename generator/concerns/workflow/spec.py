"""Workflow steps: a short declarative list that svcgen turns into Step Functions ASL.

A step is a mapping with exactly one of `call`, `pause` or `choose`; the key names the kind, so
a typo gets one clear error instead of three alternatives' worth.
"""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Discriminator, Field, StringConstraints, Tag

from generator.spec.base import SERVICE_NAME, WORKFLOW_REF, FunctionName, Strict, Subscription

# "90s", "30m", "12h", "3d" or a number of seconds.
DURATION = r"^[1-9][0-9]*[smhd]$"
Duration = Annotated[str, StringConstraints(pattern=DURATION)] | Annotated[int, Field(ge=1)]
StepName = Annotated[str, StringConstraints(pattern=SERVICE_NAME, min_length=2, max_length=40)]
# A field of the workflow's state, e.g. `decision` or `review.decision`.
FIELD = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"


class CallStep(Strict):
    call: FunctionName = Field(..., description="A function of this service.")
    timeout: int | None = Field(None, ge=1, le=900, description="TimeoutSeconds; default: the function's timeout.")
    compensate: FunctionName | None = Field(None, description="Function that undoes this step (saga).")


class PauseStep(Strict):
    pause: StepName = Field(..., description="Name of the human decision, e.g. compliance-review.")
    timeout: Duration = Field(..., description="How long the execution waits for the decision.")
    heartbeat: Duration | None = Field(None, description="Reviewer tooling must heartbeat this often.")
    reviewer: FunctionName | None = Field(
        None, description="Function allowed to send the decision (SendTaskSuccess/Failure).")


class ChooseStep(Strict):
    choose: StepName = Field(..., description="Name of the decision point.")
    field: Annotated[str, StringConstraints(pattern=FIELD)] = Field(..., description="State field to branch on.")
    when: dict[str, list["Step"]] = Field(..., min_length=1, description="Value of the field -> steps.")
    otherwise: list["Step"] | None = Field(None, description="Steps when no value matches; default: fail.")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in ("call", "pause", "choose"):
            if kind in value:
                return kind
    return None


Step = Annotated[
    Union[Annotated[CallStep, Tag("call")], Annotated[PauseStep, Tag("pause")], Annotated[ChooseStep, Tag("choose")]],
    Discriminator(_step_kind, custom_error_type="step_kind",
                  custom_error_message="a step must be a mapping with one of `call`, `pause` or `choose`"),
]
ChooseStep.model_rebuild()


class WorkflowSpec(Strict):
    description: str | None = Field(None, max_length=256)
    max_concurrent_executions: int | None = Field(
        None, ge=1, le=1000, description="Never more executions at once (protects rate-limited partners).")
    timeout: Duration | None = Field(None, description="Whole execution; default 7d.")
    started_by: list[Subscription] = Field(
        default_factory=list, description="Milestone events that start it (through a queue).")
    ids: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]] = Field(
        default_factory=list,
        description="Identifier fields copied from a starting event into the execution; nothing else is.")
    steps: list[Step] = Field(..., min_length=1)


class StartsFragment(Strict):
    starts: list[Annotated[str, StringConstraints(pattern=WORKFLOW_REF)]] = Field(
        default_factory=list, description="Workflows it may start: `name` or `service.name`.")
