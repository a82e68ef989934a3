"""The SQS queue in front of a subscribing function, its DLQ, and the event source mapping.

Every default here is in the README's *Defaults and why* table (values in `generator/concerns/queue/defaults.py`): a DLQ of the same
type kept 14 days, maxReceiveCount 5, visibility ≥ 6 × timeout + batching window, KMS with the
service's customer key, ReportBatchItemFailures, and MaximumConcurrency to cap consumers without
making throttles look like poison messages.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref
from troposphere.awslambda import EventSourceMapping, ScalingConfig
from troposphere.sqs import Queue, QueuePolicy, RedrivePolicy

from generator.concerns.queue import defaults
from generator.concerns.function import render as function
from generator.concerns.encryption import render as encryption
from generator.render_context import RenderContext, accept, arn, deny_insecure_transport
from generator.resolve import ResolvedFunction
from generator.concerns.queue.resolve import ResolvedQueue

CONSUMER_ACTIONS = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                    "sqs:ReceiveMessage"]
# Findings accepted on purpose, each with its reason (written into the resource's metadata).
DLQ_HAS_NO_DLQ = {"ES6000": "this queue is itself a dead-letter queue; a DLQ behind a DLQ would only "
                            "hide failures one level further (its depth is alarmed instead)"}
SQS_SOURCE_NO_ON_FAILURE = {"ES1001": "an SQS event source sends failures to the queue's own DLQ via its "
                                      "RedrivePolicy; Lambda's OnFailure destination applies to stream sources"}
SENDER_SIDS = {"events.amazonaws.com": "EventBridgeRulesSend", "sns.amazonaws.com": "StoreTopicsSend"}
# KMS data keys are reused for 5 minutes (the SQS default, stated): fewer KMS calls, same safety.
DATA_KEY_REUSE_SECONDS = 300


def render(ctx: RenderContext) -> None:
    """Each subscribing function's queue, DLQ and the event source mapping that feeds it."""
    for fn in ctx.svc.functions:
        if fn.queue is not None:
            render_queues(ctx, fn.key, fn.queue, ("functions", fn.key, "queue"))
            render_event_source(ctx, fn, fn.queue)


def render_queues(ctx: RenderContext, key: str, queue: ResolvedQueue, origin: tuple) -> None:
    """Queue + DLQ for consumer `key` (a function, or a workflow's starter), with exports."""
    fifo = {"FifoQueue": True} if queue.fifo else {}
    dlq = ctx.add(Queue(
        queue.dlq_logical_id,
        QueueName=queue.dlq_name,
        MessageRetentionPeriod=queue.dlq_retention_seconds,
        KmsMasterKeyId=Ref(encryption.KEY),
        KmsDataKeyReusePeriodSeconds=DATA_KEY_REUSE_SECONDS,
        # Only this function's queue may use it as its DLQ (ARN built from the name: no cycle).
        RedriveAllowPolicy={"redrivePermission": "byQueue", "sourceQueueArns": [arn("sqs", queue.name)]},
        **fifo,
    ), origin, stateful=True)
    accept(dlq, DLQ_HAS_NO_DLQ)
    # EventBridge can deliver into a FIFO queue only with content-based deduplication on
    # (EventBridge API reference, SqsParameters).
    dedup = {"ContentBasedDeduplication": True} if queue.fifo else {}
    ctx.add(Queue(
        queue.logical_id,
        QueueName=queue.name,
        MessageRetentionPeriod=queue.retention_seconds,
        VisibilityTimeout=queue.visibility_timeout,
        KmsMasterKeyId=Ref(encryption.KEY),
        KmsDataKeyReusePeriodSeconds=DATA_KEY_REUSE_SECONDS,
        RedrivePolicy=RedrivePolicy(deadLetterTargetArn=GetAtt(queue.dlq_logical_id, "Arn"),
                                    maxReceiveCount=queue.max_receive_count),
        **fifo,
        **dedup,
    ), origin, stateful=True)
    ctx.export(f"{key}-queue-url", Ref(queue.logical_id), f"URL of {key}'s queue")
    ctx.export(f"{key}-queue-arn", GetAtt(queue.logical_id, "Arn"), f"ARN of {key}'s queue")
    ctx.export(f"{key}-dlq-arn", GetAtt(queue.dlq_logical_id, "Arn"), f"ARN of {key}'s DLQ")


def render_event_source(ctx: RenderContext, fn: ResolvedFunction, queue: ResolvedQueue) -> None:
    origin = ("functions", fn.key, "queue")
    mapping = dict(
        EventSourceArn=GetAtt(queue.logical_id, "Arn"),
        FunctionName=Ref(fn.logical_id),
        BatchSize=queue.batch_size,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        Enabled=True,
    )
    if not queue.fifo:  # Lambda rejects a batching window on FIFO sources
        mapping["MaximumBatchingWindowInSeconds"] = queue.batching_window
    if queue.max_concurrency is not None:
        mapping["ScalingConfig"] = ScalingConfig(MaximumConcurrency=queue.max_concurrency)
    accept(ctx.add(EventSourceMapping(f"{fn.logical_id}EventSource", **mapping), origin), SQS_SOURCE_NO_ON_FAILURE)
    function.invoked(ctx, fn, defaults.CHECKOV_SQS_NO_DLQ)
    ctx.grant(fn.key, CONSUMER_ACTIONS, [GetAtt(queue.logical_id, "Arn")], sid="ConsumeOwnQueue")
    ctx.grant(fn.key, ["kms:Decrypt"], [encryption.key_arn()], sid="DecryptOwnQueue")


def standalone_dlq(ctx: RenderContext, title: str, name: str, senders: dict[str, list], origin: tuple = (),
                   deny_redrive: bool = False) -> None:
    """A dead-letter queue that services deliver into directly (EventBridge DeadLetterConfig, SNS
    RedrivePolicy, Lambda OnFailure): kept 14 days, encrypted, sendable only by `senders`.
    `deny_redrive`: no other queue may use it as its redrive target."""
    redrive = {"RedriveAllowPolicy": {"redrivePermission": "denyAll"}} if deny_redrive else {}
    dlq = ctx.add(Queue(
        title,
        QueueName=name,
        MessageRetentionPeriod=defaults.DLQ_RETENTION_DAYS * 86400,
        KmsMasterKeyId=Ref(encryption.KEY),
        KmsDataKeyReusePeriodSeconds=DATA_KEY_REUSE_SECONDS,
        **redrive,
    ), origin, stateful=True)
    accept(dlq, DLQ_HAS_NO_DLQ)
    ctx.add(policy(f"{title}Policy", title, senders), origin)


def policy(title: str, queue_logical_id: str, senders: dict[str, list]) -> QueuePolicy:
    """Only each delivering service principal, acting for one of its source ARNs, may send;
    nobody without TLS. `senders`: principal -> source ARNs (rules, topics)."""
    queue_arn = GetAtt(queue_logical_id, "Arn")
    allows = [
        {
            "Sid": SENDER_SIDS[principal],
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": arns}},
        }
        for principal, arns in sorted(senders.items()) if arns
    ]
    return QueuePolicy(
        title,
        Queues=[Ref(queue_logical_id)],
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [
                *allows,
                deny_insecure_transport("sqs:*", queue_arn),
            ],
        },
    )
