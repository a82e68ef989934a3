"""svcgen as a newcomer gets it: a wheel built from this checkout, installed (not editable) into a
fresh virtual environment, and used in an empty directory outside any checkout: `init`, `new`, the
first natural edit of the spec, `build`, `validate`, and the new service's own tests.

One venv for the module (building and installing take about a minute). Nothing of svcgen's
checkout is importable there: not the source, not the editable install of the developer's venv.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "runtime"  # a second distribution (the generated code's runtime library), when present
PIP_TIMEOUT = 900
TOP_LEVEL_SKIPPED = {".git", ".venv", "build", "dist", "tests", "specs", "examples", "bench", "docs", "runtime"}
YAML_SAFE = YAML(typ="safe", pure=True)


@dataclass(frozen=True)
class Venv:
    bin: Path
    env: dict[str, str]
    wheels: list[Path]  # svcgen's, and the runtime library's when this checkout has one

    @property
    def version(self) -> str:
        return next(w for w in self.wheels if w.name.startswith("svcgen-")).name.split("-")[1]

    def run(self, *argv: str | Path, cwd: Path, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
        run = subprocess.run([str(a) for a in argv], cwd=cwd, env=self.env, capture_output=True, text=True,
                             timeout=timeout)
        if check:
            assert run.returncode == 0, f"{argv}: exit {run.returncode}\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        return run

    def svcgen(self, *argv: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
        return self.run(self.bin / "svcgen", *argv, cwd=cwd, check=check)

    @property
    def python(self) -> Path:
        return self.bin / "python"


def _wheel(source: Path, work: Path, out: Path) -> None:
    """`pip wheel` of a copy of the distribution's files: building in the checkout itself would
    leave setuptools' build/ and egg-info behind in it."""
    copy = work / f"src-{source.name}"
    caches = shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache")

    def ignore(directory: str, names: list[str]) -> set[str]:
        # At the top only what the distribution is not made of (the runtime/ there is its own).
        top = TOP_LEVEL_SKIPPED & set(names) if Path(directory) == source else set()
        return top | caches(directory, names)

    shutil.copytree(source, copy, ignore=ignore)
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(copy)],
                         capture_output=True, text=True, timeout=PIP_TIMEOUT)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Venv:
    work = tmp_path_factory.mktemp("wheel-install")
    assert not work.resolve().is_relative_to(ROOT)
    wheels = work / "wheels"
    _wheel(ROOT, work, wheels)
    if (RUNTIME / "pyproject.toml").is_file():
        _wheel(RUNTIME, work, wheels)
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=300)
    bin_dir = work / "venv" / "bin"
    # Nothing of this checkout, of the developer's venv, or of real AWS may leak in.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV"))}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(work / "venv"))
    venv = Venv(bin_dir, env, sorted(wheels.glob("*.whl")))
    venv.run(venv.python, "-m", "pip", "install", "-q", *venv.wheels, cwd=work, timeout=PIP_TIMEOUT)
    return venv


@dataclass(frozen=True)
class Flow:
    home: Path  # an empty directory outside the checkout
    repo: Path  # the platform repository `svcgen init` made
    outputs: dict[str, subprocess.CompletedProcess]


EDIT = """\
publishes: [EntryPosted]
events:
  EntryPosted:
    fields:
      entry_id: {type: string}
      amount: {type: integer}
"""
SECOND_FUNCTION = """\
  notify-posted:
    description: Tells the account holder about an entry of this service's own.
    subscribe:
      - {event: EntryPosted, from: ledger}
"""


@pytest.fixture(scope="module")
def flow(venv, tmp_path_factory) -> Flow:
    home = tmp_path_factory.mktemp("newcomer")
    repo = home / "acme-platform"
    tools = repo / "tools"
    tools.mkdir(parents=True)
    for wheel in venv.wheels:  # where this organisation keeps svcgen: its wheels, in the repository
        shutil.copy(wheel, tools / wheel.name)
    outputs = {"version": venv.svcgen("--version", cwd=home)}
    outputs["init"] = venv.svcgen("init", "acme-platform", "--no-input", "--org", "acme", "--svcgen-source",
                                  f"--find-links acme-platform/tools svcgen=={venv.version}", cwd=home)
    outputs["new"] = venv.svcgen("new", "ledger", "--no-input", "--option", "function=post-entry", cwd=repo)
    # The first natural edit: the service publishes a milestone, and a second function reacts to it.
    spec = repo / "specs" / "ledger.yaml"
    text = spec.read_text()
    text = text.replace("functions:\n", EDIT + "functions:\n", 1) + SECOND_FUNCTION
    spec.write_text(text)
    outputs["build"] = venv.svcgen("build", cwd=repo)
    outputs["validate"] = venv.svcgen("validate", cwd=repo)
    return Flow(home, repo, outputs)


