"""Workflows of a service, resolved: names, durations in seconds, the queue that event-started
workflows read from, one review queue per pause, and the service's semaphore resources. The ASL
itself is built by concerns/workflow/asl.py from these values."""

from __future__ import annotations

from dataclasses import dataclass

from generator.concerns.function import defaults as function_defaults
from generator.concerns.queue import defaults as queue_defaults
from generator.concerns.workflow import defaults
from generator.concerns.queue.resolve import resolve_queue
from generator.concerns.subscription.resolve import resolve_subscription
from generator.naming import Names, logical
from generator.concerns.queue.spec import QueueSpec
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.concerns.workflow.spec import ChooseStep, PauseStep
from generator.stages import Stage

# A business process that has not finished in a week is stuck; Step Functions' own limit is a
# year, far too long to notice (Step Functions best practices: always set TimeoutSeconds).
WORKFLOW_TIMEOUT_SECONDS = 7 * 86400
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DAY = 86400
# A start message is handled in seconds (StartExecution); the queue's visibility is computed
# from this as for any consumer.
STARTER_TIMEOUT_SECONDS = 10


def seconds(duration: str | int) -> int:
    if isinstance(duration, int):
        return duration
    return int(duration[:-1]) * UNIT_SECONDS[duration[-1]]


@dataclass(frozen=True)
class ResolvedPause:
    """A `pause` step: its review queue (the task token travels in its messages) and limits."""

    step: str  # the pause's name, e.g. compliance-review
    path: tuple  # spec path below the workflow, e.g. ("steps", 1)
    key: str  # `<workflow>-<pause>`: names the queue and its outputs
    queue: object  # ResolvedQueue
    reviewer: str | None  # function allowed to send the decision
    timeout_seconds: int
    heartbeat_seconds: int


@dataclass(frozen=True)
class ResolvedSemaphore:
    """One per service, shared by its workflows with `max_concurrent_executions`: the lock table
    and the cleanup that releases slots of executions that ended without releasing them."""

    table_name: str
    cleanup_name: str  # EXPRESS state machine
    cleanup_role_name: str
    cleanup_log_group_name: str
    rule_name: str  # on the default bus: Step Functions status changes go there
    rule_role_name: str
    dlq_name: str


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
    ids: tuple[str, ...] = ()  # fields of a starting event's detail that become the execution's ids
    start_pipe_role_name: str | None = None
    pauses: tuple[ResolvedPause, ...] = ()
    semaphore: ResolvedSemaphore | None = None


def resolve_workflows(names: Names, platform: PlatformSpec, stage: Stage, spec: ServiceSpec) -> tuple:
    semaphore = _semaphore(names) if any(wf.max_concurrent_executions for wf in spec.workflows.values()) else None
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
            # `-workflow` keeps the role apart from a function of the same name.
            role_name=names.role(f"{key}-workflow"),
            log_group_name=f"/aws/vendedlogs/states/{name}",
            description=wf.description or f"{spec.service} workflow {key}",
            timeout_seconds=seconds(wf.timeout) if wf.timeout else WORKFLOW_TIMEOUT_SECONDS,
            max_concurrent=wf.max_concurrent_executions,
            semaphore_table=semaphore.table_name if wf.max_concurrent_executions else None,
            steps=tuple(wf.steps),
            started_by=started_by,
            start_queue=resolve_queue(names, platform, starter_key, QueueSpec(), STARTER_TIMEOUT_SECONDS)
            if started_by else None,
            start_pipe_name=names.physical("pipe", starter_key) if started_by else None,
            ids=tuple(wf.ids),
            start_pipe_role_name=names.role(f"{starter_key}-pipe") if started_by else None,
            pauses=tuple(_pause(names, platform, spec, key, path, step, resolve_queue)
                         for path, step in _pause_steps(wf.steps, ("steps",))),
            semaphore=semaphore if wf.max_concurrent_executions else None,
        ))
    return tuple(result)


