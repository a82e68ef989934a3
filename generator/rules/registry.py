"""Every rule svcgen knows, collected from the modules of the concerns that own them.

A concern declares its rule modules on its registry entry (`rules_modules`); this imports them, keeps
each `Rule` subclass with an ID, and refuses two rules with one ID (IDs are stable: waivers,
docs and users' searches refer to them).
"""

from __future__ import annotations

import importlib
from functools import cache

from generator.concerns import registry as concerns
from generator.rules.base import FleetRule, Rule, SpecRule, TemplateRule

# The rules of `svcgen check` that are not a concern's: the platform team's rules configured in
# platform.yaml, and the checks of its waivers file.
CHECK_RULE_MODULES: tuple[str, ...] = ("generator.check.platform_rules", "generator.check.waivers",
                                         "generator.check.report_rules")
# Every concern's rule modules, declared on its registry entry (generator/concerns/registry.py),
# then svcgen check's own.
RULE_MODULES = concerns.rule_modules() + CHECK_RULE_MODULES


@cache
def all_rules() -> tuple[Rule, ...]:
    """One instance of every rule, sorted by ID."""
    found: dict[str, type[Rule]] = {}
    for name in RULE_MODULES:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, Rule) and obj.__module__ == module.__name__
                    and "id" in vars(obj)):
                continue
            if obj.id in found:
                raise RuntimeError(f"rule ID {obj.id} is used by {found[obj.id].__name__} and {obj.__name__}")
            found[obj.id] = obj
    return tuple(found[rule_id]() for rule_id in sorted(found))


def spec_rules() -> tuple[SpecRule, ...]:
    return tuple(r for r in all_rules() if isinstance(r, SpecRule))


def fleet_rules() -> tuple[FleetRule, ...]:
    return tuple(r for r in all_rules() if isinstance(r, FleetRule))


def template_rules() -> tuple[TemplateRule, ...]:
    return tuple(r for r in all_rules() if isinstance(r, TemplateRule))


def rule(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.id == rule_id), None)
