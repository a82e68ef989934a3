"""The queue in front of a subscribing function (or a workflow's review), every default applied.

Also used by workflows: their start queues and review queues are resolved the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.concerns.queue import defaults
from generator.naming import Names, logical
from generator.concerns.queue.spec import QueueSpec
from generator.spec.platform import PlatformSpec

DAY = 86400


@dataclass(frozen=True)
class ResolvedQueue:
    logical_id: str
    name: str
    dlq_logical_id: str
    dlq_name: str
    fifo: bool
    batch_size: int
    batching_window: int
    max_concurrency: int | None
    max_receive_count: int
    visibility_timeout: int
    retention_seconds: int
    dlq_retention_seconds: int
    message_group: str | None


def resolve_queue(names: Names, platform: PlatformSpec, key: str, q: QueueSpec, timeout: int) -> ResolvedQueue:
    window = q.batching_window if q.batching_window is not None else defaults.QUEUE_BATCHING_WINDOW
    dlq_days = (q.dlq.retention_days if q.dlq else None) or defaults.DLQ_RETENTION_DAYS
    return ResolvedQueue(
        logical_id=logical(key, "queue"),
        name=names.queue(key, q.fifo),
        dlq_logical_id=logical(key, "dlq"),
        dlq_name=names.dlq(key, q.fifo),
        fifo=q.fifo,
        batch_size=q.batch_size or platform.defaults.queue.batch_size or defaults.QUEUE_BATCH_SIZE,
        batching_window=window,
        max_concurrency=q.max_concurrency,
        max_receive_count=q.max_receive_count or platform.defaults.queue.max_receive_count
        or defaults.QUEUE_MAX_RECEIVE_COUNT,
        visibility_timeout=defaults.VISIBILITY_TIMEOUT_FACTOR * timeout + window,
        retention_seconds=(q.retention_days or defaults.QUEUE_RETENTION_DAYS) * DAY,
        dlq_retention_seconds=dlq_days * DAY,
        message_group=q.message_group or (key if q.fifo else None),
    )


def function_fields(given, so_far: dict) -> dict:
    """A subscriber's queue; its visibility follows the function's timeout (resolved before)."""
    fn = given.fn
    if not fn.subscribe:
        return {"queue": None}
    return {"queue": resolve_queue(given.names, given.platform, given.key, fn.queue or QueueSpec(), so_far["timeout"])}
