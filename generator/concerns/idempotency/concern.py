"""The idempotency concern as registered in generator/concerns/registry.py: skipping duplicates of the
same event (`idempotency:`)."""

from __future__ import annotations

from generator.concerns.concern import Concern
from generator.concerns.idempotency.spec import IdempotencyFragment


class IdempotencyConcern(Concern):
    name = "idempotency"
    function_fragment = IdempotencyFragment
    rules_modules = ("generator.concerns.idempotency.rules",)
    resolve_module = "generator.concerns.idempotency.resolve"
    render_module = "generator.concerns.idempotency.render"
