"""A cfn-lint finding on a rendered resource is shown at the spec line the resource came from."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator import pipeline
from generator.serialize import to_yaml
from generator.stages import resolve_stage
from generator.workspace import load_workspace

SPEC = """\
service: statements
owner: team
description: Monthly statements.
functions:
  render-statement:
    timeout: 30
    memory: 256
"""


def test_a_lint_finding_points_at_the_spec_line(tmp_path, linter):
    (tmp_path / "platform.yaml").write_text("org: acme\n")
    (tmp_path / "statements.yaml").write_text(SPEC)
    ws = load_workspace([tmp_path])
    artifact = next(a for a in pipeline.render_all(ws, resolve_stage("pr-1", ws.platform)) if a.stack == "statements")
    # Break the rendered function the way a bug in a component would: cfn-lint must catch it.
    template = artifact.template
    template["Resources"]["RenderStatement"]["Properties"]["MemorySize"] = 64  # Lambda's minimum is 128
    broken = dataclasses.replace(artifact, text=to_yaml(template), template=template)
    findings = linter.lint(broken.text, "template.yaml")
    finding = next(f for f in findings if f.resource == "RenderStatement")
    line = pipeline.describe_finding(Path("build"), broken, finding)
    # functions.render-statement is line 5 of the spec, column 3
    assert line.startswith(f"{ws.services[0].doc.file}:5:3: {finding.severity}: {finding.rule_id} [RenderStatement] ")
    assert line.endswith(f"(build/pr-1/statements/template.yaml:{finding.line})")
