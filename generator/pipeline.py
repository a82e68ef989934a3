"""The build pipeline for a whole workspace: resolve, render, serialize, lint, then write.

Nothing is written unless every template of the build rendered and linted without an error:
a build either produces a complete, lint-clean set of templates or changes no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.artifacts import PLATFORM_DIR, TEMPLATE_FILE, Artifact, per_service, render_all, render_one
from generator.discovery import check_imports, import_names
from generator.lint_many import lint_texts
from generator.errors import SpecError, SpecErrors
from generator import user_code
from generator.fleet.manifest import build_manifests
from generator.output import FileResult, Outcome
from generator.ownership import OUTPUT, PlannedFile, apply
from generator.resolve import resolve_service
from generator.stages import Stage, resolve_stage
from generator.rules.base import TemplateContext
from generator.workspace import Workspace
from generator.progress import OFF, Progress

# The build's stages in order; artifacts' names are re-exported for callers that drive a build.
__all__ = ["PLATFORM_DIR", "TEMPLATE_FILE", "Artifact", "BuildResult", "Checked", "build", "check",
           "describe_finding", "plan_code", "render_all", "render_one", "resolve_stage"]

if TYPE_CHECKING:  # cfn-lint costs ~0.5 s to import: only builds that lint pay for it
    from generator.findings import Finding
    from generator.lint import Linter

@dataclass
class BuildResult:
    stage: Stage
    artifacts: list[Artifact]
    findings: list[tuple[Artifact, "Finding"]] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)
    warnings: list[SpecError] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.severity == "error" for _, f in self.findings)


@dataclass
class Checked:
    """What the check phase produced for a build that passed it: the rendered templates and the
    code files to write, with the warnings to show."""

    stage: Stage
    artifacts: list[Artifact]
    code: list
    warnings: list[SpecError]


def check(ws: Workspace, stage_name: str, code: bool = True, progress: Progress = OFF) -> Checked:
    """The one validation stage, shared by `svcgen validate` and `svcgen build`: every spec and
    fleet rule (already run by read_workspace), then every sound target service is resolved and
    rendered in memory and its template rules run, imports are matched with exports, and its code
    is planned. All errors of all of these are raised together as SpecErrors; nothing is written."""
    from generator.rules.registry import template_rules

    stage = resolve_stage(stage_name, ws.platform)
    errors = list(ws.errors)
    sound = [item for item in ws.target_services if ws.is_sound(item)]
    artifacts = render_all(ws, stage, sound, progress)
    by_name = {item.spec.service: item for item in sound}
    for artifact in artifacts:
        if artifact.stack == PLATFORM_DIR:
            continue
        item = by_name[artifact.stack]

        def findings(item=item, artifact=artifact) -> list:
            ctx = TemplateContext(item.doc, item.spec, ws.platform, artifact.template, artifact.text,
                                  artifact.origins, artifact.collisions)
            return [error for rule in template_rules() for error in rule.check(ctx)]
        errors.extend(per_service(ws, stage, item, "template-findings", findings))
    if not errors:  # imports are matched across the whole build: only once every stack rendered
        imported = {a.stack: per_service(ws, stage, by_name[a.stack], "imports",
                                          lambda a=a: sorted(set(import_names(a.template))))
                    for a in artifacts if a.stack != PLATFORM_DIR}
        errors += check_imports(artifacts, ws, stage, imported)
    planned = plan_code(ws, stage, sound, _resolved(artifacts), progress) if code else []
    if errors:
        raise SpecErrors(errors + ws.warnings)
    return Checked(stage, artifacts, planned, list(ws.warnings))


def build(ws: Workspace, stage_name: str, out: Path, lint: bool = True, dry_run: bool = False,
          linter: "Linter | None" = None, code: bool = True, force: bool = False,
          prune_orphans: bool = False, progress: Progress = OFF) -> BuildResult:
    """Templates into `out`, and each target service's code (plumbing, handler stubs) beside its
    spec. Everything is checked first (`check`); nothing is written if anything failed. The code
    directories are reviewed against the plan (user_code.py): user files that no longer match
    their function are warnings, owned files no function generates are orphans (removed with
    `prune_orphans`: the unedited ones, and edited ones too with `force`)."""
    checked = check(ws, stage_name, code, progress)
    result = BuildResult(checked.stage, checked.artifacts, warnings=checked.warnings)
    planned_code = checked.code
    orphans = _review_code(ws, _resolved(checked.artifacts), planned_code, result) if code else []
    if lint:
        texts = [a.text for a in result.artifacts]
        cache = None if dry_run else out
        names = [a.stack for a in result.artifacts]
        for artifact, findings in zip(result.artifacts, lint_texts(texts, ws.platform.region, cache, linter,
                                                                   progress, names)):
            result.findings.extend((artifact, f) for f in findings)
    if not result.failed:
        # Templates and code files in one `apply`: one transaction, so a full disk or a refused
        # write midway leaves every file as it was (output.commit).
        templates = [PlannedFile(out / a.relpath, a.text, OUTPUT) for a in result.artifacts]
        templates += [PlannedFile(out / rel, text, OUTPUT) for rel, text in
                      _manifests(ws, result.artifacts, checked.stage)]
        removals = [o.path for o in orphans if prune_orphans and (force or not o.edited)]
        result.files = apply(templates + planned_code, dry_run=dry_run, force=force, removals=removals)
        result.files += [FileResult(o.path, Outcome.ORPHANED) for o in orphans if o.path not in removals]
        if ws.cache is not None and not dry_run:
            ws.cache.flush()  # only now: a build that failed writes nothing
    return result


def _resolved(artifacts: list[Artifact]) -> dict:
    """Service name -> the ResolvedService its template was rendered from: resolved once per build."""
    return {a.stack: a.svc for a in artifacts if a.svc is not None}


def _review_code(ws: Workspace, resolved: dict, planned: list, result: BuildResult) -> list:
    """Warnings for user files that no longer match their function (added to `result`), and the
    orphaned owned files of every target service's code directory."""
    from generator.codegen import code_dir

    items = sorted((i for i in ws.target_services if ws.is_sound(i)), key=lambda s: s.spec.service)
    by_root: dict[Path, list] = {code_dir(item.doc.file): [] for item in items}
    for file in planned:  # each file under every code directory it is in, in plan order
        for root in (file.path, *file.path.parents):
            if root in by_root:
                by_root[root].append(file)
    found = []
    for item in items:
        root = code_dir(item.doc.file)
        mine = by_root[root]
        svc = resolved[item.spec.service]
        result.warnings += _review(ws, user_code.expected_functions(item.spec, svc, root, mine))
        gone = user_code.orphans(root, mine)
        result.warnings += user_code.orphan_users(root, gone, mine)
        found += gone
    return found


