"""SNS subscriptions of a consumer's queue to an event store's topic (its own or another's).

Each stored event reaches the topic wrapped in the same envelope EventBridge uses (`source`,
`detail-type`, `detail`), so handlers see one shape whatever the origin. The subscription
filters on `detail-type` in the message body, delivers raw (no SNS wrapper), and redrives
undeliverable messages to the service's standard delivery DLQ (cfn-lint-serverless ES7000).
"""

from __future__ import annotations


from troposphere import GetAtt, ImportValue, Ref
from troposphere.sns import SubscriptionResource

from generator.resolve import ResolvedQueue, ResolvedSubscription

STORE_TOPIC = "StoreTopic"


def topic_arn(sub: ResolvedSubscription):
    return Ref(STORE_TOPIC) if sub.topic_export is None else ImportValue(sub.topic_export)


def filter_policy(sub: ResolvedSubscription) -> dict:
    policy: dict = {"detail-type": [sub.event]}
    if sub.filter:
        policy["detail"] = sub.filter
    return policy


def render(ctx, queue: ResolvedQueue, sub: ResolvedSubscription, dlq_logical_id: str, origin: tuple):
    """Add the subscription; return the topic ARN expression (for the queue policy)."""
    topic = topic_arn(sub)
    ctx.add(SubscriptionResource(
        sub.logical_id,
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=GetAtt(queue.logical_id, "Arn"),
        RawMessageDelivery=True,
        FilterPolicyScope="MessageBody",
        FilterPolicy=filter_policy(sub),
        RedrivePolicy={"deadLetterTargetArn": GetAtt(dlq_logical_id, "Arn")},
    ), origin)
    return topic


