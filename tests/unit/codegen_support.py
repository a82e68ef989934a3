"""Generating a demo service's code into a temporary directory, and running code in it.

Every service's code has top-level packages named `plumbing` and `handlers`, so two services
never share a Python process: code is run in a subprocess with the code directory on its path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from generator.codegen import plan_service_code
from generator.ownership import apply
from generator.resolve import resolve_service
from generator.stages import resolve_stage


def service_input(ws, name: str):
    return next(s for s in ws.services if s.spec.service == name)


def plan(ws, name: str, root: Path, stage: str = "dev", item=None):
    item = item or service_input(ws, name)
    svc = resolve_service(item.spec, ws.platform, resolve_stage(stage, ws.platform))
    return plan_service_code(item, ws, svc, root)


def generate(ws, name: str, root: Path, item=None) -> Path:
    code = root / name
    apply(plan(ws, name, code, item=item))
    return code


def clean_env(code_dir: Path) -> dict:
    """The environment of a child process: the code directory first on the path, no AWS
    configuration of the machine (the generated test environment brings its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "EVENT_"))}
    env["PYTHONPATH"] = str(code_dir)
    return env


def run_python(code_dir: Path, script: str) -> subprocess.CompletedProcess:
    """Run `script` in a fresh interpreter inside the code directory, after the generated test
    environment is set (as tests/conftest.py does); tests/svcgen_support.py is importable."""
    prelude = ("import sys\nsys.path.insert(1, 'tests')\n"
               "from svcgen_support import use_test_environment\nuse_test_environment()\n")
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(script)], cwd=code_dir,
                          env=clean_env(code_dir), capture_output=True, text=True, timeout=120)


def run_generated_tests(code_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", str(code_dir / "tests"), "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", "--rootdir", str(code_dir)], cwd=code_dir, env=clean_env(code_dir),
                          capture_output=True, text=True, timeout=300)
