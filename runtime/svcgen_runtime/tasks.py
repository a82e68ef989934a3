"""Workflow task functions (a `call` step) and functions invoked directly.

A task receives what the state machine sends (svcgen's concerns/workflow/asl.py):
`{"ids": {...}, "execution": <name>, "step": <state>}`, identifiers only, and returns a small dict
that the workflow keeps under `steps.<step>`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .events import describe
from .signature import wants_context

# A workflow's state holds identifiers and small results (Step Functions caps the data passed
# between states at 256 KiB); a larger task result is a design problem, so it fails loudly here
# rather than as an opaque States.DataLimitExceeded later.
MAX_RESULT_BYTES = 32 * 1024


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    ids: dict[str, Any]
    execution: str = Field(min_length=1)  # the execution's name: a natural idempotency key
    step: str | None = None


class InvalidTaskInput(Exception):
    pass


class InvalidTaskResult(Exception):
    pass


def run_task(event: dict, context: Any, handle: Callable[..., Any], function: str, logger: Logger) -> dict:
    try:
        task = TaskInput.model_validate(event)
    except ValidationError as exc:
        problems = describe(exc)
        logger.error(f"invalid task input for {function}: {problems}", extra={"problems": problems})
        raise InvalidTaskInput(f"{function}: {problems}") from None
    logger.append_keys(step=task.step)
    result = handle(task, context) if wants_context(handle) else handle(task)
    return check_result(function, {} if result is None else result)


def check_result(function: str, result: Any) -> dict:
    if not isinstance(result, dict):
        raise InvalidTaskResult(f"{function} must return a dict (the step's result), got {type(result).__name__}")
    try:
        size = len(json.dumps(result).encode())
    except (TypeError, ValueError) as exc:
        raise InvalidTaskResult(f"{function} must return JSON data: {exc}") from None
    if size > MAX_RESULT_BYTES:
        raise InvalidTaskResult(f"{function} returned {size} bytes; a step result must stay under "
                                f"{MAX_RESULT_BYTES} (keep identifiers in the workflow, data in your store)")
    return result


def run_direct(event: Any, context: Any, handle: Callable[..., Any]) -> Any:
    """A function with no trigger svcgen knows about: the event as it comes."""
    return handle(event, context) if wants_context(handle) else handle(event)
