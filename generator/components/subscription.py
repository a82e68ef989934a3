"""EventBridge rules on the platform bus that deliver milestone events into a function's queue.

Targets carry an explicit RetryPolicy and a DeadLetterConfig (cfn-lint-serverless ES4000); the
target DLQ must be a *standard* queue (EventBridge docs), shared by all rules of the service.
"""

from __future__ import annotations

from troposphere import GetAtt, ImportValue, Ref
from troposphere.events import DeadLetterConfig, RetryPolicy, Rule, SqsParameters, Target
from troposphere.sqs import Queue

from generator import defaults
from generator.components import encryption, queue as queue_component
from generator.components.base import RenderContext, accept
from generator.resolve import ResolvedFunction

EVENTS_DLQ = "EventsDlq"
EVENTS_PRINCIPAL = "events.amazonaws.com"


def pattern(source: str, event: str, content_filter: dict | None) -> dict:
    result: dict = {"source": [source], "detail-type": [event]}
    if content_filter:
        result["detail"] = content_filter
    return result


def render(ctx: RenderContext) -> None:
    subscribers = [fn for fn in ctx.svc.functions if fn.subscriptions]
    if not subscribers:
        return
    bus_name = ImportValue(ctx.svc.platform_names.bus_name_export)
    all_rules = []
    for fn in subscribers:
        rules = [_rule(ctx, fn, i, bus_name) for i in range(len(fn.subscriptions))]
        all_rules.extend(rules)
        ctx.add(queue_component.policy(f"{fn.logical_id}QueuePolicy", fn.queue.logical_id, EVENTS_PRINCIPAL,
                                       [GetAtt(r, "Arn") for r in rules]), ("functions", fn.key, "subscribe"))
    dlq = ctx.add(Queue(
        EVENTS_DLQ,
        QueueName=ctx.svc.names.physical("queue", "events-dlq"),
        MessageRetentionPeriod=defaults.DLQ_RETENTION_DAYS * 86400,
        KmsMasterKeyId=Ref(encryption.KEY),
        KmsDataKeyReusePeriodSeconds=queue_component.DATA_KEY_REUSE_SECONDS,
    ), stateful=True)
    accept(dlq, queue_component.DLQ_HAS_NO_DLQ)
    ctx.add(queue_component.policy("EventsDlqPolicy", EVENTS_DLQ, EVENTS_PRINCIPAL,
                                   [GetAtt(r, "Arn") for r in all_rules]))
    ctx.export("events-dlq-arn", GetAtt(EVENTS_DLQ, "Arn"), "DLQ of events the bus could not deliver")


def _rule(ctx: RenderContext, fn: ResolvedFunction, index: int, bus_name) -> str:
    sub = fn.subscriptions[index]
    queue = fn.queue
    target = dict(
        Id="queue",
        Arn=GetAtt(queue.logical_id, "Arn"),
        RetryPolicy=RetryPolicy(MaximumRetryAttempts=defaults.RULE_MAX_RETRY_ATTEMPTS,
                                MaximumEventAgeInSeconds=defaults.RULE_MAX_EVENT_AGE_SECONDS),
        DeadLetterConfig=DeadLetterConfig(Arn=GetAtt(EVENTS_DLQ, "Arn")),
    )
    if queue.fifo:
        target["SqsParameters"] = SqsParameters(MessageGroupId=queue.message_group)
    ctx.add(Rule(
        sub.logical_id,
        Name=sub.rule_name,
        Description=f"{sub.event} from {sub.publisher} to {fn.key}",
        EventBusName=bus_name,
        EventPattern=pattern(sub.source, sub.event, sub.filter),
        State="ENABLED",
        Targets=[Target(**target)],
    ), ("functions", fn.key, "subscribe", index))
    return sub.logical_id
