"""Rules of subscriptions: a function's `subscribe` entries and a workflow's `started_by` entries,
all seen through the one visitor `SpecContext.subscriptions()`."""

from __future__ import annotations

from generator.rules.base import SpecRule

EVENTBRIDGE_PATTERNS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html"
SNS_SUBSCRIPTIONS = "https://docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html"


class OneSource(SpecRule):
    id = "SVC1201"
    concern = "subscription"
    summary = "a subscription names exactly one of `event` (a milestone on the bus) or `store` (an event-store event)"
    rationale = "the two are delivered by different services (EventBridge, SNS): one entry cannot be both or neither"
    source = EVENTBRIDGE_PATTERNS

    def check(self, ctx):
        for site in ctx.subscriptions():
            if (site.sub.event is None) == (site.sub.store is None):
                got = "both" if site.sub.event else "neither"
                yield self.error(ctx.doc, site.path, f"a subscription must have exactly one of `event` or `store`, "
                                 f"got {got}", "`event:` + `from:` for a milestone on the bus, `store:` for an "
                                 "event-store event")


class BusEventNamesPublisher(SpecRule):
    id = "SVC1202"
    concern = "subscription"
    summary = "a bus subscription names the service that publishes the event (`from`)"
    rationale = "the rule matches the publisher's `source`; without it any service could impersonate the event"
    source = EVENTBRIDGE_PATTERNS

    def check(self, ctx):
        for site in ctx.subscriptions():
            if site.sub.event is not None and site.sub.store is None and site.sub.from_ is None:
                yield self.error(ctx.doc, site.path, "a bus subscription must say which service publishes the event, "
                                 "got no `from`", "add `from: <service>`")


class SubscribeOnce(SpecRule):
    id = "SVC1203"
    concern = "subscription"
    summary = "a function or workflow subscribes to each event once"
    rationale = "two rules or SNS subscriptions for one (event, queue) deliver every event twice, and two SNS "\
                "subscriptions of one queue to one topic are refused by SNS"
    source = SNS_SUBSCRIPTIONS

    def check(self, ctx):
        seen: dict[tuple, tuple] = {}
        for site in ctx.subscriptions():
            key = (site.owner_kind, site.owner, site.sub.from_, site.sub.event, site.sub.store)
            if key in seen:
                what = site.sub.event or f"store event {site.sub.store}"
                first = seen[key]
                yield self.error(ctx.doc, site.path,
                                 f"a {site.owner_kind} must subscribe to each event once, got {what} from "
                                 f"{site.sub.from_} again",
                                 f"already at {first[-2]}[{first[-1]}]; merge the two into one entry")
            seen.setdefault(key, site.path)
