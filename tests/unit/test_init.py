"""`svcgen init`: a platform repository that `svcgen new`, `build`, `validate` and `schema` use
without flags; refusals write nothing; the svcgen source it records is what CI installs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator import init_platform, svcgen_source
from generator.cli import main
from generator.concerns.alarms.defaults import QUEUE_AGE_ALARM_SECONDS
from generator.concerns.function.defaults import (EPHEMERAL_LOG_RETENTION_DAYS, FUNCTION_MEMORY, FUNCTION_TIMEOUT,
                                                  LOG_RETENTION_DAYS)
from generator.concerns.queue.defaults import QUEUE_BATCH_SIZE, QUEUE_MAX_RECEIVE_COUNT
from generator.schema_gen import schema_texts
from generator.spec.platform import PlatformSpec
from generator.workspace import load_workspace

SOURCE = "git+https://git.example.com/platform/svcgen@v0.1.0"
FILES = [".github/workflows/platform.yml", ".gitignore", "README.md", "specs/platform.schema.json",
         "specs/platform.yaml", "specs/service.schema.json"]
YAML_SAFE = YAML(typ="safe", pure=True)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def files_in(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def init(repo: Path, capsys, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "init", str(repo), "--no-input", "--org", "bank", *extra)


@pytest.fixture
def repo(tmp_path, capsys) -> Path:
    repo = tmp_path / "bank-platform"
    code, _, err = init(repo, capsys, "--region", "eu-central-1", "--svcgen-source", SOURCE)
    assert code == 0, err
    return repo


def test_init_writes_a_repository_whose_platform_loads(tmp_path, capsys):
    repo = tmp_path / "bank-platform"
    code, out, err = init(repo, capsys, "--region", "eu-central-1", "--svcgen-source", SOURCE)
    assert code == 0 and err == ""
    assert files_in(repo) == FILES  # and no staging directory left behind
    for rel in FILES:
        assert f"created   {repo / rel}" in out
    assert out.rstrip().endswith(f"Next: cd {repo}, then `git init`, `svcgen new NAME` (a service in specs/) and "
                                 f"`svcgen build`")
    platform = load_workspace([repo / "specs"]).platform
    assert (platform.org, platform.region, platform.svcgen.install) == ("bank", "eu-central-1", SOURCE)
    for name, text in schema_texts().items():
        assert (repo / "specs" / name).read_text() == text
    first = (repo / "specs" / "platform.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=platform.schema.json"  # beside it: relative, and there


def commented_settings(text: str) -> str:
    """The settings platform.yaml shows at their defaults (`#key:` and the `#  ...` lines under
    it), uncommented, with the lines that are set."""
    lines, in_block = [], False
    for line in text.splitlines():
        if re.match(r"#[a-z]", line):
            in_block = True
            lines.append(line[1:])
        elif in_block and line.startswith("#  "):
            lines.append(line[1:])
        else:
            in_block = False
            if line and not line.startswith("#"):
                lines.append(line)
    return "\n".join(lines) + "\n"


def test_platform_yaml_shows_every_setting_at_its_real_default(repo):
    text = (repo / "specs" / "platform.yaml").read_text()
    for field in PlatformSpec.model_fields.values():  # a new platform setting is explained there too
        name = field.alias or next(k for k, v in PlatformSpec.model_fields.items() if v is field)
        assert re.search(rf"^#? ?{name}:", text, re.M), f"platform.yaml does not mention {name}"
    data = YAML_SAFE.load(commented_settings(text))
    assert {"bus", "runtimes", "lambda", "stages", "defaults", "http"} <= set(data)
    shown = PlatformSpec.model_validate(data)
    default = PlatformSpec.model_validate({"org": "bank"})
    for key in ("bus", "runtimes", "lambda_", "stages", "http"):
        assert getattr(shown, key) == getattr(default, key), key
    d = shown.defaults  # platform defaults are unset (None): the values shown are svcgen's built-in ones
    assert (d.function.timeout, d.function.memory) == (FUNCTION_TIMEOUT, FUNCTION_MEMORY)
    assert (d.queue.batch_size, d.queue.max_receive_count) == (QUEUE_BATCH_SIZE, QUEUE_MAX_RECEIVE_COUNT)
    assert (d.logs.retention_days, d.logs.ephemeral_retention_days) == (LOG_RETENTION_DAYS,
                                                                       EPHEMERAL_LOG_RETENTION_DAYS)
    assert d.alarms.queue_age_seconds == QUEUE_AGE_ALARM_SECONDS


def test_ci_validates_and_builds_pull_requests_and_builds_dev_on_main(repo):
    workflow = YAML_SAFE.load((repo / ".github/workflows/platform.yml").read_text())
    assert workflow["on"] == {"pull_request": {"types": ["opened", "synchronize", "reopened", "closed"]},
                              "push": {"branches": ["main"]}, "schedule": [{"cron": "23 3 * * *"}]}
    pr, dev = workflow["jobs"]["pull-request"], workflow["jobs"]["dev"]
    assert pr["if"] == "github.event_name == 'pull_request' && github.event.action != 'closed'"
    assert dev["if"] == "github.event_name == 'push'"
    assert workflow["env"]["BRANCH"] == "${{ github.head_ref }}"  # never spliced into script text
    assert pr["concurrency"] == {"group": "platform-build-${{ github.head_ref }}", "cancel-in-progress": True}

    for job in (pr, dev):
        assert f"python -m pip install {SOURCE}" in runs(job)
        assert any("git status --porcelain -- specs" in (r or "") for r in runs(job))
    # the platform's rules over the whole fleet, against the base branch, findings to code scanning
    assert 'svcgen check --baseline "git:origin/$BASE_REF" --format sarif --out svcgen-check.sarif' in runs(pr)
    assert pr["steps"][0]["with"] == {"fetch-depth": 0} and pr["permissions"]["security-events"] == "write"
    upload = next(s for s in pr["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == "svcgen-check.sarif" and upload["if"].startswith("always()")
    assert 'svcgen validate --branch "$BRANCH"' in runs(pr) and 'svcgen build --branch "$BRANCH"' in runs(pr)
    assert "svcgen build --stage dev" in runs(dev)
    assert {"uses": "actions/upload-artifact@v4", "with": {"name": "templates-dev", "path": "build/dev/"}} in dev["steps"]


def runs(job):
    return [step.get("run") for step in job["steps"]]


# job -> (when it runs, what it needs, its concurrency group, its last command)
DEPLOYING = {
    "deploy-pr": ("github.event.pull_request.head.repo.full_name == github.repository", "pull-request",
                  "svcgen-stage-${{ github.head_ref }}", 'svcgen deploy --branch "$BRANCH" --commit "$COMMIT"'),
    "teardown-pr": ("github.event_name == 'pull_request' && github.event.action == 'closed' "
                    "&& github.event.pull_request.head.repo.full_name == github.repository", None,
                    "svcgen-stage-${{ github.head_ref }}", 'svcgen teardown --branch "$BRANCH"'),
    "deploy-dev": (None, "dev", "svcgen-stage-dev", "svcgen deploy --stage dev"),
    "prune": ("github.event_name == 'schedule'", None, "svcgen-prune", "svcgen prune --older-than 7d"),
}


def test_ci_deploys_pr_stages_tears_them_down_prunes_nightly_and_deploys_dev(repo):
    workflow = YAML_SAFE.load((repo / ".github/workflows/platform.yml").read_text())
    assert set(workflow["jobs"]) == {"pull-request", "dev", *DEPLOYING}
    assert workflow["permissions"] == {"contents": "read"}  # only deploying jobs may ask for a token
    assert workflow["env"]["SVCGEN_DEPLOY_ROLE_ARN"] == "${{ vars.SVCGEN_DEPLOY_ROLE_ARN }}"
    assert workflow["env"]["AWS_REGION"] == "eu-central-1"  # the --region init was given
    for name, (condition, needs, group, command) in DEPLOYING.items():
        job = workflow["jobs"][name]
        assert job.get("if") == condition and job.get("needs") == needs, name
        # a deploy is never cancelled half-way; a PR's deploy and its teardown share one group
        assert job["concurrency"] == {"group": group, "cancel-in-progress": False}, name
        assert job["permissions"] == {"contents": "read", "id-token": "write"}, name
        assert f"python -m pip install {SOURCE}" in runs(job)
        credentials = next(s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-"))
        assert credentials == {"uses": "aws-actions/configure-aws-credentials@v4", "with": {
            "role-to-assume": "${{ env.SVCGEN_DEPLOY_ROLE_ARN }}", "aws-region": "${{ env.AWS_REGION }}"}}
        check = job["steps"].index(credentials) - 1  # an unset role fails with what to set, first
        assert "SVCGEN_DEPLOY_ROLE_ARN" in job["steps"][check]["run"] and "exit 1" in job["steps"][check]["run"]
        assert runs(job)[-1] == command, name
        parses(command)
    assert workflow["jobs"]["deploy-pr"]["steps"][-1]["env"] == {"COMMIT": "${{ github.event.pull_request.head.sha }}"}
    assert workflow["jobs"]["pull-request"].get("needs") is None and workflow["jobs"]["dev"].get("needs") is None


def parses(command: str) -> None:
    """svcgen's own parser accepts the command CI runs (variables as placeholders)."""
    import shlex

    from generator.cli import _parser

    argv = shlex.split(command.replace('"$BRANCH"', "feature/x").replace('"$COMMIT"', "abc"))
    assert argv[0] == "svcgen"
    _parser().parse_args(argv[1:])


