"""Workflows of a service, resolved: names, durations in seconds, the queue that event-started
workflows read from. The ASL itself is built by components/workflow_asl.py from these values."""

from __future__ import annotations

from dataclasses import dataclass

from generator.naming import Names, logical
from generator.spec.model import QueueSpec, ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.stages import Stage

# A business process that has not finished in a week is stuck; Step Functions' own limit is a
# year, far too long to notice (Step Functions best practices: always set TimeoutSeconds).
WORKFLOW_TIMEOUT_SECONDS = 7 * 86400
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A start message is handled in seconds (StartExecution); the queue's visibility is computed
# from this as for any consumer.
STARTER_TIMEOUT_SECONDS = 10


def seconds(duration: str | int) -> int:
    if isinstance(duration, int):
        return duration
    return int(duration[:-1]) * UNIT_SECONDS[duration[-1]]


@dataclass(frozen=True)
class ResolvedWorkflow:
    key: str
    logical_id: str
    name: str
    role_name: str
    log_group_name: str
    description: str
    timeout_seconds: int
    max_concurrent: int | None
    semaphore_table: str | None
    steps: tuple  # CallStep | PauseStep | ChooseStep (spec models; immutable)
    started_by: tuple  # ResolvedSubscription, kind "bus"
    start_queue: object | None  # ResolvedQueue for event-started workflows
    start_pipe_name: str | None


def resolve_workflows(names: Names, platform: PlatformSpec, stage: Stage, spec: ServiceSpec) -> tuple:
    from generator.resolve import resolve_queue, resolve_subscription

    result = []
    for key, wf in spec.workflows.items():
        name = names.physical("state_machine", key)
        starter_key = f"{key}-start"
        started_by = tuple(resolve_subscription(names, platform, stage, spec.service, starter_key, sub)
                           for sub in wf.started_by)
        result.append(ResolvedWorkflow(
            key=key,
            logical_id=logical(key, "state-machine"),
            name=name,
            role_name=names.role(key),
            log_group_name=f"/aws/vendedlogs/states/{name}",
            description=wf.description or f"{spec.service} workflow {key}",
            timeout_seconds=seconds(wf.timeout) if wf.timeout else WORKFLOW_TIMEOUT_SECONDS,
            max_concurrent=wf.max_concurrent_executions,
            semaphore_table=names.physical("table", "semaphores") if wf.max_concurrent_executions else None,
            steps=tuple(wf.steps),
            started_by=started_by,
            start_queue=resolve_queue(names, platform, starter_key, QueueSpec(), STARTER_TIMEOUT_SECONDS)
            if started_by else None,
            start_pipe_name=names.physical("pipe", starter_key) if started_by else None,
        ))
    return tuple(result)
