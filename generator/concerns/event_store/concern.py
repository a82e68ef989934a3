"""The event_store concern as registered in generator/concerns/registry.py: the service's DynamoDB
event store, its fan-out, and each function's `store_access`."""

from __future__ import annotations

from generator.concerns.concern import Concern
from generator.concerns.event_store.spec import StoreAccessFragment


class EventStoreConcern(Concern):
    name = "event_store"
    function_fragment = StoreAccessFragment
    rules_modules = ("generator.concerns.event_store.rules",)
    resolve_module = "generator.concerns.event_store.resolve"
    render_module = "generator.concerns.event_store.render"
