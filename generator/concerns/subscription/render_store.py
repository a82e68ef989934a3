"""SNS subscriptions of a consumer's queue to an event store's topic (its own or another's).

Each stored event reaches the topic wrapped in the same envelope EventBridge uses (`source`,
`detail-type`, `detail`), so handlers see one shape whatever the origin. The subscription
filters the message body on `detail-type` (and `detail`, for a `filter:`), delivers raw (no SNS
wrapper), and redrives undeliverable messages to the service's standard delivery DLQ
(cfn-lint-serverless ES7000).

**One subscription per (topic, queue).** SNS keeps at most one subscription per topic, protocol
and endpoint: a second Subscribe with other attributes (another filter policy) is refused with
"Subscription already exists with different attributes", so a consumer with two `store:` entries
on one store could never be deployed as two subscriptions. Every `store:` entry of a consumer on
the same store is rendered as ONE `AWS::SNS::Subscription` whose filter policy matches exactly
the union of what the entries select (`union_policy`):

- no entry has a content filter: `{detail-type: [A, B, ...]}`;
- one content filter shared by every entry: `{detail-type: [...], detail: <filter>}` (this is
  also the shape of a lone entry, unchanged from before);
- otherwise an SNS `$or` of alternatives, one for the events taken whole and one per distinct
  filter: `{$or: [{detail-type: [A]}, {detail-type: [B, C], detail: <filter>}, ...]}`. SNS
  treats `$or` as an operator only with at least two alternatives whose keys are not reserved
  words (https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html); both always hold here.
  An event also taken whole is dropped from the filtered alternatives (they add nothing).

Event types are sorted and alternatives ordered by their events, so reordering the spec's
entries does not change the template. The policy's complexity is what SNS limits: the
alternatives of `$or` add up, each counting its event types times its filter's combinations
(filter_grammar.sns_combinations); rule SVC1310 reports a union over 150 at the spec.

**Logical ID.** `<Consumer><Publisher>StoreSubscription`, from the consumer (function, or
`<workflow>-start`) and the publishing service only: one ID per (topic, queue) that does not
change when events or filters are added, removed or reordered. So a change of what a consumer
selects is an in-place update of `FilterPolicy` (only TopicArn, Endpoint and Protocol replace an
`AWS::SNS::Subscription`); an ID that named an event would be a replacement, whose new resource
SNS would refuse ("already exists with different attributes") or, with identical attributes,
resolve to the same subscription ARN that deleting the old resource then unsubscribes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from troposphere import GetAtt, ImportValue, Ref
from troposphere.sns import SubscriptionResource

from generator.naming import logical
from generator.concerns.queue.resolve import ResolvedQueue
from generator.concerns.subscription.consumers import consumers
from generator.concerns.subscription.resolve import ResolvedSubscription

STORE_TOPIC = "StoreTopic"
OR = "$or"


def topic_arn(sub: ResolvedSubscription):
    return Ref(STORE_TOPIC) if sub.topic_export is None else ImportValue(sub.topic_export)


def filter_policy(sub: ResolvedSubscription) -> dict:
    """The filter policy of one `store:` entry on its own (what it selects)."""
    return union_policy([(sub.event, sub.filter)])


def merged_filter_policy(subs: Iterable[ResolvedSubscription]) -> dict:
    """The filter policy of the one subscription that carries all of `subs` (one topic, one queue)."""
    return union_policy((sub.event, sub.filter) for sub in subs)


def union_policy(entries: Iterable[tuple[str, Any]]) -> dict:
    """An SNS filter policy (scope MessageBody) matching exactly the envelopes that one of
    `entries` selects, each (event type, content filter or None): `detail-type` is the event
    and, with a filter, `detail` matches it."""
    whole: set[str] = set()
    filtered: dict[str, tuple[Any, set[str]]] = {}
    for event, content in entries:
        if not content:
            whole.add(event)
        else:
            key = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            filtered.setdefault(key, (content, set()))[1].add(event)
    alternatives: list[dict] = []
    if whole:
        alternatives.append({"detail-type": sorted(whole)})
    narrowed = []
    for key, (content, events) in filtered.items():
        events = events - whole  # the event is taken whole already: the filter adds nothing
        if events:
            narrowed.append((sorted(events), key, {"detail-type": sorted(events), "detail": content}))
    alternatives += [alternative for _, _, alternative in sorted(narrowed, key=lambda n: (n[0], n[1]))]
    if len(alternatives) == 1:
        return alternatives[0]
    return {OR: alternatives}


def subscription_logical_id(consumer_key: str, publisher: str) -> str:
    """The one logical ID of a consumer's subscription to `publisher`'s store topic."""
    return logical(consumer_key, publisher, "store", "subscription")


def same_topic(subs: Iterable[ResolvedSubscription], sub: ResolvedSubscription) -> list[ResolvedSubscription]:
    """The store entries of `subs` that read the topic `sub` reads, in spec order."""
    return [s for s in subs if s.kind == "store" and s.topic_export == sub.topic_export]


def render(ctx, queue: ResolvedQueue, sub: ResolvedSubscription, dlq_logical_id: str, origin: tuple):
    """Add the subscription of `queue` to `sub`'s store topic, carrying every `store:` entry of
    the queue's consumer on that topic (once: later entries of the same topic add nothing);
    return the topic ARN expression (for the queue policy). `origin` is the first entry's path."""

    topic = topic_arn(sub)
    endpoint = GetAtt(queue.logical_id, "Arn")
    consumer = next(c for c in consumers(ctx) if c.queue.logical_id == queue.logical_id)
    title = subscription_logical_id(consumer.key, sub.publisher)
    if _renders(ctx.template.resources.get(title), topic, endpoint):
        return topic  # an earlier entry on this topic rendered the subscription of them all
    # (a title taken by another topic or queue is added anyway: the template records the collision)
    ctx.add(SubscriptionResource(
        title,
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=endpoint,
        RawMessageDelivery=True,
        FilterPolicyScope="MessageBody",
        FilterPolicy=merged_filter_policy(same_topic(consumer.subscriptions, sub)),
        RedrivePolicy={"deadLetterTargetArn": GetAtt(dlq_logical_id, "Arn")},
    ), origin)
    return topic


def _renders(resource, topic, endpoint) -> bool:
    """Whether `resource` is the subscription of `endpoint` to `topic`."""
    if not isinstance(resource, SubscriptionResource):
        return False
    props = resource.to_dict()["Properties"]
    return props["TopicArn"] == topic.to_dict() and props["Endpoint"] == endpoint.to_dict()