def test_gitignore_keeps_build_output_caches_and_environments_out(repo):
    ignored = (repo / ".gitignore").read_text().splitlines()
    for pattern in ("build/", ".svcgen-cache/", "__pycache__/", ".venv/", ".pytest_cache/", ".svcgen-new-*/"):
        assert pattern in ignored


def test_readme_says_how_to_add_build_and_validate(repo):
    readme = (repo / "README.md").read_text()
    assert readme.startswith("# The bank platform\n")
    for text in ("svcgen new billing", "svcgen build", "svcgen validate", "svcgen schema",
                 f"python -m pip install {SOURCE}"):
        assert text in readme


def test_without_a_source_ci_fails_with_what_to_do_and_init_warns(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(init_platform, "installed_source", lambda: None)
    repo = tmp_path / "repo"
    code, _, err = init(repo, capsys)
    assert code == 0
    assert f"{repo / 'specs/platform.yaml'}: svcgen.install: not set, so CI cannot install svcgen yet" in err
    assert load_workspace([repo / "specs"]).platform.svcgen is None
    workflow = YAML_SAFE.load((repo / ".github/workflows/platform.yml").read_text())
    installs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if s.get("name") == "Install svcgen"]
    assert len(installs) == 6 and all(r.startswith('echo "::error::set svcgen.install in specs/platform.yaml')
                                      and r.endswith("&& exit 1") for r in installs)
    # Never a made-up package name, which an index would not have (or would have as someone else's).
    for rel in FILES:
        assert not re.search(r"pip install ['\"]?svcgen\b", (repo / rel).read_text()), rel


