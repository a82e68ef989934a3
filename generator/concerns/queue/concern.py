"""The queue concern as registered in generator/concerns/registry.py: a subscriber's SQS queue and its
DLQ (`queue:`)."""

from __future__ import annotations

from generator.concerns.concern import Concern
from generator.concerns.queue.spec import QueueFragment


class QueueConcern(Concern):
    name = "queue"
    function_fragment = QueueFragment
    rules_modules = ("generator.concerns.queue.rules",)
    resolve_module = "generator.concerns.queue.resolve"
    render_module = "generator.concerns.queue.render"
