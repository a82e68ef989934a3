"""generator.lint_speedups: the fast path finds exactly what plain cfn-lint finds.

Plain cfn-lint runs in a process of its own (the speed-ups patch cfn-lint for the whole
process), over every demo, example and golden template, and over broken copies of them, so
the error paths (the messages cfn-lint writes when a check fails) are compared too.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator import lint_speedups, pipeline
from generator.lint import Linter
from generator.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"

# Each breaks one kind of check the speed-ups touch: enum (resource types, runtimes, Ref
# targets), GetAtt attributes and targets, Sub variables, types and ranges, E1101 keywords.
BREAKAGES = {
    "unknown runtime": (r"Runtime: python3\.\d+", "Runtime: python2.7"),
    "unknown resource type": (r"Type: AWS::SQS::Queue\b", "Type: AWS::SQS::Queu"),
    "Ref to nothing": (r"Ref: (?!AWS::)\w+", "Ref: NoSuchResource"),
    "GetAtt of an unknown attribute": (r"(Fn::GetAtt:\n\s+- \w+\n\s+- )Arn", r"\1NoSuchAttribute"),
    "GetAtt of nothing": (r"(Fn::GetAtt:\n\s+- )\w+", r"\1NoSuchResource"),
    "Sub of an unknown variable": (r"\$\{AWS::Region\}", "${NoSuchVariable}"),
    "memory out of range": (r"MemorySize: \d+", "MemorySize: 100000"),
    "timeout of the wrong type": (r"Timeout: \d+", "Timeout: ten"),
    "retention not allowed": (r"RetentionInDays: \d+", "RetentionInDays: 31"),
    "boolean-looking enum value": (r"Runtime: python3\.\d+", "Runtime: 'true'"),
}

PLAIN = """
import dataclasses, json, sys
from generator import lint_speedups
from generator.lint import Linter
linter = Linter([sys.argv[1]], fast=False)
assert not lint_speedups._installed, "plain cfn-lint must not be patched"
print(json.dumps([[list(map(str, dataclasses.astuple(f))) for f in linter.lint(open(p).read(), "")] for p in sys.argv[2:]]))
"""


def _golden_templates() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "tests/golden").rglob("template.yaml"))}


def _example_templates() -> dict[str, str]:
    """Every example's templates in a persistent stage, and the ephemeral-stage example's in a
    pull request's stage too (the demo's pull-request stage is among the golden templates)."""
    texts = {}
    for directory in sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir()):
        ws = load_workspace([directory])
        for stage in ("dev", "pr-42") if directory.name == "ephemeral-stage" else ("dev",):
            for artifact in pipeline.check(ws, stage, code=False).artifacts:
                texts[f"{directory.name}/{stage}/{artifact.stack}"] = artifact.text
    return texts


def _broken(texts: dict[str, str]) -> dict[str, str]:
    """Every breakage applied to the smallest of the demo's dev templates it fits (lint time
    grows with the template)."""
    demo = {name: text for name, text in sorted(texts.items(), key=lambda item: len(item[1]))
            if name.startswith("tests/golden/dev/")}
    broken = {}
    for label, (pattern, replacement) in BREAKAGES.items():
        for name, text in demo.items():
            changed, count = re.subn(pattern, replacement, text, count=1)
            if count:
                broken[f"{name} ({label})"] = changed
                break
        else:
            raise AssertionError(f"no demo template has anything to break for {label!r}")
    return broken


@pytest.mark.e2e
def test_fast_findings_equal_plain_cfn_lint(tmp_path):
    texts = _golden_templates()
    texts.update(_broken(texts))
    texts.update(_example_templates())
    paths = []
    for index, text in enumerate(texts.values()):
        path = tmp_path / f"{index}.yaml"
        path.write_text(text)
        paths.append(str(path))
    # plain cfn-lint in its own process, at the same time as the fast path in this one
    plain = subprocess.Popen([sys.executable, "-c", PLAIN, REGION, *paths], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    fast = Linter([REGION])
    assert lint_speedups._installed
    found = [[list(map(str, dataclasses.astuple(f))) for f in fast.lint(text, "")] for text in texts.values()]
    out, _ = plain.communicate()
    assert plain.returncode == 0
    assert dict(zip(texts, found)) == dict(zip(texts, json.loads(out)))
    # not a vacuous comparison: every broken copy has findings the clean one has not
    for name in texts:
        if "(" in name:
            assert found[list(texts).index(name)], f"{name}: the breakage found nothing"


def test_written_for_the_pinned_cfn_lint():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert f"cfn-lint=={lint_speedups.CFN_LINT_VERSION}" in pins, (
        "cfn-lint's pin moved: review generator/lint_speedups.py against the new version, then update "
        "CFN_LINT_VERSION")


def test_another_cfn_lint_version_is_linted_plain(monkeypatch):
    monkeypatch.setattr(lint_speedups, "version", lambda name: "0.0.0")
    monkeypatch.setattr(lint_speedups, "_installed", False)
    assert lint_speedups.install({}) is False
    assert lint_speedups._installed is False