def test_existing_files_are_refused_and_nothing_is_written(tmp_path, capsys):
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    (repo / "README.md").write_text("ours\n")
    (repo / "specs" / "platform.yaml").write_text("org: ours\n")
    before = files_in(repo)
    code, out, err = init(repo, capsys)
    assert code == 1 and out == ""
    assert err == (f"svcgen: error: {repo / 'README.md'}, {repo / 'specs/platform.yaml'} already exist; svcgen init "
                   f"never overwrites (remove them, or pick another directory)\n")
    assert files_in(repo) == before and sorted(p.name for p in repo.iterdir()) == ["README.md", "specs"]
    assert (repo / "README.md").read_text() == "ours\n"


def test_a_file_in_place_of_the_directory_is_refused(tmp_path, capsys):
    (tmp_path / "repo").write_text("a file")
    code, _, err = init(tmp_path / "repo", capsys)
    assert code == 1 and f"{tmp_path / 'repo'} exists and is not a directory" in err


@pytest.mark.parametrize("option, value, message", [
    ("--org", "Bank", "invalid org 'Bank': 2–10 lowercase letters and digits, starting with a letter"),
    ("--region", "eu-west-9", "invalid region: must be an AWS region that has CloudFormation, got 'eu-west-9'"),
    ("--svcgen-source", "svcgen >= 1", "--svcgen-source 'svcgen >= 1': must be what `pip install` takes to install"),
    ("--svcgen-source", "svcgen=={{x}}", "--svcgen-source 'svcgen=={{x}}': must be what `pip install` takes"),
    ("--svcgen-source", "./no-such.whl", "--svcgen-source: ./no-such.whl: no such file or directory"),
])
def test_invalid_options_are_refused_before_anything_is_written(tmp_path, capsys, monkeypatch, option, value, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "init", "repo", "--no-input", option, value)
    assert code == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "repo").exists()


