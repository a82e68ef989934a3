"""The fleet's event flow as one model for every `svcgen graph` format (graph.py: mermaid and DOT;
graph_html.py: the page): services (and services referenced but not in the fleet, "missing"), the
events each publishes on the bus or stores (fanned out from its event store), who receives each
event (a function or a workflow, with its filter) and which functions start which workflows.
Everything is sorted, so every output is a golden.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from generator.fleet.model import ServiceView


@dataclass(frozen=True)
class GraphService:
    name: str
    missing: bool  # referenced (published from, started in) but not in the fleet
    view: ServiceView | None


@dataclass(frozen=True)
class GraphEvent:
    publisher: str
    kind: str  # "bus" | "store"
    event: str
    declared: bool  # the publisher (in the fleet) publishes/stores it; False: only subscribed to
    fan_out: bool = True  # a store event: its store fans out (False: no subscriber can get it)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.publisher, self.kind, self.event)


@dataclass(frozen=True)
class Delivery:
    """An event received by a function or a workflow (started by it) of `service`."""

    event: tuple[str, str, str]  # GraphEvent.key
    service: str
    subscriber: str
    subscriber_kind: str  # "function" | "workflow"
    filter: dict[str, Any] | None

    @property
    def label(self) -> str:
        who = f"workflow {self.subscriber}" if self.subscriber_kind == "workflow" else self.subscriber
        return who + (f" [{compact_filter(self.filter)}]" if self.filter else "")


@dataclass(frozen=True)
class Start:
    """A function that starts a workflow (`starts:`), in its own service or another."""

    service: str
    function: str
    target_service: str
    workflow: str

    @property
    def label(self) -> str:
        return f"{self.function} starts {self.workflow}"


@dataclass
class FleetGraph:
    services: list[GraphService]
    events: list[GraphEvent]
    deliveries: list[Delivery]
    starts: list[Start]
    consumed: set[tuple[str, str, str]] = field(default_factory=set)

    def event(self, key: tuple[str, str, str]) -> GraphEvent:
        return next(e for e in self.events if e.key == key)


def fleet_graph(views: list[ServiceView]) -> FleetGraph:
    by_name = {v.service: v for v in views}
    events: dict[tuple[str, str, str], GraphEvent] = {}
    for v in views:
        for name in v.publishes:
            events[(v.service, "bus", name)] = GraphEvent(v.service, "bus", name, True)
        for name in v.stores:
            events[(v.service, "store", name)] = GraphEvent(v.service, "store", name, True, v.store_fan_out)
    deliveries = []
    for v in views:
        for sub in v.subscriptions:
            key = (sub.publisher, sub.kind, sub.event)
            if key not in events:  # a publisher not in the fleet, or an event it does not publish
                events[key] = GraphEvent(sub.publisher, sub.kind, sub.event, False)
            deliveries.append(Delivery(key, v.service, sub.subscriber, sub.subscriber_kind, sub.filter))
    starts = []
    for v in views:
        for fn in v.functions:
            for ref in fn.starts:
                target, _, workflow = ref.partition(".")
                starts.append(Start(v.service, fn.name, target, workflow))
    missing = ({e.publisher for e in events.values()} | {s.target_service for s in starts}) - set(by_name)
    services = sorted([GraphService(n, False, by_name[n]) for n in by_name]
                      + [GraphService(n, True, None) for n in missing], key=lambda s: s.name)
    deliveries.sort(key=lambda d: (d.event, d.service, d.subscriber_kind, d.subscriber))
    starts.sort(key=lambda s: (s.service, s.function, s.target_service, s.workflow))
    return FleetGraph(services, sorted(events.values(), key=lambda e: e.key), deliveries, starts,
                      {d.event for d in deliveries})


# -- filters, compactly: `amount: >= 10000 < 1000000; currency: EUR | USD; counterparty.iban: prefix DE`

def compact_filter(pattern: dict[str, Any] | None) -> str:
    if not pattern:
        return ""
    return "; ".join(f"{path}: {matchers}" for path, matchers in _filter_fields(pattern, ""))


def _filter_fields(pattern: dict[str, Any], prefix: str):
    for key, value in pattern.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not _is_operator(value):
            yield from _filter_fields(value, path + ".")
        elif isinstance(value, list):
            yield path, " | ".join(_matcher(m) for m in value)
        else:
            yield path, _matcher(value)


def _is_operator(value: dict) -> bool:
    return len(value) == 1 and next(iter(value)) in (
        "numeric", "prefix", "suffix", "anything-but", "exists", "equals-ignore-case", "wildcard", "cidr")


def _matcher(m: Any) -> str:
    if isinstance(m, dict) and len(m) == 1:
        op, arg = next(iter(m.items()))
        if op == "numeric" and isinstance(arg, list):
            return " ".join(_scalar(a) for a in arg)
        if op == "exists":
            return "exists" if arg else "absent"
        if isinstance(arg, list):
            return f"{op} ({' | '.join(_matcher(a) for a in arg)})"
        return f"{op} {_matcher(arg)}"
    if isinstance(m, (dict, list)):
        return json.dumps(m, sort_keys=True, separators=(",", ":"))
    return _scalar(m)


def _scalar(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v)
