"""serialize.to_yaml writes the layout itself and each scalar through PyYAML: its text must be
byte for byte PyYAML's (`pyyaml_text`), on every template svcgen renders and on any data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import serialize
from generator.artifacts import render_all
from generator.serialize import canonical, pyyaml_text, to_yaml
from generator.stages import resolve_stage
from generator.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
FLEETS = [ROOT / "specs", ROOT / "tests" / "tuned", *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())]


@pytest.mark.parametrize("fleet", FLEETS, ids=lambda p: p.name)
def test_every_rendered_template_is_pyyamls_text(fleet):
    ws = load_workspace([fleet])
    for stage in (ws.platform.stages.persistent[0], "pr-42"):
        for artifact in render_all(ws, resolve_stage(stage, ws.platform)):
            assert artifact.text == pyyaml_text(canonical(artifact.template)), (fleet.name, stage, artifact.stack)


TRICKY = ["", " ", "a b", "yes", "No", "off", "y", "n", "~", "null", "1", "1.0", "0x1F", "1e3", "-", "- a", "a: b",
          "a:b", "#", "a #b", "'", "it's", '"', "{x}", "[x]", "*a", "&a", "!t", "%x", "@x", "`x", "a\nb", "a\n",
          " lead", "trail ", "é", "日本", "\t", "\x85", "\u2028", "a" * 130, "${AWS::Region}", "arn:aws:s3:::b/*",
          "2026-01-01", "12:30", "?", "? x", "|", ">", "=", "<<", "a:", "a::b", "_", "/", "/aws/lambda/x", "a-",
          "On", "NULL", "Null", "x" * 127, "x" * 128, "AWS::SQS::Queue", "Fn::GetAtt", "on_off", "e1", "b1:2"]
scalars = st.one_of(st.sampled_from(TRICKY), st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False))
keys = st.one_of(st.sampled_from(TRICKY), st.text(min_size=1, max_size=12))
data = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                    st.dictionaries(keys, inner, max_size=4)), max_leaves=25)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, data, max_size=5))
def test_any_data_is_written_as_pyyaml_writes_it(metadata):
    template = {"Metadata": metadata}
    text = to_yaml(template)
    assert text == pyyaml_text(canonical(template))  # (its round trip is PyYAML's: `\x85` is not)


# strings the as-is shortcut takes or nearly takes: its alphabet, YAML 1.1's other types, long ones
near_as_is = st.one_of(st.sampled_from(TRICKY), st.from_regex(r"[A-Za-z_/.\-:][A-Za-z0-9_./:\- ]{0,140}", fullmatch=True),
                       st.from_regex(r"(y|Y|n|N|o|O|t|T|f|F|nu|Nu|NU|\.)[A-Za-z0-9.:_-]{0,5}", fullmatch=True))


@settings(max_examples=400, deadline=None)
@given(near_as_is)
def test_a_string_written_as_it_is_is_what_pyyaml_writes(value):
    if serialize._as_is(value):
        assert pyyaml_text({"k": value}) == f"k: {value}\n"
        assert pyyaml_text({value: 0}) == f"{value}: 0\n"
        assert pyyaml_text([value]) == f"- {value}\n"


def test_the_as_is_shortcut_takes_most_of_a_template(monkeypatch):
    """Names, types, ARNs and Fn:: keys skip PyYAML's emitter; quoting cases do not."""
    assert all(serialize._as_is(v) for v in ("AWS::SQS::Queue", "Fn::GetAtt", "/aws/lambda/x", "acme-dev-ledger"))
    assert not any(serialize._as_is(v) for v in ("yes", "On", "null", "a:", "-a", "a b", "x" * 101, "1e3", ""))


def test_a_multi_line_string_sends_the_template_to_pyyaml(monkeypatch):
    calls = []
    monkeypatch.setattr(serialize, "pyyaml_text", lambda data: calls.append(data) or "pyyaml\n")
    serialize._value.cache_clear()
    assert to_yaml({"Description": "one\ntwo"}) == "pyyaml\n"
    assert calls[-1] == {"Description": "one\ntwo"}  # the whole template, not just the scalar
