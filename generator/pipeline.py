"""The build pipeline for a whole workspace: resolve, render, serialize, lint, then write.

Nothing is written unless every template of the build rendered and linted without an error:
a build either produces a complete, lint-clean set of templates or changes no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.components.platform_stack import render_platform
from generator.fleet import lint_texts
from generator.errors import SpecError, SpecErrors
from generator.output import FileResult, write_file
from generator.ownership import apply
from generator.render import render_service
from generator.resolve import resolve_service
from generator.serialize import to_yaml
from generator.spec.load import Document
from generator.stages import Stage, resolve_stage
from generator.workspace import Workspace

if TYPE_CHECKING:  # cfn-lint costs ~0.5 s to import: only builds that lint pay for it
    from generator.findings import Finding
    from generator.lint import Linter

TEMPLATE_FILE = "template.yaml"
PLATFORM_DIR = "platform"


@dataclass(frozen=True)
class Artifact:
    """One rendered template, with what is needed to point its lint findings back at the spec."""

    stack: str  # service name, or "platform"
    relpath: Path
    text: str
    doc: Document | None
    origins: dict[str, tuple]
    template: dict  # the same template as data (for discovery and checks)


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


def render_all(ws: Workspace, stage: Stage) -> list[Artifact]:
    artifacts = []
    if stage.persistent:  # ephemeral stages use their parent's platform stack (DESIGN.md, Stages)
        template = render_platform(ws.platform, stage.name).to_dict()
        artifacts.append(Artifact(PLATFORM_DIR, Path(stage.name, PLATFORM_DIR, TEMPLATE_FILE),
                                  to_yaml(template), ws.platform_doc, {}, template))
    for item in sorted(ws.target_services, key=lambda s: s.spec.service):
        artifacts.append(render_one(item, ws, stage))
    return artifacts


def render_one(item, ws: Workspace, stage: Stage) -> Artifact:
    ctx = render_service(resolve_service(item.spec, ws.platform, stage))
    template = ctx.template.to_dict()
    return Artifact(item.spec.service, Path(stage.name, item.spec.service, TEMPLATE_FILE),
                    to_yaml(template), item.doc, ctx.origins, template)


def build(ws: Workspace, stage_name: str, out: Path, lint: bool = True, dry_run: bool = False,
          linter: "Linter | None" = None, code: bool = True, force: bool = False) -> BuildResult:
    """Templates into `out`, and each target service's code (plumbing, handler stubs) beside its
    spec. Everything is planned and checked first; nothing is written if anything failed."""
    from generator.discovery import check_imports  # discovery reads pipeline artifacts

    stage = resolve_stage(stage_name, ws.platform)
    result = BuildResult(stage, render_all(ws, stage), warnings=list(ws.warnings))
    missing = check_imports(result.artifacts, ws, stage)
    if missing:
        raise SpecErrors(missing)
    planned_code = plan_code(ws, stage) if code else []
    if lint:
        texts = [a.text for a in result.artifacts]
        cache = None if dry_run else out
        for artifact, findings in zip(result.artifacts, lint_texts(texts, ws.platform.region, cache, linter)):
            result.findings.extend((artifact, f) for f in findings)
    if not result.failed:
        from generator.ownership import OUTPUT, PlannedFile

        # Templates and code files in one `apply`: one transaction, so a full disk or a refused
        # write midway leaves every file as it was (output.commit).
        templates = [PlannedFile(out / a.relpath, a.text, OUTPUT) for a in result.artifacts]
        result.files = apply(templates + planned_code, dry_run=dry_run, force=force)
    return result


def plan_code(ws: Workspace, stage: Stage) -> list:
    """Every code file of every target service; all services' errors are raised together."""
    from generator.codegen import plan_service_code

    planned, errors = [], []
    for item in sorted(ws.target_services, key=lambda s: s.spec.service):
        try:
            planned += plan_service_code(item, ws, resolve_service(item.spec, ws.platform, stage))
        except SpecErrors as exc:
            errors += exc.errors
    if errors:
        raise SpecErrors(errors)
    return planned


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
