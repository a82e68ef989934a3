"""Inputs that ended in a traceback or a bad message, pinned as plain tests beside the fuzzer that
hunts for more (the CLI-level cases are in the bad-input corpus, tests/bad_specs/)."""

from __future__ import annotations

import pytest
from pydantic import Field
from typing_extensions import TypedDict

from generator.cli import main
from generator.errors import SpecError, SpecErrors, UsageError
from generator.spec.load import SHOWN_MAX, load_text, shown, shown_path
from generator.spec.model import ServiceSpec, Strict
from generator.spec.platform import REGION, PlatformSpec, known_regions
from generator.spec.validate import validate_document
from generator.stages import resolve_stage
from tests.conftest import SPECS


def errors_of(text: str, model=None) -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        doc = load_text(text, "s.yaml")
        if model is not None:
            validate_document(doc, model)
    return sorted(caught.value.errors)


def rendered(text: str, model=None) -> list[str]:
    return [error.render() for error in errors_of(text, model)]


# --- stage names: a pattern guards a name only with fullmatch --------------------------------

@pytest.mark.parametrize("name", ["dev\n", "pr-1\n", "dev\r\n", "\ndev"])
def test_a_stage_name_with_a_newline_is_refused(name):
    platform = PlatformSpec.model_validate({"org": "acme"})
    with pytest.raises(UsageError, match="is not a valid stage name"):
        resolve_stage(name, platform)


def test_a_stage_with_a_trailing_newline_is_a_usage_error_on_the_command_line(tmp_path, capsys):
    code = main(["build", str(SPECS / "payments.yaml"), "--no-lint", "--dry-run", "--stage", "dev\n",
                 "--out", str(tmp_path / "out")])
    assert code == 2
    assert "svcgen: error: --stage 'dev\\n' is not a valid stage name" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_long_stage_name_is_quoted_cut():
    with pytest.raises(UsageError) as caught:
        resolve_stage("a" * 10_000, PlatformSpec.model_validate({"org": "acme"}))
    assert len(str(caught.value)) < 200


# --- regions: botocore's list, no network -----------------------------------------------------

def test_known_regions_are_the_regions_botocore_has_cloudformation_in():
    import boto3

    session = boto3.session.Session()
    everywhere = {region for partition in session.get_available_partitions()
                  for region in session.get_available_regions("cloudformation", partition_name=partition)}
    assert "eu-west-1" in known_regions() and "us-east-1" in known_regions()
    # every region the pattern can express; the rest (e.g. eusc-de-east-1) the pattern refuses anyway
    assert set(known_regions()) == {region for region in everywhere if __import__("re").fullmatch(REGION, region)}


def test_an_unknown_region_lists_every_known_region_at_the_region_line():
    [line] = rendered("org: acme\nregion: xx-nowhere-9\n", PlatformSpec)
    assert line.startswith("s.yaml:2:1: region: must be an AWS region that has CloudFormation, got 'xx-nowhere-9' "
                           f"(set it to one of the {len(known_regions())} regions botocore knows: af-south-1, ")
    assert all(region in line for region in known_regions())
    assert line.endswith("a region newer than the installed botocore needs an upgrade: `pip install -U boto3`)")


@pytest.mark.parametrize("region", ["EU-WEST-1", "eu-west-1 ", "Eu-West-1"])
def test_a_region_in_other_letters_gets_the_known_one_suggested(region):
    [error] = errors_of(f"org: acme\nregion: '{region}'\n", PlatformSpec)
    assert error.hint.startswith("did you mean `eu-west-1`")


def test_a_known_region_is_accepted():
    assert PlatformSpec.model_validate({"org": "acme", "region": "ap-southeast-2"}).region == "ap-southeast-2"


# --- YAML directives and explicit core tags ---------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("%YAML 1.0\n---\na: 1\n", "only YAML 1.2 is supported, the file declares %YAML 1.0"),
    ("%YAML 1.3\n---\na: 1\n", "only YAML 1.2 is supported, the file declares %YAML 1.3"),
    ("%YAML 1.2\n%YAML 1.2\n---\na: 1\n", "the %YAML directive is repeated; a document declares its version once"),
    ("%TAG ! tag:yaml.org,2002:\n---\na: 1\n",
     "the directive '%TAG' is not allowed in a spec; only %YAML 1.2 is (remove the line)"),
    ("%FOO bar\n---\na: 1\n", "the directive '%FOO' is not allowed in a spec; only %YAML 1.2 is (remove the line)"),
])
def test_every_directive_but_yaml_1_2_is_refused(text, message):
    assert [error.message for error in errors_of(text)] == [message]


def test_a_yaml_1_2_directive_is_fine():
    assert load_text("%YAML 1.2\n---\na: yes\n", "s.yaml").data == {"a": "yes"}


def test_a_directive_before_a_second_document_is_no_traceback():
    messages = [error.message for error in errors_of("a: 1\n...\n%YAML 1.0\n---\nb: 2\n")]
    assert "only YAML 1.2 is supported, the file declares %YAML 1.0" in messages


@pytest.mark.parametrize("value, text, kind", [
    ("!!int ''", "", "int"), ("!!float ''", "", "float"), ("!!bool ''", "", "bool"), ("!!int", "", "int"),
    ("!!bool yes", "yes", "bool"), ("!!bool on", "on", "bool"), ("!!null x", "x", "null"),
    ("!!float abc", "abc", "float"),
])
def test_an_explicit_core_tag_needs_a_value_of_its_yaml_1_2_type(value, text, kind):
    [error] = errors_of(f"a:\n  b: {value}\n")
    assert (error.path, error.message) == ("a.b", f"'{text}' is not a valid !!{kind}")


