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
