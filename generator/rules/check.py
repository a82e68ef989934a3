"""Run every spec and fleet rule over a build's specs, collecting all findings in one pass."""

from __future__ import annotations

from generator.errors import SpecError
from generator.rules.base import Fleet, SpecContext
from generator.rules.registry import fleet_rules, spec_rules


def check_rules(fleet: Fleet) -> list[SpecError]:
    """Every finding of every spec rule on every service, then of every fleet rule."""
    found: list[SpecError] = []
    for item in fleet.services:
        ctx = SpecContext(item.doc, item.spec, fleet.platform, fleet)
        for rule in spec_rules():
            found.extend(rule.check(ctx))
    for rule in fleet_rules():
        found.extend(rule.check(fleet))
    return found