@pytest.mark.parametrize("value, plain", [("!!int 0x1F", 31), ("!!float 1.5", 1.5), ("!!bool TRUE", True),
                                          ("!!null ~", None), ("!!null", None), ("!!str 10", "10")])
def test_an_explicit_core_tag_restating_a_yaml_1_2_value_is_fine(value, plain):
    assert load_text(f"a: {value}\n", "s.yaml").data == {"a": plain}


def test_a_number_python_cannot_read_is_an_error_not_a_traceback():
    [error] = errors_of("a: " + "9" * 5000 + "\n")
    assert (error.path, error.message) == ("a", "must be a number of at most 4300 digits, got 5000 digits")


def test_a_key_longer_than_yaml_allows_says_so():
    [error] = errors_of("a:\n  " + "k" * 1100 + ": 1\n")
    assert error.path == "a" and error.message.startswith("invalid YAML: a key is longer than 1024 characters")


# --- key paths of YAML-level errors: the event pass follows them ------------------------------

def test_anchors_aliases_and_tags_name_their_key():
    errors = errors_of("a:\n  b: [1, &x 2]\n  c:\n    - *x\n    - d: !Ref e\n")
    assert [(e.line, e.col, e.path) for e in errors] == [(2, 10, "a.b[1]"), (4, 7, "a.c[0]"), (5, 10, "a.c[1].d")]


def test_a_syntax_error_names_the_key_being_read():
    [error] = errors_of("a: 1\nb:\n  c: [1, 2\n  d: 3\n")
    assert error.path == "b.c" and "missing a ',' or its closing ']'" in error.message


# --- quoting user input: cut, and on one line -------------------------------------------------

def test_shown_cuts_and_escapes():
    assert shown("x" * 100) == "x" * (SHOWN_MAX - 3) + "..."
    assert shown("a\nb\tc\x00") == "a\\nb\\tc\\x00"
    assert shown("café 🙂") == "café 🙂"
    assert shown_path(("functions", "k" * 100, 0, "a\nb")) == f"functions.{'k' * 57}...[0].a\\nb"


def test_no_message_quotes_a_huge_value_in_full():
    huge = "x" * 10_000
    text = (f"service: {huge}\nowner: team\ndescription: d\nruntime: [{huge}]\nfunctions:\n  f{huge[:1000]}: {{}}\n"
            f"  ok:\n    timeout: '{huge}'\n    {huge[:900]}: 1\n    environment: {{A: [{huge}]}}\n")
    lines = rendered(text, ServiceSpec)
    assert len(lines) == 6
    assert all(len(line) < 400 for line in lines), [len(line) for line in lines]


def test_a_platform_validator_quotes_values_cut():
    runtime = "python3." + "1" * 5000
    [line] = rendered(f"org: acme\nruntimes:\n  default: {runtime}\n  allowed: [python3.12, {runtime}1]\n",
                      PlatformSpec)
    assert line.startswith("s.yaml:3:3: runtimes.default: must be one of runtimes.allowed ['python3.12', ")
    assert len(line) < 400


# --- workflow steps: errors at the key that is wrong ------------------------------------------

SPEC = "service: billing\nowner: team\ndescription: d\nfunctions:\n  charge: {}\nworkflows:\n  flow:\n    steps:\n"


@pytest.mark.parametrize("step, where", [
    ("      - call: charge\n        timeout: 0\n", (10, 9, "workflows.flow.steps[0].timeout")),
    ("      - call: charge\n        compensate: X\n", (10, 9, "workflows.flow.steps[0].compensate")),
    ("      - pause: wait\n        timeout: never\n", (10, 9, "workflows.flow.steps[0].timeout")),
    ("      - pause: wait\n        timeout: 3d\n        reviewer: 5\n", (11, 9, "workflows.flow.steps[0].reviewer")),
    ("      - choose: pick\n        field: x\n        when: {a: [{call: charge, timout: 1}]}\n",
     (11, 35, "workflows.flow.steps[0].when.a[0].timout")),
    ("      - pause: p\n        timeout: 1d\n", (9, 9, "workflows.flow.steps[0].pause")),
])
def test_an_error_inside_a_step_points_at_its_key(step, where):
    [error] = errors_of(SPEC + step, ServiceSpec)
    assert (error.line, error.col, error.path) == where


def test_a_step_without_a_kind_names_the_keys_it_has():
    [error] = errors_of(SPEC + "      - cal: charge\n        timeout: 5\n", ServiceSpec)
    assert error.message == "a step must have one of the keys `call`, `pause` or `choose`, got the keys cal, timeout"
    assert error.hint == "did you mean `call`?"


# --- a pydantic error kind nobody translated yet still has the one shape -----------------------

class Tiny(Strict):
    size: int | None = Field(None, multiple_of=5)


def test_an_untranslated_pydantic_error_still_says_what_was_given_at_its_key():
    [line] = rendered("size: 7\n", Tiny)
    assert line == "s.yaml:1:1: size: must be a valid value here, got 7 (Input should be a multiple of 5)"


class Point(TypedDict):
    x: int


class Shape(Strict):
    corner: Point | None = None


def test_a_schema_the_walk_does_not_know_falls_back_to_the_data():
    # a TypedDict is not walked along the schema: the document itself says where `x` is
    [error] = errors_of("corner:\n  x: one\n", Shape)
    assert (error.line, error.col, error.path, error.message) == (2, 3, "corner.x", "must be an integer, got 'one'")
