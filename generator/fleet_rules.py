"""Rules that need every spec of the build at once: the view of the whole fleet."""

from __future__ import annotations

import difflib

from generator import defaults
from generator.errors import SpecError
from generator.spec.contracts import check_contracts
from generator.spec.rules_v2 import subscriptions_of
from generator.spec.load import Document
from generator.spec.platform import PlatformSpec


def check_fleet(platform_doc: Document, platform: PlatformSpec, services: list) -> list[SpecError]:
    return [*unique_service_names(services), *subscribed_events_are_published(services),
            *other_stores_exist(services), *other_workflows_exist(services), *check_contracts(services),
            *reserved_concurrency_fits_account(platform_doc, platform, services)]


def unique_service_names(services):
    first: dict[str, str] = {}
    for item in services:
        name = item.spec.service
        if name in first:
            yield item.doc.error(("service",), f"service names must be unique in a build, got {name!r}, "
                                 f"already defined in {first[name]}", "each service has exactly one spec")
        first.setdefault(name, item.doc.file)


def subscribed_events_are_published(services):
    """A subscription to a service in this build must name an event that service publishes."""
    publishes = {item.spec.service: (item.spec.publishes, item.doc.file) for item in services}
    for item in services:
        for path, sub in _bus_subscriptions(item.spec):
            if sub.from_ not in publishes:
                continue  # publisher outside this build: nothing to check against
            events, where = publishes[sub.from_]
            if sub.event not in events:
                close = difflib.get_close_matches(sub.event, events, n=1, cutoff=0.6)
                listed = f"{where} publishes: {', '.join(events) or 'nothing'}"
                hint = (f"did you mean `{close[0]}`? {listed}" if close
                        else f"{listed}; add {sub.event} there if {sub.from_} should publish it")
                yield item.doc.error(path + ("event",),
                                     f"must be an event that {sub.from_} publishes, got {sub.event}", hint)


def _bus_subscriptions(spec):
    return ((path, sub) for path, sub in subscriptions_of(spec) if sub.event is not None and sub.from_ is not None)


def other_stores_exist(services):
    """`store: X, from: other` resolves through other's exported store topic: it must exist."""
    specs = {item.spec.service: item for item in services}
    for item in services:
        for name, fn in item.spec.functions.items():
            for i, sub in enumerate(fn.subscribe):
                if sub.store is None or sub.from_ in (None, item.spec.service):
                    continue
                path = ("functions", name, "subscribe", i, "from")
                other = specs.get(sub.from_)
                if other is None:
                    yield item.doc.error(path, f"must be a service in this build, got {sub.from_!r}",
                                         "its store topic is imported from that service's stack")
                elif other.spec.event_store is None or not other.spec.event_store.fan_out:
                    yield item.doc.error(path, f"{sub.from_} must have an event store with fan_out, got none "
                                         f"in {other.doc.file}")
                elif sub.store not in other.spec.event_store.events:
                    yield item.doc.error(path[:-1] + ("store",),
                                         f"must be an event {sub.from_}'s store holds, got {sub.store!r}",
                                         f"{other.doc.file}: {', '.join(other.spec.event_store.events)}")


def other_workflows_exist(services):
    specs = {item.spec.service: item for item in services}
    for item in services:
        for name, fn in item.spec.functions.items():
            for i, ref in enumerate(fn.starts):
                owner, _, workflow = ref.rpartition(".")
                if not owner or owner == item.spec.service:
                    continue
                other = specs.get(owner)
                path = ("functions", name, "starts", i)
                if other is None:
                    yield item.doc.error(path, f"must name a workflow of a service in this build, got {ref!r}",
                                         f"no service {owner!r} in this build")
                elif workflow not in other.spec.workflows:
                    yield item.doc.error(path, f"must name a workflow of {owner}, got {ref!r}",
                                         f"{other.doc.file} has: {', '.join(other.spec.workflows) or 'no workflows'}")


def reserved_concurrency_fits_account(platform_doc, platform, services):
    """Lambda keeps 100 of the account's concurrency unreserved; the fleet must leave it."""
    budget = platform.lambda_.account_concurrency_limit - defaults.UNRESERVED_CONCURRENCY_MINIMUM
    reserved = [(item, fn_name, fn.reserved_concurrency) for item in services
                for fn_name, fn in item.spec.functions.items() if fn.reserved_concurrency]
    total = sum(r for _, _, r in reserved)
    if total > budget:
        detail = ", ".join(f"{item.spec.service}.{fn}={r}" for item, fn, r in reserved)
        yield platform_doc.error(
            ("lambda", "account_concurrency_limit"),
            f"reserved concurrency across the fleet must be ≤ {budget} (this limit − "
            f"{defaults.UNRESERVED_CONCURRENCY_MINIMUM} that AWS keeps unreserved), got {total} ({detail})",
            "lower `reserved_concurrency` in the specs, or raise the account's Lambda concurrency quota")