def test_the_installed_svcgen_is_the_wheel_not_the_checkout(venv, flow):
    from importlib.metadata import version

    assert flow.outputs["version"].stdout == f"svcgen {version('svcgen')}\n"
    where = venv.run(venv.python, "-c", "import generator; print(generator.__file__)", cwd=flow.home).stdout
    assert "site-packages" in where and not Path(where.strip()).is_relative_to(ROOT)


def test_init_new_build_validate_outside_the_checkout(venv, flow):
    repo, out = flow.repo, flow.outputs
    assert "platform repository: 6 file(s) created" in out["init"].stdout and out["init"].stderr == ""
    assert f"created   specs/ledger.yaml" in out["new"].stdout
    assert out["new"].stderr == ""  # svcgen.install is set: no warning
    build = out["build"].stdout
    for path in ("build/dev/ledger/template.yaml", "specs/ledger/handlers/notify_posted.py",
                 "specs/ledger/tests/test_notify_posted.py"):
        assert f"created   {path}" in build, build
        assert (repo / path).is_file()
    assert build.splitlines()[-1].endswith(", 0 finding(s)")  # lint included, nothing to report
    assert out["validate"].stdout == "1 spec(s) and specs/platform.yaml are valid for stage dev\n"
    template = YAML_SAFE.load((repo / "build/dev/ledger/template.yaml").read_text())
    assert sum(r["Type"] == "AWS::Lambda::Function" for r in template["Resources"].values()) == 2


def test_the_repository_holds_no_path_of_this_machine(flow):
    """Specs, workflows, READMEs: what a developer commits must work on any machine."""
    for path in flow.repo.rglob("*"):
        if path.is_file() and path.suffix in (".yaml", ".yml", ".md", ".json", ".py", "") and "build" not in path.parts:
            assert str(flow.home) not in path.read_text(errors="replace"), path
    first = (flow.repo / "specs" / "ledger.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=service.schema.json"
    assert (flow.repo / "specs" / "service.schema.json").is_file()


def test_ci_installs_svcgen_from_where_platform_yaml_says(venv, flow):
    source = f"--find-links ./tools svcgen=={venv.version}"  # the path as seen from the repository root
    platform = YAML_SAFE.load((flow.repo / "specs" / "platform.yaml").read_text())
    assert platform["svcgen"] == {"install": source}
    workflows = [flow.repo / ".github/workflows/platform.yml", flow.repo / "specs/ledger/.github/workflows/ledger.yml"]
    for path in workflows:
        workflow = YAML_SAFE.load(path.read_text())
        installs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"]
                    if s.get("name") == "Install svcgen"]
        # Every job that needs svcgen (build and test, deploy, teardown, prune) installs it the same way.
        assert len(installs) >= 2 and set(installs) == {f"python -m pip install {source}"}, path
    # Where CI's command, run from the repository root, takes svcgen and its runtime library from:
    # the repository's wheels. (--no-deps: resolving all of svcgen's dependencies again would
    # only cost time; the runtime library is named as svcgen's pin names it.)
    argv = shlex.split(installs[0])
    report = flow.home / "ci-install.json"
    pinned = [f"{w.name.split('-')[0].replace('_', '-')}=={w.name.split('-')[1]}" for w in venv.wheels
              if not w.name.startswith("svcgen-")]
    venv.run(venv.python, *argv[1:4], "--dry-run", "--ignore-installed", "--no-deps", "-q", "--report", report,
             *argv[4:], *pinned, cwd=flow.repo, timeout=PIP_TIMEOUT)
    installed = {item["metadata"]["name"]: item["download_info"]["url"] for item in json.loads(report.read_text())["install"]}
    assert installed == {w.name.split("-")[0].replace("_", "-"): (flow.repo / "tools" / w.name).as_uri()
                         for w in venv.wheels}


def test_the_new_services_own_tests_pass(venv, flow):
    """What the service's README and CI say its tests need, installed into the same venv."""
    workflow = YAML_SAFE.load((flow.repo / "specs/ledger/.github/workflows/ledger.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    (deps,) = [s["run"] for s in steps if s.get("name") == "Test dependencies"]
    argv = shlex.split(deps)
    assert argv[:4] == ["python", "-m", "pip", "install"]
    venv.run(venv.python, *argv[1:], "-q", cwd=flow.repo, timeout=PIP_TIMEOUT)
    code = flow.repo / "specs" / "ledger"
    run = venv.run(venv.python, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "tests",
                   cwd=code, check=False, timeout=600)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout
