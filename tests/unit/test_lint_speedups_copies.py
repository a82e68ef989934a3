"""generator.lint_speedups' copies (`evolve`, `descend`) give what cfn-lint's own code gives.

The equality test over whole templates (test_lint_speedups.py) proves the findings; these pin
the semantics that a clean template may never exercise: what is shared and what is fresh,
what is reset, and what raises.
"""

from __future__ import annotations

from collections import deque

import pytest
from cfnlint.context import create_context_for_template
from cfnlint.context.context import Path
from cfnlint.jsonschema._filter import FunctionFilter
from cfnlint.jsonschema.validators import CfnTemplateValidator
from cfnlint.template import Template

from generator.lint import Linter


@pytest.fixture(scope="module", autouse=True)
def speedups_installed():
    Linter()  # installs them, once per process


def _path() -> Path:
    return Path(path=deque(["Resources", "Fn"]), value_path=deque(), cfn_path=deque(["Resources", "AWS::Lambda::Function"]))


def test_descend_grows_only_the_given_paths_and_shares_the_rest():
    before = _path()
    after = before.descend(path="Properties", cfn_path="Properties")
    assert list(after.path) == ["Resources", "Fn", "Properties"]
    assert list(after.cfn_path) == ["Resources", "AWS::Lambda::Function", "Properties"]
    assert list(before.path) == ["Resources", "Fn"], "the parent's path must not change"
    assert after.value_path is before.value_path  # cfn-lint shares an unchanged deque too
    assert after.path is not before.path


@pytest.mark.parametrize("step", ["Fn::Sub", 3])
def test_descend_refuses_what_cfn_lint_refuses(step):
    with pytest.raises(ValueError):
        _path().descend(cfn_path=step)


def test_an_unknown_field_raises_as_the_constructor_does():
    with pytest.raises(TypeError):
        _path().descend(nothing="x")
    with pytest.raises(TypeError):
        _path().evolve(nothing="x")
    with pytest.raises(TypeError):
        FunctionFilter().evolve(nothing="x")


def test_context_evolve_merges_ref_values_and_copies_every_other_field():
    template = Template("", {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}, ["eu-west-1"])
    context = create_context_for_template(template).evolve(ref_values={"A": 1})
    evolved = context.evolve(ref_values={"B": 2}, strict_types=False)
    assert evolved.ref_values == {"A": 1, "B": 2} and context.ref_values == {"A": 1}
    assert evolved.strict_types is False and context.strict_types is True
    assert evolved.resources is context.resources and evolved.regions is context.regions
    assert "Q" in evolved.resources


def test_function_filter_evolve_keeps_settings_and_makes_its_own_group_list():
    base = FunctionFilter(add_cfn_lint_keyword=False)
    evolved = base.evolve(validate_dynamic_references=False)
    assert (evolved.add_cfn_lint_keyword, evolved.validate_dynamic_references) == (False, False)
    assert evolved.group_functions == base.group_functions
    assert evolved.group_functions is not base.group_functions  # a fresh list, as its factory makes
    assert evolved.evolve().group_functions is not base.evolve().group_functions  # each copy its own


def _validator():
    """A validator of a class made after the speed-ups are in, as every rule's is."""
    return CfnTemplateValidator(schema={}).extend()(schema={"type": "string"})


def test_validator_evolve_resets_replaced_keyword_tables_like_the_constructor():
    """cfn-lint's GetAtt check narrows one validator's `validators` to {"type": ...}; the
    validators evolved from it (every descend) get the class's full table back."""
    validator = _validator()
    full = validator.validators
    validator.validators = {"type": full["type"]}
    child = validator.evolve(schema={"minLength": 1})
    assert child.validators is full
    assert child.schema == {"minLength": 1} and child.context is validator.context


def test_validator_evolve_fills_a_missing_context_and_resolver():
    validator = _validator()
    child = validator.evolve(context=None, resolver=None)
    assert child.context is not None and child.resolver is not None


