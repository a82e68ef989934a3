"""Rules that need every spec of the build at once: the view of the whole fleet."""

from __future__ import annotations

import difflib

from generator import defaults
from generator.errors import SpecError
from generator.spec.load import Document
from generator.spec.platform import PlatformSpec


def check_fleet(platform_doc: Document, platform: PlatformSpec, services: list) -> list[SpecError]:
    return [*unique_service_names(services), *subscribed_events_are_published(services),
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
        for fn_name, fn in item.spec.functions.items():
            for i, sub in enumerate(fn.subscribe):
                if sub.from_ not in publishes:
                    continue  # publisher outside this build: nothing to check against
                events, where = publishes[sub.from_]
                if sub.event not in events:
                    close = difflib.get_close_matches(sub.event, events, n=1, cutoff=0.6)
                    listed = f"{where} publishes: {', '.join(events) or 'nothing'}"
                    hint = (f"did you mean `{close[0]}`? {listed}" if close
                            else f"{listed}; add {sub.event} there if {sub.from_} should publish it")
                    yield item.doc.error(("functions", fn_name, "subscribe", i, "event"),
                                         f"must be an event that {sub.from_} publishes, got {sub.event}", hint)


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
