"""Run rules on small inline specs, the way `svcgen validate` runs them.

`fails(ID, spec, *others)` asserts that rule ID reports something on `spec` (given the other
specs of the build as YAML text) and returns its findings, so a test can pin the key path, line
and wording; `passes(ID, spec, *others)` asserts it reports nothing. Every rule has at least one
of each (tests/rules/test_rule_registry.py checks it by reading the test files).
"""

from __future__ import annotations

import textwrap

from generator.errors import SpecError
from generator.rules import registry
from generator.rules.base import Fleet, FleetRule, ServiceInput, SpecContext
from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document

PLATFORM_YAML = "org: acme\n"
# A publisher of AccountOpened(account_id) for subscribers to subscribe to.
ACCOUNTS = """
service: accounts
owner: team
description: d
publishes: [AccountOpened]
events: {AccountOpened: {fields: {account_id: {type: string}}}}
functions: {open: {}}
"""



def fleet_of(*texts: str, platform: str = PLATFORM_YAML) -> Fleet:
    """A build of the given specs (each file named after its `service:`), in that order."""
    platform_doc = load_text(textwrap.dedent(platform), "platform.yaml")
    items = []
    for text in texts:
        text = textwrap.dedent(text)
        name = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("service:"))
        doc = load_text(text, f"{name}.yaml")
        items.append(ServiceInput(doc, validate_document(doc, ServiceSpec)))
    return Fleet(platform_doc, validate_document(platform_doc, PlatformSpec), items)


def run(rule_id: str, *texts: str, platform: str = PLATFORM_YAML) -> list[SpecError]:
    """What one rule finds in a build of `texts` (a spec rule: on every spec of it)."""
    rule = registry.rule(rule_id)
    assert rule is not None, f"no rule {rule_id}"
    fleet = fleet_of(*texts, platform=platform)
    if isinstance(rule, FleetRule):
        found = list(rule.check(fleet))
    else:
        found = [e for item in fleet.services
                 for e in rule.check(SpecContext(item.doc, item.spec, fleet.platform, fleet))]
    assert all(e.rule == rule_id and e.severity == rule.severity for e in found)
    return sorted(found)


def fails(rule_id: str, *texts: str, platform: str = PLATFORM_YAML) -> list[SpecError]:
    found = run(rule_id, *texts, platform=platform)
    assert found, f"{rule_id} found nothing"
    return found


def passes(rule_id: str, *texts: str, platform: str = PLATFORM_YAML) -> None:
    found = run(rule_id, *texts, platform=platform)
    assert found == [], [e.render() for e in found]


def where(errors: list[SpecError]) -> list[tuple[str, int, str]]:
    """(file, line, key path) of each finding."""
    return [(e.file, e.line, e.path) for e in errors]
