"""The concern registry (generator/concerns/registry.py): every concern is declared there, each
part it declares exists, and every phase runs from it."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from generator.codegen.templates import TEMPLATES_DIR
from generator.concerns import registry
from generator.resolve import resolve_service
from generator.rules.registry import CHECK_RULE_MODULES, RULE_MODULES, all_rules
from generator.spec.model import FunctionSpec
from generator.stages import resolve_stage

CONCERNS_DIR = Path(registry.__file__).parent
NAMES = [c.name for c in registry.CONCERNS]


def test_every_concern_folder_is_registered_once():
    folders = sorted(p.name for p in CONCERNS_DIR.iterdir() if (p / "concern.py").is_file())
    assert sorted(NAMES) == folders and len(set(NAMES)) == len(NAMES)
    assert {"function", "queue", "subscription", "events", "http", "event_store", "idempotency", "alarms",
            "workflow", "encryption", "service", "schedule"} <= set(NAMES)


@pytest.mark.parametrize("concern", registry.CONCERNS, ids=NAMES)
def test_declared_modules_exist_and_live_in_the_concern(concern):
    for module in (*concern.rules_modules, concern.resolve_module, concern.render_module):
        if module is not None:
            assert module.startswith(f"generator.concerns.{concern.name}."), module
            importlib.import_module(module)
    if concern.render_module:
        assert callable(importlib.import_module(concern.render_module).render)
    if concern.resolve_module:
        module = importlib.import_module(concern.resolve_module)
        assert {"function_fields", "service_fields", "extension"} & set(vars(module))


def test_rule_modules_are_exactly_the_concerns_and_each_holds_rules():
    assert RULE_MODULES == tuple(m for c in registry.CONCERNS for m in c.rules_modules) + CHECK_RULE_MODULES
    owners = {rule.__module__ for rule in all_rules()}
    assert owners == set(RULE_MODULES)  # no declared module without a rule, no rule outside one


def test_every_function_field_comes_from_exactly_one_fragment():
    owners: dict[str, str] = {}
    for concern in registry.CONCERNS:
        for field in (concern.function_fragment.model_fields if concern.function_fragment else ()):
            assert field not in owners, f"{field} declared by {owners[field]} and {concern.name}"
            owners[field] = concern.name
    assert set(owners) == set(FunctionSpec.model_fields)
    assert owners["subscribe"] == "subscription" and owners["http"] == "http" and owners["starts"] == "workflow"


FIELD_DECIDERS = [c for c in registry.CONCERNS
                  if c.resolve_module and {"function_fields", "service_fields"} & set(
                      vars(importlib.import_module(c.resolve_module)))]


@pytest.mark.parametrize("concern", FIELD_DECIDERS, ids=[c.name for c in FIELD_DECIDERS])
def test_resolution_takes_each_concerns_fields_from_it(concern, monkeypatch, demo_workspace):
    """Without a concern's resolve functions, a field it decides is missing (TypeError): the
    resolved shapes get them from the concerns, never from a silent default."""
    module = importlib.import_module(concern.resolve_module)
    for hook in ("function_fields", "service_fields"):
        if hasattr(module, hook):
            monkeypatch.setattr(module, hook, lambda *args: {})
    item = demo_workspace.services[0]
    with pytest.raises(TypeError, match="missing"):
        resolve_service(item.spec, demo_workspace.platform, resolve_stage("dev", demo_workspace.platform))


def test_every_kind_has_its_templates_and_one_fallback():
    kinds = [c.kind for c in registry.CONCERNS if c.kind]
    assert len(set(kinds)) == len(kinds)
    assert [c.kind for c in registry.CONCERNS if c.fallback] == ["direct"]
    for kind in kinds:
        for template in (f"{kind}.py.j2", f"handlers/{kind}.py.j2", f"tests/{kind}.py.j2"):
            assert (TEMPLATES_DIR / template).is_file(), template
    assert registry.by_kind("queue").name == "subscription" and registry.by_kind("task").name == "workflow"
