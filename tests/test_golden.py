"""Golden templates per (spec, stage): any change to generated output shows up as a reviewed diff.

Regenerate after an intended change with:  python -m pytest tests/test_golden.py --update-goldens
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline

GOLDEN = Path(__file__).parent / "golden"
STAGES = ("dev", "pr-123")
# A platform that changes every default it may (tests/tuned/): its own goldens, so a platform
# setting that stops reaching the output shows up as a diff.
TUNED = Path(__file__).parent / "tuned"
TUNED_STAGES = ("main", "pr-9")


@pytest.mark.parametrize("stage", STAGES)
def test_templates_match_goldens(stage, demo_workspace, tmp_path, request):
    _compare(pipeline.build(demo_workspace, stage, tmp_path, lint=False, code=False), tmp_path, stage, GOLDEN,
             request)


@pytest.mark.parametrize("stage", TUNED_STAGES)
def test_tuned_platform_templates_match_goldens(stage, tmp_path, request):
    from generator.workspace import load_workspace

    result = pipeline.build(load_workspace([TUNED]), stage, tmp_path, lint=False, code=False)
    _compare(result, tmp_path, stage, GOLDEN / "tuned", request)


@pytest.mark.e2e  # cfn-lint over every golden: seconds, so it is in the slow tier
def test_every_golden_is_lint_clean(linter):
    """The goldens above equal what svcgen builds; here they pass cfn-lint (informational and
    serverless rules), so every reviewed template is one AWS's linter accepts."""
    goldens = sorted(GOLDEN.rglob("template.yaml"))
    assert len(goldens) >= 14
    findings = {str(p.relative_to(GOLDEN)): [f"{f.rule_id} {f.message}" for f in linter.lint(p.read_text(), "t.yaml")]
                for p in goldens}
    assert {k: v for k, v in findings.items() if v} == {}


def _compare(result, out: Path, stage: str, golden_dir: Path, request) -> None:
    assert not result.findings, [f"{a.relpath}: {f.rule_id} {f.message}" for a, f in result.findings]
    built = {p.relative_to(out): p.read_text() for p in sorted((out / stage).rglob("*.yaml"))}
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(golden_dir / stage, ignore_errors=True)
        for rel, text in built.items():
            (golden_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden_dir / rel).write_text(text)
    golden = {p.relative_to(golden_dir): p.read_text() for p in sorted((golden_dir / stage).rglob("*.yaml"))}
    assert sorted(built) == sorted(golden), "set of generated files changed; regenerate goldens"
    for rel in built:
        assert built[rel] == golden[rel], f"{rel} differs from its golden; review and regenerate"


def test_demo_platform_has_both_stages_golden():
    services = {p.stem for p in (GOLDEN.parent.parent / "specs").glob("*.yaml")} - {"platform"}
    for stage in STAGES:
        assert {p.parent.name for p in (GOLDEN / stage).glob("*/template.yaml")} >= services


def test_two_builds_are_byte_identical(demo_workspace, tmp_path):
    first = pipeline.render_all(demo_workspace, pipeline.resolve_stage("dev", demo_workspace.platform))
    second = pipeline.render_all(demo_workspace, pipeline.resolve_stage("dev", demo_workspace.platform))
    assert [a.text for a in first] == [a.text for a in second]
