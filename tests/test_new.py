"""`svcgen new`: a scaffolded service builds lint-clean and its own tests pass; refusals are clear.

The services are created in a temporary copy of the demo platform: platform.yaml and the specs
(not their code). accounts is the publisher the new service subscribes to; it builds only
against the specs it references (ledger, onboarding, ...), which in the demo is the whole fleet.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator import scaffold
from generator.cli import main
from generator.schema_gen import schema_texts

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SOURCE = "git+https://git.example.com/platform/svcgen@v0.1.0"
SUBSCRIBER = ["--option", "owner=team-billing", "--option", "description=Bills customers: monthly.",
              "--option", "event=AccountOpened", "--option", "from=accounts", "--option", "function=charge-account"]


def demo_specs(directory: Path) -> Path:
    specs = directory / "specs"
    specs.mkdir(parents=True)
    for path in SPECS.glob("*.yaml"):
        shutil.copy(path, specs / path.name)
    with (specs / "platform.yaml").open("a") as platform:  # where this organisation gets svcgen
        platform.write(f"svcgen:\n  install: {SOURCE}\n")
    return specs


def run_service_tests(code: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "tests"],
                          cwd=code, env={**env, "PYTHONPATH": str(code)}, capture_output=True, text=True)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def svcgen(*argv: str) -> Run:
    """`main([...])` in-process, with its output (a module fixture cannot use capsys)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def created(tmp_path_factory):
    """Two new services (a subscriber and one without a trigger), then `svcgen build` of both."""
    root = tmp_path_factory.mktemp("repo")
    specs = demo_specs(root)
    outputs = {}
    for name, options in (("billing", SUBSCRIBER), ("reports", [])):
        run = svcgen("new", name, "--dir", str(specs), "--no-input", *options)
        assert run.returncode == 0, run.stderr
        outputs[name] = run.stdout
    build = svcgen("build", str(specs / "billing.yaml"), str(specs / "reports.yaml"), "--out", str(root / "build"))
    return root, specs, outputs, build


def test_new_service_builds_lint_clean_with_code_already_current(created):
    root, specs, outputs, build = created
    assert build.returncode == 0, build.stdout + build.stderr
    assert "0 finding(s)" in build.stdout  # lint included, nothing to report
    code_lines = [line for line in build.stdout.splitlines() if "/billing/" in line or "/reports/" in line]
    # `new` ran the same code generation: the build finds every code file already current.
    assert code_lines and not [line for line in code_lines if line.split()[0] in ("created", "updated", "conflict")
                               and "/build/" not in line]  # build outputs: templates and manifests
    for name in ("billing", "reports"):
        assert (root / "build" / "dev" / name / "template.yaml").is_file()


def test_new_service_has_spec_code_tests_readme_and_workflow(created):
    _, specs, outputs, _ = created
    code = specs / "billing"
    for path in ("handlers/charge_account.py", "plumbing/charge_account.py", "tests/svcgen_support.py",
                 "tests/test_charge_account.py", "tests/conftest.py", "README.md", ".github/workflows/billing.yml"):
        assert (code / path).is_file(), path
        assert f"created   specs/billing/{path}" in outputs["billing"].replace(str(specs), "specs")
    spec = (specs / "billing.yaml").read_text()
    first = spec.splitlines()[0]
    # Outside svcgen's checkout the schema is written beside the specs: the modeline is relative
    # and names a file that exists, so it holds no path of the machine it was made on.
    assert first == "# yaml-language-server: $schema=service.schema.json"
    assert (specs / first.split("=", 1)[1]).read_text() == schema_texts()["service.schema.json"]
    assert f"created   {specs / 'service.schema.json'}" in outputs["billing"]
    assert str(specs / "service.schema.json") not in outputs["reports"]  # written once, never again
    data = YAML(typ="safe", pure=True).load(spec)
    assert data["owner"] == "team-billing" and data["description"] == "Bills customers: monthly."
    assert data["functions"]["charge-account"]["subscribe"] == [{"event": "AccountOpened", "from": "accounts"}]
    readme = (code / "README.md").read_text()
    for section in ("## Build", "## Test", "## Invoke locally", "## Deploy"):
        assert section in readme
    assert "svcgen invoke billing charge-account --sample AccountOpened specs/billing.yaml" in readme


