"""A scheduled run: what EventBridge Scheduler sends a scheduled function.

Used by the entry svcgen generates for a function with a `schedule:` (svcgen's schedule
concern). The schedule's target input is `{"input": <the spec's input>, "scheduled_time": ...,
"execution_id": ..., "attempt_number": ...}`; Scheduler fills the last three in on every run.
svcgen_runtime.testing.scheduled_event builds one for tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .events import describe
from .signature import wants_context


class ScheduledRun(BaseModel):
    """One run of a schedule. `scheduled_time` is when the run was due, the same on every retry
    of it: compute the period a job covers from it (never from the clock), and use it as the
    run's idempotency key. `execution_id` identifies one attempt (the logs' correlation id)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    input: dict[str, Any] = Field(default_factory=dict)
    scheduled_time: datetime
    execution_id: str = Field(min_length=1)
    attempt_number: int = Field(1, ge=1)


class InvalidScheduledRun(Exception):
    pass


def run_scheduled(event: Any, context: Any, handle: Callable[..., Any], function: str, logger: Logger) -> Any:
    try:
        run = ScheduledRun.model_validate(event)
    except ValidationError as exc:
        problems = describe(exc)
        logger.error(f"invalid scheduled run for {function}: {problems}", extra={"problems": problems})
        raise InvalidScheduledRun(f"{function}: {problems}") from None
    logger.append_keys(scheduled_time=run.scheduled_time.isoformat(), attempt_number=run.attempt_number)
    return handle(run, context) if wants_context(handle) else handle(run)
