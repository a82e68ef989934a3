"""The runtime library the generated code pins: one version in runtime/, the same in svcgen's pin
and its dependency; each service's requirements.txt; and an upgrade of svcgen that rebuilds a
service changes its pin and nothing of the developer's."""

from __future__ import annotations

import importlib.metadata
import tomllib

from packaging.requirements import Requirement

import svcgen_runtime
from generator.codegen import runtime_pin
from generator.output import Outcome
from generator.ownership import OWNED, apply
from tests.conftest import ROOT
from tests.unit.codegen_support import generate, plan
from tests.unit.helpers import rendered

RUNTIME_PYPROJECT = tomllib.loads((ROOT / "runtime" / "pyproject.toml").read_text())
SVCGEN_PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_svcgen_generates_code_for_the_runtime_of_this_checkout():
    assert runtime_pin.RUNTIME_VERSION == svcgen_runtime.__version__
    assert svcgen_runtime.__file__.startswith(str(ROOT / "runtime"))  # not some other installed copy
    # ... and the installed distribution says so too (an install older than the checkout fails here)
    assert importlib.metadata.version(runtime_pin.RUNTIME_DISTRIBUTION) == runtime_pin.RUNTIME_VERSION
    assert RUNTIME_PYPROJECT["project"]["name"] == runtime_pin.RUNTIME_DISTRIBUTION


def test_svcgen_depends_on_exactly_that_runtime():
    """`svcgen invoke` and a service's tests run the generated code in svcgen's environment."""
    pins = [r for r in map(Requirement, SVCGEN_PYPROJECT["project"]["dependencies"])
            if r.name == runtime_pin.RUNTIME_DISTRIBUTION]
    assert [str(r.specifier) for r in pins] == [f"=={runtime_pin.RUNTIME_VERSION}"]


def test_a_service_requires_what_the_runtime_requires_written_the_same():
    assert list(runtime_pin.RUNTIME_REQUIREMENTS) == RUNTIME_PYPROJECT["project"]["dependencies"]
    # boto3 goes with the botocore that Powertools' tracer brings (runtime/pyproject.toml)
    assert "boto3" in [Requirement(r).name for r in runtime_pin.RUNTIME_REQUIREMENTS]


def test_requirements_txt_is_owned_says_it_is_generated_and_pins_the_runtime(demo_workspace, tmp_path):
    files = {f.path.relative_to(tmp_path).as_posix(): f for f in plan(demo_workspace, "ledger", tmp_path)}
    planned = files["requirements.txt"]
    assert planned.owner == OWNED
    lines = planned.body.splitlines()
    comments = [line for line in lines if line.startswith("#")]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert requirements == [f"svcgen-runtime=={runtime_pin.RUNTIME_VERSION}", *runtime_pin.RUNTIME_REQUIREMENTS]
    assert [Requirement(r).name for r in requirements][0] == "svcgen-runtime"  # pip reads every line
    assert "svcgen rewrites this file on every" in " ".join(comments)
    assert ("--python-version 3.12 --platform manylinux2014_aarch64 --only-binary=:all:" in
            " ".join(comments))  # wheels for the functions' runtime and machine
    assert planned.body == {f.path.relative_to(tmp_path).as_posix(): f
                            for f in plan(demo_workspace, "ledger", tmp_path)}["requirements.txt"].body


def test_the_install_command_builds_for_the_machine_the_functions_run_on():
    assert runtime_pin.LAMBDA_PLATFORM.endswith("_aarch64")
    functions = [r["Properties"] for r in rendered("service: ab\nowner: o\ndescription: d\nfunctions:\n  fn: {}\n")[
        "Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions and {tuple(f["Architectures"]) for f in functions} == {("arm64",)}


def test_upgrading_svcgen_and_rebuilding_changes_the_pin_and_nothing_of_the_developers(
        demo_workspace, tmp_path, monkeypatch):
    code = generate(demo_workspace, "ledger", tmp_path)
    # The developer's work since: a handler and a test of theirs.
    (code / "handlers" / "post_transaction.py").write_text("def handle(event):\n    return 'mine'\n")
    (code / "tests" / "test_post_transaction.py").write_text("def test_mine():\n    assert True\n")
    before = {p.relative_to(code).as_posix(): p.read_bytes() for p in sorted(code.rglob("*")) if p.is_file()}

    monkeypatch.setattr(runtime_pin, "RUNTIME_VERSION", "0.2.0")  # the next svcgen's runtime
    planned = plan(demo_workspace, "ledger", code)
    results = {r.path.relative_to(code).as_posix(): r.outcome for r in apply(planned)}
    after = {p.relative_to(code).as_posix(): p.read_bytes() for p in sorted(code.rglob("*")) if p.is_file()}

    changed = sorted(path for path in after if before.get(path) != after[path])
    assert changed == ["requirements.txt"]
    assert "svcgen-runtime==0.2.0" in after["requirements.txt"].decode().splitlines()
    assert {path for path, outcome in results.items() if outcome is Outcome.UPDATED} == {"requirements.txt"}
    owners = {f.path.relative_to(code).as_posix(): f.owner for f in planned}
    assert {results[path] for path in owners if owners[path] != OWNED} == {Outcome.SKIPPED}
