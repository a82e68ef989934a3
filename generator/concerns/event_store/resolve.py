"""The service's event store (table, fan-out topic and pipe) and each function's access to it."""

from __future__ import annotations

from dataclasses import dataclass

from generator.concerns.subscription.resolve import store_source


@dataclass(frozen=True)
class ResolvedEventStore:
    table_name: str
    events: tuple[str, ...]
    fan_out: bool
    topic_name: str
    pipe_name: str
    source: str  # `source` of the envelope the fan-out puts around each stored event


def function_fields(given, so_far: dict) -> dict:
    return {"store_access": tuple(sorted(set(given.fn.store_access)))}


def service_fields(given) -> dict:
    store, names = given.spec.event_store, given.names
    if store is None:
        return {"event_store": None}
    return {"event_store": ResolvedEventStore(
        table_name=names.physical("table", "events"),
        events=tuple(store.events),
        fan_out=store.fan_out,
        topic_name=names.physical("topic", "events"),
        pipe_name=names.physical("pipe", "events"),
        source=store_source(given.platform.org, given.spec.service),
    )}