NESTED = {
    "Resources": {
        "A": {"Type": "AWS::SQS::Queue", "Properties": {"Ref": {"Ref": "B"}, "Tags": [{"Ref": "C"}]}},
        "B": {"Type": "AWS::SQS::Queue", "Condition": "IsProd"},
    },
    "Conditions": {"IsProd": {"Fn::Equals": ["a", "b"]}},
    "Outputs": {"O": {"Value": {"Ref": "A"}, "Condition": "IsProd"}},
}


def _plain_search(template: Template, key, include_globals=True):
    """cfn-lint's own search_deep_keys body, for comparison."""
    results = template._search_deep_keys(key, template.template, [])
    if include_globals:
        results += [["Globals", *p] for p in template._search_deep_keys(key, template.transform_pre.get("Globals"), [])]
    return results


@pytest.mark.parametrize("key", ["Ref", "Condition", "Type", "Nothing"])
def test_key_search_returns_cfn_lints_paths_in_its_order(key):
    template = Template("", NESTED, ["eu-west-1"])
    assert template.search_deep_keys(key) == _plain_search(template, key)
    assert template.search_deep_keys(key, False) == _plain_search(template, key, False)
    assert key == "Nothing" or template.search_deep_keys(key), "the corpus must hold the key"


def test_key_search_sees_a_changed_template_after_cfn_lints_cache_clear():
    """A transform replaces the template and clears cfn-lint's cache; the index goes too."""
    template = Template("", NESTED, ["eu-west-1"])
    template.search_deep_keys("Ref")
    template.template = {"Resources": {"X": {"Type": "AWS::SQS::Queue", "Properties": {"Ref": 1}}}}
    template._cache_clear()
    assert template.search_deep_keys("Ref") == [["Resources", "X", "Properties", "Ref", 1]]
    template.template["Outputs"] = {"O": {"Value": {"Ref": "X"}}}  # changed in place
    template._cache_clear()
    assert template.search_deep_keys("Ref") == _plain_search(template, "Ref")
    assert len(template.search_deep_keys("Ref")) == 2


def test_key_search_covers_sam_globals_kept_from_before_the_transform():
    template = Template("", NESTED, ["eu-west-1"])
    template.transform_pre["Globals"] = {"Function": {"Environment": {"Ref": "G"}}}
    template._cache_clear()
    found = template.search_deep_keys("Ref")
    assert found == _plain_search(template, "Ref")
    assert ["Globals", "Function", "Environment", "Ref", "G"] in found
    assert ["Globals", "Function", "Environment", "Ref", "G"] not in template.search_deep_keys("Ref", False)


def test_schema_lookups_are_the_same_objects_the_resolver_finds():
    from cfnlint.schema.resolver import RefResolver

    schema = {"$id": "root", "definitions": {"T": {"id": "#named", "type": "string"}, "U": {"type": "integer"}}}
    first, second = RefResolver.from_schema(schema), RefResolver.from_schema(schema)
    assert first.resolve_fragment(schema, "named") is schema["definitions"]["T"]
    assert second.resolve_fragment(schema, "/definitions/U") is schema["definitions"]["U"]
    other = {"definitions": {"U": {"type": "boolean"}}}
    assert second.resolve_fragment(other, "/definitions/U") is other["definitions"]["U"]
    assert first._get_subschemas_cache()["$id"] == [schema]
    assert RefResolver.from_schema(other)._get_subschemas_cache()["$id"] == []


def test_is_type_answers_as_the_type_checker_and_refuses_unknown_types():
    from cfnlint.jsonschema.exceptions import UnknownType

    validator = _validator()
    for instance, kind, expected in [("a", "string", True), (1, "string", False), (True, "boolean", True),
                                     ({"Ref": "X"}, "object", True), ([], "array", True), ("1", "integer", False)]:
        assert validator.is_type(instance, kind) is validator._type_checker.is_type(instance, kind) is expected
    with pytest.raises(UnknownType):
        validator.is_type("a", "no such type")
