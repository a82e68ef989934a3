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


@pytest.mark.parametrize("stage", STAGES)
def test_templates_match_goldens(stage, demo_workspace, linter, tmp_path, request):
    result = pipeline.build(demo_workspace, stage, tmp_path, linter=linter)
    assert not result.findings, [f.render(str(a.relpath)) for a, f in result.findings]
    built = {p.relative_to(tmp_path): p.read_text() for p in sorted((tmp_path / stage).rglob("*.yaml"))}
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(GOLDEN / stage, ignore_errors=True)
        for rel, text in built.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text)
    golden = {p.relative_to(GOLDEN): p.read_text() for p in sorted((GOLDEN / stage).rglob("*.yaml"))}
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
