"""The `queue:` of a subscribing function and its dead-letter queue (`queue.dlq`)."""

from __future__ import annotations

from pydantic import Field

from generator.spec.base import Strict


class DeadLetterSpec(Strict):
    fifo: bool | None = Field(None, description="Must match the source queue; defaults to it.")
    retention_days: int | None = Field(None, ge=1, le=14, description="Days a failed message is kept (SQS max 14).")


class QueueSpec(Strict):
    """The SQS queue in front of a subscribing function."""

    fifo: bool = Field(False, description="FIFO queue; only when asked for, never the default.")
    fifo_reason: str | None = Field(
        None, min_length=1, max_length=256, description="Why this queue must be FIFO (the order that matters, "
        "per message group): FIFO caps throughput, and `svcgen check` asks for a reason (SVC4008).")
    batch_size: int | None = Field(None, ge=1, le=10000, description="Records per invocation (FIFO: at most 10).")
    batching_window: int | None = Field(None, ge=0, le=300, description="Seconds to gather a batch.")
    max_concurrency: int | None = Field(
        None, ge=2, le=1000, description="ScalingConfig.MaximumConcurrency: caps concurrent consumers."
    )
    max_receive_count: int | None = Field(
        None, ge=2, le=1000, description="Receives before a message moves to the DLQ (never 1)."
    )
    retention_days: int | None = Field(None, ge=1, le=13, description="Days a message is kept (must stay below the DLQ's).")
    message_group: str | None = Field(
        None, min_length=1, max_length=100, description="FIFO only: MessageGroupId EventBridge sets on delivery."
    )
    dlq: DeadLetterSpec | None = None


class QueueFragment(Strict):
    queue: QueueSpec | None = Field(None, description="Only for functions that subscribe.")
