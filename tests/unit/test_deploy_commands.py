"""generator/deploy/commands.py and stage_plans.py: the commands' arguments and refusals, and the
plans made from the demo build."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import pytest

from generator.artifacts import render_all
from generator.deploy import commands
from generator.deploy.package import PackageResult
from generator.deploy.plan import StageTags
from generator.deploy.stage_plans import build_plans, code_key, git_facts
from generator.errors import UsageError
from generator.stages import resolve_stage
from tests.conftest import SPECS


def parse(argv):
    parser = argparse.ArgumentParser(prog="svcgen")
    sub = parser.add_subparsers(dest="command", required=True)
    commands.add_commands(sub)
    return parser.parse_args(argv)


@pytest.mark.parametrize("command", sorted(commands.RUNNERS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        parse([command, "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    assert "--endpoint-url" in text or command == "package"
    assert "--dry-run" in text or command == "diff"  # diff changes nothing


@pytest.mark.parametrize("argv", [["deploy", "--concurrency", "0"], ["deploy", "--stage", "a", "--branch", "b"],
                                  ["teardown"], ["teardown", "--stage", "x", "--branch", "y"]])
def test_wrong_usage_exits_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        parse(argv)
    assert exited.value.code == 2


def test_deploy_refuses_a_branch_that_maps_to_a_persistent_stage():
    args = parse(["deploy", str(SPECS), "--branch", "dev"])
    with pytest.raises(UsageError, match="persistent stage 'dev'"):
        commands.run_deploy(args)


def test_prune_refuses_a_bad_age():
    with pytest.raises(UsageError, match="--older-than"):
        commands.run_prune(parse(["prune", "--older-than", "soon"]))


def test_an_unreachable_endpoint_is_one_line_and_exit_1(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    args = parse(["teardown", "--stage", "pr-1", "--endpoint-url", "http://127.0.0.1:9", "--region", "eu-west-1",
                  "--platform", str(SPECS / "platform.yaml")])
    assert commands.make_target("http://127.0.0.1:9", "eu-west-1").kind == "aws"  # not a moto server
    monkeypatch.setattr(commands, "make_target", lambda url, region: _short_target(url, region))
    assert commands.run_teardown(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("svcgen: error: Could not connect to the endpoint URL")


def _short_target(url, region):
    import boto3
    from botocore.config import Config

    from generator.deploy.target import Target

    config = Config(retries={"total_max_attempts": 1}, connect_timeout=1)
    session = boto3.session.Session(region_name=region)
    return Target(session.client("cloudformation", endpoint_url=url, config=config),
                  session.client("s3", endpoint_url=url, config=config), max_throttle_retries=0)


def test_plans_of_the_demo_build_follow_imports_and_carry_code(demo_workspace):
    stage = resolve_stage("dev", demo_workspace.platform)
    artifacts = render_all(demo_workspace, stage)
    packages = {a.stack: PackageResult(a.stack, Path(f"{a.stack}-0123456789abcdef.zip"), "0123456789abcdef" * 4,
                                       3, "none", "created") for a in artifacts if a.stack != "platform"}
    plans = {p.service: p for p in build_plans(demo_workspace, stage, artifacts, packages,
                                               StageTags("dev", "main", "c0ffee", "0.1.0", False))}
    assert plans["platform"].name == "acme-dev-platform" and plans["platform"].depends_on == frozenset()
    assert plans["notifications"].depends_on == {"acme-dev-platform", "acme-dev-ledger"}
    assert plans["payments"].depends_on == {"acme-dev-platform"}
    payments = plans["payments"]
    assert dict(payments.parameters) == {"CodeKey": "code/payments/payments-0123456789abcdef.zip"}
    assert payments.code.key == code_key(packages["payments"])
    assert payments.artifacts_export == "acme-dev-platform-artifacts-bucket"
    assert payments.tag_map["svcgen:owner"] == "team-payments" and plans["platform"].tag_map["svcgen:owner"] == "platform"
    assert plans["accounts"].needs_s3_template and not plans["platform"].needs_s3_template


def test_every_service_stack_waits_for_the_platform_even_without_importing_from_it(demo_workspace, monkeypatch):
    from generator.deploy import stage_plans

    stage = resolve_stage("dev", demo_workspace.platform)
    artifacts = [a for a in render_all(demo_workspace, stage) if a.stack in ("platform", "payments")]
    monkeypatch.setattr(stage_plans, "interfaces", lambda *args: [])  # as if nothing were imported
    packages = {"payments": PackageResult("payments", Path("p.zip"), "0" * 64, 1, "none", "created")}
    plans = {p.service: p for p in build_plans(demo_workspace, stage, artifacts, packages,
                                               StageTags("dev", "main", "c", "v", False))}
    assert plans["payments"].depends_on == {"acme-dev-platform"} and plans["platform"].depends_on == frozenset()


def test_git_facts_name_the_branch_and_commit_and_mark_uncommitted_changes(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    git("init", "-q", "-b", "feature/x")
    (tmp_path / "a").write_text("1")
    git("add", "a")
    git("commit", "-q", "-m", "one")
    branch, commit = git_facts(tmp_path)
    assert branch == "feature/x" and len(commit) == 40
    (tmp_path / "a").write_text("2")
    assert git_facts(tmp_path)[1] == commit + "+dirty"
    assert git_facts(tmp_path / "nowhere") == ("unknown", "unknown")
