"""From a build (its rendered templates and the workspace) to what the deploy engine takes: one
code package per service with functions, and one StackPlan per stack.

Each stack waits for the stacks of the same deploy whose exports it imports (generator/discovery.py
reads them from the templates), and every service stack waits for the stage's platform stack
when it is part of the deploy: the platform holds the bucket code is deployed from.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from generator.artifacts import PLATFORM_DIR, Artifact
from generator.concerns.function.render import CODE_KEY_PARAMETER
from generator.deploy.package import PackageResult, lambda_settings, package_service
from generator.deploy.plan import Code, StackPlan, StageTags, make_plan
from generator.discovery import interfaces
from generator.naming import Names, PlatformNames
from generator.stages import Stage
from generator.workspace import Workspace

PLATFORM_OWNER = "platform"


def stack_name(ws: Workspace, stage: Stage, stack: str) -> str:
    if stack == PLATFORM_DIR:
        return PlatformNames(ws.platform.org, stage.name, ws.platform.bus.name).stack
    return Names(ws.platform.org, stage.name, stack).stack


def code_key(package: PackageResult) -> str:
    """Packages are shared by every stage (their name is their content): `code/<service>/<zip>`."""
    return f"code/{package.service}/{package.name}"


def package_all(ws: Workspace, stage: Stage, artifacts: list[Artifact], out: Path, dry_run: bool = False,
                progress: Callable[[str], None] | None = None) -> dict[str, PackageResult]:
    """A package for every service of `artifacts` that has functions, in `out/<stage>/<service>/`."""
    from generator.codegen import code_dir

    items = {item.spec.service: item for item in ws.services}
    packages = {}
    for artifact in artifacts:
        settings = lambda_settings(artifact.template) if artifact.stack != PLATFORM_DIR else None
        if settings is None:
            continue
        runtime, architecture = settings
        packages[artifact.stack] = package_service(code_dir(items[artifact.stack].doc.file),
                                                   out / stage.name / artifact.stack, runtime, architecture,
                                                   service=artifact.stack, progress=progress, dry_run=dry_run)
    return packages


def build_plans(ws: Workspace, stage: Stage, artifacts: list[Artifact], packages: dict[str, PackageResult],
                tags: StageTags) -> list[StackPlan]:
    """Plans of the built templates as they are; a target's transform is the Deployer's to apply."""
    names = {a.stack: stack_name(ws, stage, a.stack) for a in artifacts}
    owners = {item.spec.service: item.spec.owner for item in ws.services}
    artifacts_export = PlatformNames(ws.platform.org, stage.platform_stage, ws.platform.bus.name).artifacts_bucket_export
    imports = {i.stack: {m.provider for m in i.imports} for i in interfaces(artifacts, ws, stage)}
    plans = []
    for artifact in artifacts:
        providers = imports.get(artifact.stack, set())
        if artifact.stack != PLATFORM_DIR:
            providers = providers | {PLATFORM_DIR}
        depends_on = {names[p] for p in providers if p in names and p != artifact.stack}
        package = packages.get(artifact.stack)
        parameters, code = {}, None
        if CODE_KEY_PARAMETER in (artifact.template.get("Parameters") or {}):
            if package is None:
                raise ValueError(f"{artifact.stack}: the template takes a {CODE_KEY_PARAMETER} but has no function "
                                 "to package")
            code = Code(package.path, code_key(package), package.sha256)
            parameters[CODE_KEY_PARAMETER] = code.key
        owner = PLATFORM_OWNER if artifact.stack == PLATFORM_DIR else owners.get(artifact.stack, "unknown")
        plans.append(make_plan(names[artifact.stack], artifact.stack, artifact.template, artifact.text, parameters,
                               tags.for_stack(owner, artifact.stack), depends_on, code, artifacts_export))
    return plans


def git_facts(directory: Path) -> tuple[str, str]:
    """(branch, commit) of the git checkout holding `directory`; "unknown" for what git cannot say.
    A commit with uncommitted changes on top is marked `+dirty`: the deployed code is not that commit."""
    def git(*args: str) -> str:
        try:
            ran = subprocess.run(["git", *args], cwd=directory, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return ""
        return ran.stdout.strip() if ran.returncode == 0 else ""

    commit = git("rev-parse", "HEAD")
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    if commit and git("status", "--porcelain", "--untracked-files=no", "--", "."):
        commit += "+dirty"
    return (branch if branch and branch != "HEAD" else "unknown"), commit or "unknown"