def test_a_source_path_is_recorded_relative_to_the_repository(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    wheel = repo / "tools" / "svcgen-0.1.0-py3-none-any.whl"
    wheel.parent.mkdir(parents=True)
    wheel.write_bytes(b"not really a wheel")
    monkeypatch.chdir(tmp_path)  # the path is read as the shell would: from the current directory
    code, _, err = run(capsys, "init", "repo", "--no-input", "--svcgen-source", "repo/tools/svcgen-0.1.0-py3-none-any.whl")
    assert code == 0, err
    assert load_workspace([repo / "specs"]).platform.svcgen.install == "./tools/svcgen-0.1.0-py3-none-any.whl"
    assert str(tmp_path) not in (repo / "specs" / "platform.yaml").read_text()
    # Several pip arguments: an option's path value is recorded relative too, and each is quoted in CI.
    code, _, err = run(capsys, "init", "third", "--no-input", "--svcgen-source",
                       "--find-links third/tools svcgen @ git+https://git.example.com/svcgen@v0.1.0")
    assert code == 1 and "--svcgen-source: third/tools: no such file or directory" in err
    (tmp_path / "third" / "tools").mkdir(parents=True)
    code, _, err = run(capsys, "init", "third", "--no-input", "--svcgen-source",
                       "--find-links third/tools svcgen @ git+https://git.example.com/svcgen@v0.1.0")
    assert code == 0, err
    assert load_workspace([tmp_path / "third/specs"]).platform.svcgen.install == \
        "--find-links ./tools svcgen @ git+https://git.example.com/svcgen@v0.1.0"
    workflow = (tmp_path / "third/.github/workflows/platform.yml").read_text()
    assert "run: \"python -m pip install --find-links ./tools 'svcgen @ git+https://git.example.com/svcgen@v0.1.0'\"" \
        in workflow
    outside = tmp_path / "svcgen-0.1.0-py3-none-any.whl"
    outside.write_bytes(b"")
    code, _, err = run(capsys, "init", "other", "--no-input", "--svcgen-source", str(outside))
    assert code == 1 and "is outside the repository other, so CI, which checks out only the repository" in err


def test_prompts_ask_again_after_an_invalid_answer(tmp_path, capsys):
    replies = iter(["Big Bank", "bigbank", "eu-west-9", "eu-west-2", "svcgen >= 1", SOURCE])
    asked = []

    def ask(question, default, choices):
        asked.append((question, default))
        return next(replies)

    values = init_platform.answers(tmp_path / "big-bank", {"org": None, "region": None, "svcgen_source": None},
                                   no_input=False, ask=ask)
    assert values == {"org": "bigbank", "region": "eu-west-2", "svcgen_source": SOURCE}
    assert asked[0] == ("Organisation (first part of every resource name)", "big")  # DIR's first word
    assert asked[2][1] == "eu-west-1"
    err = capsys.readouterr().err
    assert "invalid org 'Big Bank'" in err and "got 'eu-west-9'" in err and "got 'svcgen >= 1'" in err
    # An option answers its question: only the others are asked.
    asked.clear()
    replies = iter(["eu-west-1", ""])
    values = init_platform.answers(tmp_path / "x", {"org": "bank", "region": None, "svcgen_source": None},
                                   no_input=False, ask=ask)
    assert [q for q, _ in asked] == ["AWS region", asked[1][0]] and values["svcgen_source"] == ""


def test_init_in_the_current_directory_takes_its_name(tmp_path, capsys, monkeypatch):
    here = tmp_path / "acme-platform"
    here.mkdir()
    monkeypatch.chdir(here)
    code, out, _ = run(capsys, "init", "--no-input")
    assert code == 0 and "created   specs/platform.yaml" in out
    assert "Next: `git init`" in out
    assert load_workspace([Path("specs")]).platform.org == "acme"


@pytest.mark.parametrize("direct_url, expected", [
    (None, "svcgen==0.1.0"),  # from a package index: pip records no URL
    ({"url": "https://git.example.com/platform/svcgen", "vcs_info": {"vcs": "git", "requested_revision": "v0.1.0",
                                                                      "commit_id": "abc"}},
     "git+https://git.example.com/platform/svcgen@v0.1.0"),
    ({"url": "https://files.example.com/svcgen-0.1.0-py3-none-any.whl", "archive_info": {}},
     "https://files.example.com/svcgen-0.1.0-py3-none-any.whl"),
    ({"url": "file:///home/someone/svcgen-0.1.0-py3-none-any.whl", "archive_info": {}}, None),  # this machine's
    ({"url": "file:///home/someone/svcgen", "dir_info": {"editable": True}}, None),
])
def test_the_default_source_is_where_this_svcgen_came_from(monkeypatch, direct_url, expected):
    class Dist:
        version = "0.1.0"

        def read_text(self, name):
            assert name == "direct_url.json"
            return None if direct_url is None else json.dumps(direct_url)

    monkeypatch.setattr(svcgen_source, "distribution", lambda name: Dist())
    monkeypatch.setattr(svcgen_source, "in_checkout", lambda path: False)
    assert svcgen_source.installed_source() == expected
    monkeypatch.setattr(svcgen_source, "in_checkout", lambda path: True)  # running from a checkout: a path
    assert svcgen_source.installed_source() is None


def test_outside_a_platform_repository_commands_say_how_to_make_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for argv in (["build"], ["validate"], ["new", "billing", "--no-input"], ["schema"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "`svcgen init`" in err, (argv, err)
    assert list(tmp_path.iterdir()) == []


def test_schema_refreshes_the_schemas_beside_the_specs(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo)
    Path("specs/service.schema.json").write_text("{}\n")
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert out.splitlines()[:2] == ["updated   specs/service.schema.json", "identical specs/platform.schema.json"]
    assert Path("specs/service.schema.json").read_text() == schema_texts()["service.schema.json"]


@pytest.mark.e2e  # new and a whole build with lint: the full suite, not the fast tier
def test_new_and_build_in_the_repository_need_no_flags(repo, capsys, monkeypatch):
    """The layout init makes is the one the other commands default to; `new` installs svcgen in
    CI from where platform.yaml says, and its spec's `$schema` resolves to init's schema."""
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "new", "billing", "--no-input")
    assert code == 0, err
    assert "svcgen.install" not in err and "service.schema.json" not in out  # init wrote it already
    workflow = YAML_SAFE.load(Path("specs/billing/.github/workflows/billing.yml").read_text())
    installs = [s["run"] for job in workflow["jobs"].values() for s in job["steps"] if s.get("name") == "Install svcgen"]
    assert installs == [f"python -m pip install {SOURCE}"] * 6  # one per job
    first = Path("specs/billing.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=service.schema.json" and Path("specs/service.schema.json").is_file()
    assert run(capsys, "validate")[0] == 0
    code, out, err = run(capsys, "build", "--no-lint")
    assert code == 0, err
    assert Path("build/dev/billing/template.yaml").is_file() and Path("build/dev/platform/template.yaml").is_file()


def test_where_new_says_ci_gets_svcgen(tmp_path):
    """--option svcgen_install, else platform.yaml's svcgen.install, else svcgen's own checkout
    (with its runtime library), else nothing: never a guessed package name."""
    from types import SimpleNamespace

    from generator import scaffold

    bare = PlatformSpec.model_validate({"org": "acme"})
    recorded = PlatformSpec.model_validate({"org": "acme", "svcgen": {"install": SOURCE}})
    checkout = Path(__file__).resolve().parents[2]
    assert scaffold._svcgen_install(SimpleNamespace(directory=tmp_path, platform=bare), "") == ""
    assert scaffold._svcgen_install(SimpleNamespace(directory=tmp_path, platform=recorded), "") == SOURCE
    assert scaffold._svcgen_install(SimpleNamespace(directory=tmp_path, platform=recorded), "svcgen==0.2.0") == \
        "svcgen==0.2.0"
    expected = "./runtime ." if (checkout / "runtime" / "pyproject.toml").is_file() else "."
    assert scaffold._svcgen_install(SimpleNamespace(directory=checkout / "specs", platform=bare), "") == expected
    with pytest.raises(scaffold.ScaffoldError, match="invalid svcgen_install 'svcgen >= 1'"):
        scaffold._svcgen_install(SimpleNamespace(directory=tmp_path, platform=bare), "svcgen >= 1")
