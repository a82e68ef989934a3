"""A subscription resolved: an EventBridge rule on the bus, or an SNS subscription to an event
store's topic; and the `source` names both kinds of event carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.naming import Names, logical
from generator.spec.platform import PlatformSpec
from generator.stages import Stage


@dataclass(frozen=True)
class ResolvedSubscription:
    """`kind` "bus": an EventBridge rule (`rule_name`, `source`); "store": an SNS subscription to
    an event store's topic, this service's own (`topic_export` None) or imported by export name."""

    kind: str
    logical_id: str
    rule_name: str
    publisher: str
    event: str
    source: str
    filter: dict[str, Any] | None
    topic_export: str | None = None


def event_source(org: str, service: str) -> str:
    """EventBridge `source` of a service's milestones; namespaced because `aws.` is reserved."""
    return f"{org}.{service}"


def store_source(org: str, service: str) -> str:
    """`source` in the envelope of events fanned out from a service's event store."""
    return f"{org}.{service}.store"


def store_topic_export(org: str, stage: str, service: str) -> str:
    return Names(org, stage, service).export("store-topic-arn")


def resolve_subscription(names: Names, platform: PlatformSpec, stage: Stage, service: str, key: str,
                         sub) -> ResolvedSubscription:
    """One subscription of function (or workflow starter) `key`."""
    if sub.store is not None:
        publisher = sub.from_ or service
        own = publisher == service
        return ResolvedSubscription(
            kind="store",
            logical_id=logical(key, publisher, sub.store, "subscription"),
            rule_name="",
            publisher=publisher,
            event=sub.store,
            source=store_source(platform.org, publisher),
            filter=sub.filter,
            topic_export=None if own else store_topic_export(platform.org, stage.name, publisher),
        )
    return ResolvedSubscription(
        kind="bus",
        logical_id=logical(key, sub.from_, sub.event, "rule"),
        rule_name=names.rule(key, sub.from_, sub.event),
        publisher=sub.from_,
        event=sub.event,
        source=event_source(platform.org, sub.from_),
        filter=sub.filter,
    )


def function_fields(given, so_far: dict) -> dict:
    return {"subscriptions": tuple(resolve_subscription(given.names, given.platform, given.stage, given.spec.service,
                                                        given.key, sub) for sub in given.fn.subscribe)}