def test_generated_workflow_builds_tests_and_derives_the_pr_stage(created):
    _, specs, _, _ = created
    workflow = YAML(typ="safe", pure=True).load((specs / "billing" / ".github/workflows/billing.yml").read_text())
    paths = ["specs/billing.yaml", "specs/billing/**", "specs/platform.yaml"]
    assert workflow["on"] == {
        "pull_request": {"types": ["opened", "synchronize", "reopened", "closed"], "paths": paths},
        "push": {"branches": ["main"], "paths": paths}, "schedule": [{"cron": "23 3 * * *"}]}
    assert workflow["env"]["BRANCH"] == "${{ github.head_ref }}"  # never spliced into script text
    stage_job = workflow["jobs"]["stage"]
    assert stage_job["if"] == "github.event_name == 'pull_request' && github.event.action != 'closed'"
    derive = 'echo "stage=$(svcgen stage "$BRANCH")" >> "$GITHUB_OUTPUT"'
    assert any(s.get("run") == derive for s in stage_job["steps"])
    build = workflow["jobs"]["build"]
    assert build["needs"] == "stage"
    assert build["concurrency"] == {"group": "billing-build-${{ github.head_ref }}", "cancel-in-progress": True}
    runs = [s.get("run", "") for s in build["steps"]]
    # svcgen comes from where platform.yaml says, in every job; the tests' own tools are pinned.
    installs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if s.get("name") == "Install svcgen"]
    assert installs == [f"python -m pip install {SOURCE}"] * 6
    assert any(r.startswith("python -m pip install 'pytest>=") and "'moto[server]==" in r for r in runs)
    assert "svcgen[test]" not in (specs / "billing" / ".github/workflows/billing.yml").read_text()
    assert "svcgen build specs/billing.yaml" in runs  # lint is on: no --no-lint anywhere
    assert not any("--no-lint" in r for r in runs)
    test_step = next(s for s in build["steps"] if s.get("run") == "python -m pytest -q tests")
    assert test_step["working-directory"] == "specs/billing"
    assert test_step["env"]["PYTHONPATH"] == "${{ github.workspace }}/specs/billing"


# job -> (when it runs, what it needs, its concurrency group, its last command)
DEPLOYING = {
    "deploy-pr": ("github.event.pull_request.head.repo.full_name == github.repository", ["stage", "build"],
                  "svcgen-stage-${{ github.head_ref }}",
                  'svcgen deploy specs/billing.yaml --branch "$BRANCH" --commit "$COMMIT"'),
    "teardown-pr": ("github.event_name == 'pull_request' && github.event.action == 'closed' "
                    "&& github.event.pull_request.head.repo.full_name == github.repository", None,
                    "svcgen-stage-${{ github.head_ref }}", 'svcgen teardown --branch "$BRANCH"'),
    "deploy-dev": ("github.event_name == 'push'", None, "svcgen-stage-dev",
                   "svcgen deploy specs/billing.yaml --stage dev"),
    "prune": ("github.event_name == 'schedule'", None, "svcgen-prune", "svcgen prune --older-than 7d"),
}


