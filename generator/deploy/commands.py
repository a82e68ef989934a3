"""The CLI's deploy commands: `package`, `deploy`, `diff`, `teardown`, `prune`.

generator/cli.py registers them with `add_commands(sub)` and runs them from `RUNNERS`; each
`run_<command>(args)` returns the exit code (0 done, 1 failed or refused) and raises UsageError
(exit 2) and SpecErrors (exit 1) as the other commands do. AWS errors end in one line, never a
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from generator.version import svcgen_version
from generator.cli_args import aws_arguments, input_arguments, stage_arguments
from generator.errors import UsageError
from generator.inputs import default_inputs

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_CONCURRENCY = 4


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def add_commands(sub) -> None:
    """Add the deploy commands to the subparsers `sub` of svcgen's parser."""
    package = sub.add_parser("package", help="a deterministic zip of each service's code and dependencies",
                             description="Check the specs, then zip each service's code directory (no tests, "
                                         "caches or hidden files) with its requirements.txt installed for the "
                                         "functions' runtime and architecture, into <out>/<stage>/<service>/"
                                         "<service>-<content hash>.zip. The same content gives the same bytes.")
    input_arguments(package)
    stage_arguments(package)
    package.add_argument("--out", type=Path, default=Path("build"), help="output directory (default: build/)")
    package.add_argument("--dry-run", action="store_true", help="compute the packages' names, write nothing")

    deploy = sub.add_parser("deploy", help="build, package and deploy a stage's stacks (change sets)",
                            description="Build (lint included), package, upload, then one change set per stack in "
                                        "dependency order, independent stacks in parallel. A stack whose template, "
                                        "parameters and code are unchanged is skipped. See docs/deploy.md.")
    input_arguments(deploy)
    stage_arguments(deploy)
    aws_arguments(deploy)
    deploy.add_argument("--out", type=Path, default=Path("build"), help="build directory (default: build/)")
    deploy.add_argument("--concurrency", type=_positive, default=DEFAULT_CONCURRENCY,
                        help=f"stacks deployed at the same time (default: {DEFAULT_CONCURRENCY})")
    deploy.add_argument("--commit", help="the commit to tag the stacks with (default: git's HEAD)")
    deploy.add_argument("--dry-run", action="store_true",
                        help="build and package without writing, then say what each stack would do")

    diff = sub.add_parser("diff", help="what a deploy would change, resource by resource",
                          description="For each stack, a change set that is deleted again: each resource's action, "
                                      "logical ID, type and replacement; unchanged stacks are named. Changes nothing "
                                      "but uploading a template too large to send inline.")
    input_arguments(diff)
    stage_arguments(diff)
    aws_arguments(diff)
    diff.add_argument("--concurrency", type=_positive, default=DEFAULT_CONCURRENCY,
                      help=f"change sets made at the same time (default: {DEFAULT_CONCURRENCY})")

    teardown = sub.add_parser("teardown", help="delete a stage's stacks (ephemeral stages)",
                              description="Delete every stack tagged with the stage, in reverse dependency order, "
                                          "emptying the stage's own versioned buckets first. A persistent stage "
                                          "needs --force and --confirm with its name typed again.")
    stage_arguments(teardown, required=True)
    aws_arguments(teardown)
    teardown.add_argument("--platform", type=Path, help="platform.yaml, for its persistent stages and region "
                                                        "(default: specs/platform.yaml or ./platform.yaml)")
    teardown.add_argument("--force", action="store_true", help="allow a persistent stage (with --confirm)")
    teardown.add_argument("--confirm", metavar="STAGE", help="the stage name again, to tear down a persistent stage")
    teardown.add_argument("--dry-run", action="store_true", help="list what would be deleted, delete nothing")

    prune = sub.add_parser("prune", help="tear down stale ephemeral stages",
                           description="Find ephemeral stages by their stacks' tags and tear down those not "
                                       "updated for --older-than; never a persistent stage.")
    aws_arguments(prune)
    prune.add_argument("--older-than", default="7d", metavar="AGE", help="e.g. 7d, 12h, 2w (default: 7d)")
    prune.add_argument("--keep-branches", type=Path, metavar="FILE",
                       help="branches (or stages) never pruned, one a line; # starts a comment")
    prune.add_argument("--platform", type=Path, help="platform.yaml, for its persistent stages and region "
                                                     "(default: specs/platform.yaml or ./platform.yaml)")
    prune.add_argument("--dry-run", action="store_true", help="list the stages that would be removed")


# --- shared -------------------------------------------------------------------------------------

