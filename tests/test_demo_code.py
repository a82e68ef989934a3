"""The demo services' code: generated plumbing is current, and each service's own tests pass.

Each service runs in its own pytest process: every service has top-level `plumbing` and
`handlers` packages, which must not meet in one interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import pipeline
from generator.output import Outcome
from generator.ownership import apply

SPECS = Path(__file__).resolve().parent.parent / "specs"
SERVICES = sorted(p.stem for p in SPECS.glob("*.yaml") if p.stem != "platform")


def test_checked_in_plumbing_is_current(demo_workspace):
    stage = pipeline.resolve_stage("dev", demo_workspace.platform)
    results = apply(pipeline.plan_code(demo_workspace, stage), dry_run=True)
    stale = [str(r.path) for r in results if r.outcome not in (Outcome.IDENTICAL, Outcome.SKIPPED)]
    assert stale == [], "generated code is stale: run `svcgen build`"


@pytest.mark.parametrize("service", SERVICES)
def test_service_tests_pass(service):
    code = SPECS / service
    # Nothing of this process's environment that the service's test environment would keep (it
    # sets only what is unset): AWS configuration, and variables another test may have left.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "EVENT_"))}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "tests"],
                         cwd=code, env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
