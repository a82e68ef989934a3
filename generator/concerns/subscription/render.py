"""Subscriptions: what delivers events into a consumer's queue.

A consumer is a function with `subscribe`, or a workflow with `started_by`. Milestones arrive
through EventBridge rules on the platform bus; event-store events through SNS subscriptions to
a store topic (concerns/subscription/render_store.py). Undeliverable events go to one standard DLQ
per service, `EventsDlq` (EventBridge and SNS both require a standard queue there).

Rule targets carry an explicit RetryPolicy and a DeadLetterConfig (cfn-lint-serverless ES4000).
"""

from __future__ import annotations

from troposphere import GetAtt, ImportValue
from troposphere.events import DeadLetterConfig, RetryPolicy, Rule, SqsParameters, Target

from generator.concerns.subscription import defaults
from generator.concerns.queue import render as queue_component
from generator.concerns.subscription import render_store as store_subscription
from generator.concerns.subscription.consumers import Consumer, consumers
from generator.render_context import RenderContext

EVENTS_DLQ = "EventsDlq"
EVENTS_PRINCIPAL = "events.amazonaws.com"
SNS_PRINCIPAL = "sns.amazonaws.com"


def pattern(source: str, event: str, content_filter: dict | None) -> dict:
    result: dict = {"source": [source], "detail-type": [event]}
    if content_filter:
        result["detail"] = content_filter
    return result


def render(ctx: RenderContext) -> None:
    found = consumers(ctx)
    if not found:
        return
    bus_name = ImportValue(ctx.svc.platform_names.bus_name_export)
    all_senders: dict[str, list] = {EVENTS_PRINCIPAL: [], SNS_PRINCIPAL: []}
    for consumer in found:
        senders: dict[str, list] = {EVENTS_PRINCIPAL: [], SNS_PRINCIPAL: []}
        for index, sub in enumerate(consumer.subscriptions):
            origin = consumer.origin + (index,)
            if sub.kind == "bus":
                senders[EVENTS_PRINCIPAL].append(GetAtt(_rule(ctx, consumer, sub, bus_name, origin), "Arn"))
            else:
                topic = store_subscription.render(ctx, consumer.queue, sub, EVENTS_DLQ, origin)
                if topic not in senders[SNS_PRINCIPAL]:
                    senders[SNS_PRINCIPAL].append(topic)
        for principal, arns in senders.items():
            all_senders[principal].extend(a for a in arns if a not in all_senders[principal])
        ctx.add(queue_component.policy(f"{consumer.logical_id}QueuePolicy", consumer.queue.logical_id, senders),
                consumer.origin)
    queue_component.standalone_dlq(ctx, EVENTS_DLQ, ctx.svc.names.physical("queue", "events-dlq"), all_senders)
    ctx.export("events-dlq-arn", GetAtt(EVENTS_DLQ, "Arn"), "DLQ of events that could not be delivered")


def _rule(ctx: RenderContext, consumer: Consumer, sub, bus_name, origin: tuple) -> str:
    queue = consumer.queue
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
        Description=f"{sub.event} from {sub.publisher} to {consumer.key}",
        EventBusName=bus_name,
        EventPattern=pattern(sub.source, sub.event, sub.filter),
        State="ENABLED",
        Targets=[Target(**target)],
    ), origin)
    return sub.logical_id
