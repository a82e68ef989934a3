"""The events concern as registered in generator/concerns/registry.py: contracts, and publishing
milestones on the bus (a function's `publishes`)."""

from __future__ import annotations

from generator.concerns.concern import Concern
from generator.concerns.events.spec import PublishesFragment


class EventsConcern(Concern):
    name = "events"
    function_fragment = PublishesFragment
    rules_modules = ("generator.concerns.events.rules",)
    resolve_module = "generator.concerns.events.resolve"
    render_module = "generator.concerns.events.render"