def _pause_steps(steps, path: tuple) -> list[tuple[tuple, PauseStep]]:
    """Every pause with its spec path, in document order, also inside `choose` branches."""
    found = []
    for i, step in enumerate(steps):
        if isinstance(step, PauseStep):
            found.append((path + (i,), step))
        elif isinstance(step, ChooseStep):
            for value, branch in step.when.items():
                found += _pause_steps(branch, path + (i, "when", value))
            found += _pause_steps(step.otherwise or [], path + (i, "otherwise"))
    return found


def _pause(names: Names, platform: PlatformSpec, spec: ServiceSpec, workflow: str, path: tuple, step: PauseStep,
           resolve_queue) -> ResolvedPause:
    key = f"{workflow}-{step.pause}"
    timeout = seconds(step.timeout)
    # The review message must outlive the wait, or a slow review finds nothing to decide on;
    # 13 days is the most a queue may keep while its DLQ (14) still keeps messages longer.
    retention_days = min(max(queue_defaults.QUEUE_RETENTION_DAYS, -(-timeout // DAY) + 1), queue_defaults.DLQ_RETENTION_DAYS - 1)
    reviewer = spec.functions.get(step.reviewer) if step.reviewer else None
    # The reviewer function is the queue's consumer: visibility follows its timeout, as for any consumer.
    reviewer_timeout = ((reviewer.timeout if reviewer else None) or platform.defaults.function.timeout
                        or function_defaults.FUNCTION_TIMEOUT)
    if step.heartbeat is not None:
        heartbeat = seconds(step.heartbeat)
    else:
        # Below the timeout (Step Functions requires it), so lost reviews surface before the deadline.
        heartbeat = min(defaults.WORKFLOW_PAUSE_HEARTBEAT_SECONDS, max(1, timeout // 2))
    return ResolvedPause(
        step=step.pause,
        path=path,
        key=key,
        queue=resolve_queue(names, platform, key, QueueSpec(retention_days=retention_days), reviewer_timeout),
        reviewer=step.reviewer,
        timeout_seconds=timeout,
        heartbeat_seconds=heartbeat,
    )


def _semaphore(names: Names) -> ResolvedSemaphore:
    cleanup = names.physical("state_machine", "semaphore-cleanup")
    return ResolvedSemaphore(
        table_name=names.physical("table", "semaphores"),
        cleanup_name=cleanup,
        cleanup_role_name=names.role("semaphore-cleanup"),
        cleanup_log_group_name=f"/aws/vendedlogs/states/{cleanup}",
        rule_name=names.physical("rule", "semaphore-cleanup"),
        rule_role_name=names.role("semaphore-cleanup-events"),
        dlq_name=names.physical("queue", "semaphore-cleanup-dlq"),
    )


@dataclass(frozen=True)
class ResolvedStart:
    """A workflow a function may start: this service's (`logical_id`) or another's (`export`)."""

    service: str
    workflow: str
    logical_id: str | None
    export: str | None


def workflow_export(org: str, stage: str, service: str, workflow: str) -> str:
    return Names(org, stage, service).export(f"{workflow}-state-machine-arn")


def _start(platform: PlatformSpec, stage: Stage, service: str, ref: str) -> ResolvedStart:
    owner, _, workflow = ref.rpartition(".")
    owner = owner or service
    if owner == service:
        return ResolvedStart(owner, workflow, logical_id=logical(workflow, "state-machine"), export=None)
    return ResolvedStart(owner, workflow, logical_id=None,
                         export=workflow_export(platform.org, stage.name, owner, workflow))


def function_fields(given, so_far: dict) -> dict:
    return {"starts": tuple(_start(given.platform, given.stage, given.spec.service, ref) for ref in given.fn.starts)}


def service_fields(given) -> dict:
    return {"workflows": resolve_workflows(given.names, given.platform, given.stage, given.spec)}
