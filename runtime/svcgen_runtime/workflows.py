"""Starting workflows, and a reviewer's decision on a paused one.

The generated `plumbing/workflow.py` binds one `start_<workflow>` per workflow a function `starts:`.

A pause sends its task token to the pause's review queue (with `ids`, `execution` and `step`);
the reviewer resumes the execution with the decision, which lands in the state's `review`, where
the workflow's `choose` reads `review.decision`. A rejection is a decision (SendTaskSuccess), not
a failure: the workflow chooses what a rejection means. `fail` is for "no decision possible"
(SendTaskFailure): the workflow compensates and fails.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .clients import client

APPROVED, REJECTED = "approved", "rejected"


def start_execution(arn_env: str, ids: dict[str, Any], name: str | None = None) -> str:
    """Start the state machine whose ARN is in env `arn_env` with `{"ids": ids}`; returns the
    execution ARN. A `name` (at most 80 of A-Z a-z 0-9 - _) makes the start idempotent: Step
    Functions refuses a second execution of the same name (ExecutionAlreadyExists)."""
    request = {"stateMachineArn": os.environ[arn_env],
               "input": json.dumps({"ids": ids}, separators=(",", ":"), sort_keys=True)}
    if name is not None:
        request["name"] = name
    return client("stepfunctions").start_execution(**request)["executionArn"]


def approve(task_token: str, **details: Any) -> None:
    """Resume the paused execution with `{"decision": "approved", **details}`."""
    _decide(task_token, APPROVED, details)


def reject(task_token: str, reason: str, **details: Any) -> None:
    """Resume the paused execution with `{"decision": "rejected", "reason": reason, **details}`."""
    _decide(task_token, REJECTED, {"reason": reason, **details})


def fail(task_token: str, error: str, cause: str = "") -> None:
    """No decision can be made: the execution compensates and fails (SendTaskFailure)."""
    client("stepfunctions").send_task_failure(taskToken=task_token, error=error[:256], cause=cause[:32768])


def heartbeat(task_token: str) -> None:
    """Still reviewing: a pause with `heartbeat:` times out without one."""
    client("stepfunctions").send_task_heartbeat(taskToken=task_token)


def _decide(task_token: str, decision: str, details: dict[str, Any]) -> None:
    if "decision" in details:
        raise TypeError("the decision is given by approve()/reject(), not as a detail")
    output = json.dumps({"decision": decision, **details}, separators=(",", ":"), sort_keys=True)
    client("stepfunctions").send_task_success(taskToken=task_token, output=output)