def test_generated_workflow_deploys_the_pr_stage_tears_it_down_prunes_and_deploys_dev(created):
    import shlex

    from generator.cli import _parser

    _, specs, _, _ = created
    workflow = YAML(typ="safe", pure=True).load((specs / "billing" / ".github/workflows/billing.yml").read_text())
    assert set(workflow["jobs"]) == {"stage", "build", *DEPLOYING}
    assert workflow["permissions"] == {"contents": "read"}  # only deploying jobs may ask for a token
    assert workflow["env"]["SVCGEN_DEPLOY_ROLE_ARN"] == "${{ vars.SVCGEN_DEPLOY_ROLE_ARN }}"
    for name, (condition, needs, group, command) in DEPLOYING.items():
        job = workflow["jobs"][name]
        assert job.get("if") == condition and job.get("needs") == needs, name
        # a deploy is never cancelled half-way; a PR's deploy and its teardown share one group
        # (with the platform workflow's too: groups are the repository's)
        assert job["concurrency"] == {"group": group, "cancel-in-progress": False}, name
        assert job["permissions"] == {"contents": "read", "id-token": "write"}, name
        credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-"))
        assert credentials == {"uses": "aws-actions/configure-aws-credentials@v4", "with": {
            "role-to-assume": "${{ env.SVCGEN_DEPLOY_ROLE_ARN }}", "aws-region": "${{ env.AWS_REGION }}"}}
        setup = job["steps"][job["steps"].index(credentials) - 1]["run"]
        assert "SVCGEN_DEPLOY_ROLE_ARN" in setup and '"specs/platform.yaml" >> "$GITHUB_ENV"' in setup
        last = job["steps"][-1]["run"]
        assert last == command, name
        argv = shlex.split(last.replace('"$BRANCH"', "feature/x").replace('"$COMMIT"', "abc"))
        _parser().parse_args(argv[1:])  # a command svcgen accepts


def test_generated_workflow_reads_the_region_from_platform_yaml(created, tmp_path):
    """The region step's script, run as CI runs it, writes platform.yaml's region (or svcgen's default)."""
    import subprocess
    import sys

    _, specs, _, _ = created
    workflow = YAML(typ="safe", pure=True).load((specs / "billing" / ".github/workflows/billing.yml").read_text())
    script = workflow["jobs"]["deploy-dev"]["steps"][-3]["run"].splitlines()[1].replace("python ", f"{sys.executable} ", 1)
    for text, region in (("org: acme\nregion: us-east-2\n", "us-east-2"), ("org: acme\n", "eu-west-1")):
        (tmp_path / "specs").mkdir(exist_ok=True)
        (tmp_path / "specs/platform.yaml").write_text(text)
        env_file = tmp_path / "github_env"
        env_file.write_text("")
        subprocess.run(["bash", "-c", script], cwd=tmp_path, check=True, env={"GITHUB_ENV": str(env_file)})
        assert env_file.read_text() == f"AWS_REGION={region}\n"


@pytest.mark.parametrize("name", ["billing", "reports"])
def test_new_service_tests_pass_out_of_the_box(created, name):
    _, specs, _, _ = created
    run = run_service_tests(specs / name)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout


def test_new_is_deterministic(created, tmp_path):
    """The same answers in the same layout give the same bytes."""
    root, specs, _, _ = created
    again = demo_specs(tmp_path)
    assert main(["new", "billing", "--dir", str(again), "--no-input", *SUBSCRIBER]) == 0

    def files(directory: Path) -> dict:
        paths = [directory / "billing.yaml", *(directory / "billing").rglob("*")]
        return {p.relative_to(directory): p.read_bytes() for p in paths
                if p.is_file() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}

    assert files(again) == files(specs)


def test_existing_spec_or_directory_is_refused(tmp_path, capsys):
    specs = demo_specs(tmp_path)
    (specs / "taken").mkdir()
    before = sorted(p.name for p in specs.iterdir())
    assert main(["new", "taken", "--dir", str(specs), "--no-input"]) == 1
    assert "taken already exists; svcgen new never overwrites" in capsys.readouterr().err
    assert main(["new", "ledger", "--dir", str(specs), "--no-input"]) == 1
    assert "ledger.yaml already exists" in capsys.readouterr().err
    assert sorted(p.name for p in specs.iterdir()) == before  # nothing written, no staging left


@pytest.mark.parametrize("name", ["Billing", "b", "a" * 33, "1billing", "bill_ing", "billing-", "bill--ing"])
def test_invalid_name_is_refused_with_the_rule(tmp_path, capsys, name):
    specs = demo_specs(tmp_path)
    assert main(["new", name, "--dir", str(specs), "--no-input"]) == 1
    err = capsys.readouterr().err
    assert "service names are kebab-case: lowercase letters, digits and '-', starting with a letter, " \
           "2–32 characters" in err
    assert "Traceback" not in err and not (specs / f"{name}.yaml").exists()


