"""The rule registry: IDs are unique and tell the rule's kind, every rule says why and where the
fact comes from, and every rule has a failing and a passing case in tests/rules/ (the rules of
`svcgen check`'s waivers file and its SVC0000 for unreadable files, which check no spec, are tested
in tests/unit/test_waivers.py and tests/unit/test_check_report.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.rules import registry
from generator.rules.base import FleetRule, SpecRule, TemplateRule

HERE = Path(__file__).resolve().parent
RULES = registry.all_rules()
# Rules that judge specs, the fleet, templates or the platform team's policy (the others: the waivers
# file's, and SVC0000).
SPEC_CHECKS = tuple(r for r in RULES if r.kind in ("spec", "fleet", "template", "platform"))


def test_ids_are_unique_and_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    for rule in RULES:
        assert re.fullmatch(r"SVC[0-9]\d{3}", rule.id), rule.id
        assert rule.id.startswith(rule.prefix), (rule.id, rule.kind)


def test_kinds_have_their_prefix():
    assert (SpecRule.prefix, FleetRule.prefix, TemplateRule.prefix) == ("SVC1", "SVC2", "SVC3")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_documents_itself(rule):
    assert rule.summary and rule.rationale and rule.source
    assert rule.severity in ("error", "warning")
    assert rule.source.startswith("https://") or (HERE.parents[1] / rule.source).is_file(), rule.source
    module = type(rule).__module__
    assert module.startswith(f"generator.concerns.{rule.concern}.") or module in registry.CHECK_RULE_MODULES, \
        (rule.id, rule.concern)


def test_a_duplicate_id_is_refused(monkeypatch):
    monkeypatch.setattr(registry, "RULE_MODULES", registry.RULE_MODULES + ("tests.rules.duplicate_rule",))
    registry.all_rules.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="rule ID SVC1101 is used by"):
            registry.all_rules()
    finally:
        registry.all_rules.cache_clear()


@pytest.mark.parametrize("rule", SPEC_CHECKS, ids=lambda r: r.id)
def test_every_rule_has_a_failing_and_a_passing_case(rule):
    tests = "\n".join(p.read_text() for p in HERE.glob("test_*.py"))
    assert re.search(rf'fails\(\s*"{rule.id}"', tests), f"no fails(\"{rule.id}\", ...) in tests/rules/"
    assert re.search(rf'passes\(\s*"{rule.id}"', tests), f"no passes(\"{rule.id}\", ...) in tests/rules/"