def _review(ws: Workspace, expected: list) -> list[SpecError]:
    """user_code.review of each function, whose handler or test is not exactly the stub svcgen
    would create today (the stubs are what review compares them with: a stub fits by
    construction); what it found is kept by the two files' bytes (parsing every handler and test
    of a fleet on each build costs more than the rest of a build)."""
    edited = [fn for fn in expected if not (_is_stub(fn.handler_file) and _is_stub(fn.test_file))]
    if ws.cache is None:
        return user_code.review(edited)
    return [warning for fn in edited for warning in ws.cache.by_files(
        "review", repr(fn), [fn.handler_file.path, fn.test_file.path], lambda fn=fn: user_code.review([fn]))]


def _is_stub(planned: PlannedFile) -> bool:
    try:
        return planned.path.read_bytes() == planned.body.encode()
    except OSError:
        return False


def plan_code(ws: Workspace, stage: Stage, items: list | None = None, resolved: dict | None = None,
              progress: Progress = OFF) -> list:
    """Every code file of `items` (default: every target), validated: codegen assumes every rule held.
    `resolved`: service name -> ResolvedService already made for this stage (the rest are resolved here)."""
    from generator.codegen import plan_service_code

    resolved = resolved or {}
    planned = []
    targets = sorted(ws.target_services if items is None else items, key=lambda s: s.spec.service)
    progress.phase("generating code", len(targets))
    for item in targets:
        def plan(item=item) -> list:
            svc = resolved.get(item.spec.service) or resolve_service(item.spec, ws.platform, stage)
            return plan_service_code(item, ws, svc)
        planned += per_service(ws, stage, item, "code", plan)
        progress.advance(item.spec.service)
    return planned


def _manifests(ws: Workspace, artifacts: list[Artifact], stage: Stage) -> list[tuple[Path, str]]:
    """Each rendered service's manifest (fleet/manifest.build_manifests), one service at a time so
    that each is kept apart in the service cache."""
    if ws.cache is None:
        return build_manifests(ws, artifacts, stage)
    by_name = {item.spec.service: item for item in ws.services}  # the item build_manifests describes
    found = []
    for artifact in artifacts:
        if artifact.svc is not None:
            found += per_service(ws, stage, by_name[artifact.stack], "manifest",
                                  lambda artifact=artifact: build_manifests(ws, [artifact], stage))
    return found


def describe_finding(out: Path, artifact: Artifact, finding: "Finding") -> str:
    """`spec:line:col: key: RULE [Resource] message (template:line)` — the spec first, because
    that is what the user edits."""
    template = f"{out / artifact.relpath}:{finding.line}"
    origin = artifact.origins.get(finding.resource)
    where = ""
    if artifact.doc is not None and origin is not None:
        line, col = artifact.doc.locate(origin)
        where = f"{artifact.doc.file}:{line}:{col}: "
    resource = f" [{finding.resource}]" if finding.resource else ""
    return f"{where}{finding.severity}: {finding.rule_id}{resource} {finding.message} ({template})"