def test_unknown_option_lists_the_known_ones(tmp_path, capsys):
    specs = demo_specs(tmp_path)
    assert main(["new", "billing", "--dir", str(specs), "--no-input", "--option", "colour=red"]) == 2
    err = capsys.readouterr().err
    assert "unknown key" in err and "owner, description, runtime, event, from, function, svcgen_install" in err
    assert main(["new", "billing", "--dir", str(specs), "--no-input", "--option", "owner"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err


def test_invalid_option_values_are_refused(tmp_path, capsys):
    specs = demo_specs(tmp_path)
    for option, message in (("runtime=python2.7", "the platform allows python3.12, python3.13"),
                            ("owner=Team Billing", "invalid owner"),
                            ("function=models", "svcgen's own module"),
                            ("event=NoSuchEvent", "Events available there: AccountOpened from accounts")):
        assert main(["new", "billing", "--dir", str(specs), "--no-input", "--option", option]) == 1
        assert message in capsys.readouterr().err
    assert not (specs / "billing.yaml").exists() and not (specs / "billing").exists()


def test_subscription_to_a_publisher_that_does_not_build_is_refused(tmp_path, capsys):
    """accounts alone (without the specs it references) does not build, so neither would its subscriber."""
    specs = tmp_path / "specs"
    specs.mkdir()
    for name in ("platform.yaml", "accounts.yaml"):
        shutil.copy(SPECS / name, specs / name)
    assert main(["new", "billing", "--dir", str(specs), "--no-input", "--option", "event=AccountOpened"]) == 1
    err = capsys.readouterr().err
    assert "cannot subscribe to AccountOpened from accounts: the spec of accounts does not build" in err
    assert sorted(p.name for p in specs.iterdir()) == ["accounts.yaml", "platform.yaml"]


def test_missing_platform_is_a_usage_error(tmp_path, capsys):
    assert main(["new", "billing", "--dir", str(tmp_path), "--no-input"]) == 2
    assert "platform file not found" in capsys.readouterr().err


def test_prompts_offer_the_platform_runtimes_and_known_events_and_ask_again(tmp_path, capsys):
    specs = demo_specs(tmp_path)
    target = scaffold.inspect(specs, "billing")
    asked = []
    replies = iter(["Not A Team", "team-billing", "Bills.", "python3.13", "AccountClosed from accounts", ""])

    def ask(question, default, choices):
        asked.append((question, default, choices))
        reply = next(replies)
        return reply or default

    values = scaffold.answers(target, "billing", {}, no_input=False, ask=ask)
    assert values["owner"] == "team-billing" and asked[1][0] == asked[0][0]  # asked again
    assert "invalid owner" in capsys.readouterr().err
    runtime_choices = next(c for q, _, c in asked if q == "Runtime")
    assert runtime_choices == ["python3.12", "python3.13"]
    events = next(c for q, _, c in asked if q.startswith("Subscribe"))
    assert events[0] == "none" and "AccountOpened from accounts" in events and "PaymentSettled from payments" in events
    chosen = (values["event"], values["from"], values["function"])
    assert chosen == ("AccountClosed", "accounts", "handle-account-closed")


def test_option_keys_are_the_templates_public_variables():
    context = json.loads((scaffold.TEMPLATE_DIR / "cookiecutter.json").read_text())
    public = [k for k in context if not k.startswith("_") and k != "service"]
    assert sorted(public) == sorted(scaffold.OPTIONS)


def test_schema_reference_is_relative_inside_the_checkout():
    assert scaffold.schema_reference(ROOT / "specs") == "../generator/schema/service.schema.json"
    assert scaffold.schema_reference(ROOT / "examples" / "x") == "../../generator/schema/service.schema.json"


@pytest.mark.parametrize("text", ["team-billing", "Bills customers: monthly.", "yes", "null", "123", "1.5",
                                  "# not a comment", "ends with space ", "quote \" and \\ back", "naïve café",
                                  "{a: b}", "- item", "it's fine", "@at", "`tick`", "a #b"])
def test_yaml_scalar_round_trips(text):
    assert YAML(typ="safe", pure=True).load(f"key: {scaffold.yaml_scalar(text)}\n") == {"key": text}