@contextmanager
def _aws_errors():
    """AWS and packaging failures as one line on standard error; the caller returns EXIT_FAILED."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
    from botocore.parsers import ResponseParserError

    from generator.deploy.package import PackageError
    from generator.deploy.plan import CycleError
    from generator.deploy.target import error_message

    try:
        yield
    except NoCredentialsError:
        raise _Failed("no AWS credentials found (environment, ~/.aws, or an instance role); for the local AWS pass "
                      "--local (after `svcgen local up`), for another API --endpoint-url") from None
    except ClientError as exc:
        raise _Failed(error_message(exc)) from None
    except (BotoCoreError, PackageError, CycleError) as exc:
        raise _Failed(str(exc)) from None
    except ResponseParserError:  # an endpoint answering HTML (moto's HTTP 500 pages)
        raise _Failed("the endpoint's answer was not CloudFormation's (an error page; a moto server's log has "
                      "the traceback)") from None


class _Failed(Exception):
    pass


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def runner(args: argparse.Namespace) -> int:
        try:
            with _aws_errors():
                return run(args)
        except _Failed as exc:
            print(f"svcgen: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
    runner.__doc__ = run.__doc__
    return runner


def _workspace(args):
    from generator.workspace import read_workspace

    if not args.paths:
        args.paths = default_inputs(args.platform)
    return read_workspace(args.paths, args.platform, getattr(args, "manifests", []))


def _stage_name(args, platform) -> str:
    from generator.stages import stage_from_branch

    if args.stage is not None:
        return args.stage
    if args.branch is None:
        return "dev"
    name = stage_from_branch(args.branch)
    if name in platform.stages.persistent:
        raise UsageError(f"branch {args.branch!r} maps to persistent stage {name!r}; pass --stage explicitly")
    return name


def _platform_only(path: Path | None):
    """platform.yaml alone (teardown, prune), or None when there is none to read."""
    from generator.workspace import load_workspace

    if path is None:
        path = next((p for p in (Path("specs") / "platform.yaml", Path("platform.yaml")) if p.is_file()), None)
        if path is None:
            return None
    return load_workspace([], path).platform


def _target(args, region: str | None):
    """The target of --local (the running local AWS) or of --endpoint-url / AWS."""
    if getattr(args, "local", False):  # Namespaces made by hand (tests) may not have it
        from generator.deploy.local.commands import local_target

        return local_target(region)
    return make_target(args.endpoint_url, region)


def _local_running(args) -> None:
    if getattr(args, "local", False):
        from generator.deploy.local.commands import local_endpoint

        local_endpoint()  # a UsageError with how to start it


def make_target(endpoint_url: str | None, region: str | None):
    """A Target for AWS, or a MotoTarget when the endpoint is a moto server."""
    import boto3

    from generator.deploy.moto_target import MotoTarget, is_moto
    from generator.deploy.target import Target, client_config

    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL_CLOUDFORMATION") or os.environ.get(
        "AWS_ENDPOINT_URL")
    session = boto3.session.Session(region_name=region) if region else boto3.session.Session()
    moto = is_moto(endpoint_url)
    config = client_config(max_attempts=1 if moto else 10)
    cfn = session.client("cloudformation", endpoint_url=endpoint_url, config=config)
    s3 = session.client("s3", endpoint_url=endpoint_url, config=config)
    if moto:
        return MotoTarget(cfn, s3, poll_seconds=0.1)
    return Target(cfn, s3)


def _note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _build_for_deploy(args, ws, stage_name: str):
    """`svcgen build` with lint; None (after saying why) when it failed or left conflicts."""
    from generator import pipeline
    from generator.output import Outcome, summary

    result = pipeline.build(ws, stage_name, args.out, lint=True, dry_run=args.dry_run)
    for warning in result.warnings:
        print(warning.render(), file=sys.stderr)
    for artifact, finding in result.findings:
        print(pipeline.describe_finding(args.out, artifact, finding), file=sys.stderr)
    if result.failed:
        errors = sum(1 for _, f in result.findings if f.severity == "error")
        _note(f"{errors} lint error(s); nothing was written or deployed")
        return None
    conflicts = [f for f in result.files if f.outcome is Outcome.CONFLICT]
    if conflicts:
        _note(f"{len(conflicts)} generated file(s) were edited by hand (see `svcgen build`); nothing was deployed")
        return None
    print(f"build{' (dry run)' if args.dry_run else ''}: {summary(result.files)}, "
          f"{len(result.findings)} lint finding(s)", flush=True)
    return result


# --- commands -----------------------------------------------------------------------------------

@_guarded
def run_package(args: argparse.Namespace) -> int:
    from generator import pipeline
    from generator.deploy.stage_plans import package_all

    ws = _workspace(args)
    checked = pipeline.check(ws, _stage_name(args, ws.platform), code=False)
    packages = package_all(ws, checked.stage, checked.artifacts, args.out, args.dry_run, _note)
    verb = "would be " if args.dry_run else ""
    for package in packages.values():
        for note in package.notes:
            _note(f"{package.service}: {note}")
        outcome = "created" if package.outcome == "would create" else package.outcome
        print(f"{verb}{outcome:9} {package.path} ({package.files} files, dependencies: {package.dependencies})")
    print(f"stage {checked.stage.name}: {len(packages)} package(s)")
    return EXIT_OK


@_guarded
def run_deploy(args: argparse.Namespace) -> int:
    from generator.deploy.engine import Deployer
    from generator.deploy.plan import StageTags
    from generator.deploy.report import reporter_for
    from generator.deploy.results import summary
    from generator.deploy.stage_plans import build_plans, git_facts, package_all

    _local_running(args)  # before the build: a minute of packaging must not end in "start it first"
    ws = _workspace(args)
    built = _build_for_deploy(args, ws, _stage_name(args, ws.platform))
    if built is None:
        return EXIT_FAILED
    stage = built.stage
    packages = package_all(ws, stage, built.artifacts, args.out, args.dry_run, _note)
    for package in packages.values():
        for note in package.notes:
            _note(f"{package.service}: {note}")
    branch, commit = git_facts(Path(ws.platform_doc.file).parent)
    tags = StageTags(stage.name, args.branch or branch, args.commit or commit, svcgen_version(), not stage.persistent)
    target = _target(args, args.region or ws.platform.region)
    plans = build_plans(ws, stage, built.artifacts, packages, tags)  # the Deployer applies target.transform
    print(f"{'dry run: ' if args.dry_run else ''}deploy stage {stage.name} ({stage.described}): {len(plans)} stack(s), "
          f"up to {args.concurrency} at a time", flush=True)
    deployer = Deployer(target, reporter_for(sys.stdout), args.concurrency, dry_run=args.dry_run)
    try:
        result = deployer.deploy(plans)
    except KeyboardInterrupt:
        _note("CloudFormation carries on with the stacks in progress; run the same deploy again to converge")
        raise
    print(summary(result.results))
    return EXIT_OK if result.ok else EXIT_FAILED


@_guarded
def run_diff(args: argparse.Namespace) -> int:
    import tempfile

    from generator import pipeline
    from generator.deploy import diff
    from generator.deploy.engine import Deployer
    from generator.deploy.plan import StageTags
    from generator.deploy.stage_plans import build_plans, git_facts, package_all

    _local_running(args)
    ws = _workspace(args)
    checked = pipeline.check(ws, _stage_name(args, ws.platform), code=False)
    stage = checked.stage
    with tempfile.TemporaryDirectory(prefix="svcgen-diff-") as scratch:
        packages = package_all(ws, stage, checked.artifacts, Path(scratch), dry_run=True, progress=_note)
        branch, commit = git_facts(Path(ws.platform_doc.file).parent)
        tags = StageTags(stage.name, args.branch or branch, commit, svcgen_version(), not stage.persistent)
        target = _target(args, args.region or ws.platform.region)
        plans = build_plans(ws, stage, checked.artifacts, packages, tags)
        diffs = diff.diff(Deployer(target, concurrency=args.concurrency), plans)
    print(diff.render(diffs))
    return EXIT_FAILED if any(d.status == diff.ERROR for d in diffs) else EXIT_OK


@_guarded
def run_teardown(args: argparse.Namespace) -> int:
    from generator.deploy.report import reporter_for
    from generator.deploy.results import summary
    from generator.deploy.teardown import TeardownRefused, teardown

    platform = _platform_only(args.platform)
    if args.stage is not None:
        stage = args.stage
    else:
        stage = _stage_name(args, platform) if platform is not None else _branch_only(args.branch)
    if not stage:
        raise UsageError("--stage must name a stage")
    persistent = platform is not None and stage in platform.stages.persistent
    target = _target(args, args.region or (platform.region if platform else None))
    try:
        results = teardown(target, stage, persistent, args.force, args.confirm, args.dry_run, reporter_for(sys.stdout))
    except TeardownRefused as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not results:
        print(f"stage {stage}: no stack is tagged svcgen:stage={stage}; nothing to tear down")
        return EXIT_OK
    print(f"{'dry run: ' if args.dry_run else ''}teardown of stage {stage}: {summary(results)}")
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def _branch_only(branch: str) -> str:
    from generator.stages import stage_from_branch

    return stage_from_branch(branch)


@_guarded
def run_prune(args: argparse.Namespace) -> int:
    from generator.deploy.prune import parse_duration, prune, read_keep_file
    from generator.deploy.report import reporter_for

    try:
        older_than = parse_duration(args.older_than)
    except ValueError as exc:
        raise UsageError(f"--older-than: {exc}") from None
    try:
        keep = read_keep_file(args.keep_branches) if args.keep_branches else set()
    except OSError as exc:
        raise UsageError(f"--keep-branches {args.keep_branches}: {exc.strerror or exc}") from None
    platform = _platform_only(args.platform)
    persistent = set(platform.stages.persistent) if platform is not None else set()
    target = _target(args, args.region or (platform.region if platform else None))
    decisions, results = prune(target, older_than, keep, persistent, dry_run=args.dry_run,
                               reporter=reporter_for(sys.stdout))
    verb = "would remove" if args.dry_run else "removed"
    for decision in decisions:
        stage = decision.stage
        head = f"stage {stage.name} (branch {stage.branch or 'unknown'}, {len(stage.stacks)} stack(s))"
        print(f"{head}: {verb if decision.remove else 'kept'}: {decision.why}")
    removed = sum(1 for d in decisions if d.remove)
    done = "would be removed" if args.dry_run else "removed"
    print(f"prune: {removed} stale ephemeral stage(s) {done}, {len(decisions) - removed} kept")
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "package": run_package, "deploy": run_deploy, "diff": run_diff, "teardown": run_teardown, "prune": run_prune,
}
