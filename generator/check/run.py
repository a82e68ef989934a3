"""What `svcgen check` finds: every rule over the whole fleet, each finding with its service, the
platform team's waivers applied."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from generator.check.model import CheckFinding
from generator.errors import SpecError, SpecErrors


@dataclass
class CheckOutcome:
    findings: list[CheckFinding]
    services: list[str]  # every service checked, those without findings too


def run_check(paths: list[Path], platform_path: Path | None, manifests: list[Path], *, stage_name: str,
              waivers_path: Path | None, baseline: str | None, today: datetime.date) -> CheckOutcome:
    from generator.check.baseline import load_baseline
    from generator.check.platform_rules import CheckContext, check_platform
    from generator.check.waivers import apply_waivers, default_path, load_waivers
    from generator.rules.base import Fleet
    from generator.stages import resolve_stage
    from generator.workspace import discover, read_workspace

    ws = read_workspace(paths, platform_path, manifests, manifest_targets=True)
    stage = resolve_stage(stage_name, ws.platform)
    errors, resolutions = _validation_findings(ws, stage_name)
    sound = [item for item in ws.target_services if ws.is_sound(item)]
    released, baseline_warnings = load_baseline(baseline, sound) if baseline else ({}, [])
    fleet = Fleet(ws.platform_doc, ws.platform, ws.services, ws.broken)
    errors += check_platform(CheckContext(fleet, sound, stage, today, released, resolutions)) + baseline_warnings

    owners = {item.doc.file: item.spec.service for item in ws.services}
    findings = [CheckFinding(owners.get(e.file, _service_of_file(e.file, ws)), e) for e in sorted(set(errors))]
    explicit = waivers_path is not None
    waivers_path = waivers_path or default_path(platform_path or discover(paths, platform_path)[0])
    waivers, waiver_errors = load_waivers(waivers_path, explicit=explicit)
    findings, about = apply_waivers(findings, waivers, today,
                                    services={item.spec.service for item in ws.target_services} | set(ws.broken))
    findings += about + [CheckFinding("", e) for e in waiver_errors]
    return CheckOutcome(findings, sorted({i.spec.service for i in ws.target_services} | set(ws.broken)))


def _validation_findings(ws, stage_name: str) -> tuple[list[SpecError], dict]:
    """Everything `svcgen validate` reports (spec, fleet and template rules, YAML and schema
    errors), and the ResolvedService of each service it rendered (when it found no error)."""
    from generator import pipeline

    try:
        checked = pipeline.check(ws, stage_name, code=False)
    except SpecErrors as exc:
        return list(exc.errors), {}
    return list(checked.warnings), {a.stack: a.svc for a in checked.artifacts if a.svc is not None}


def _service_of_file(file: str, ws) -> str:
    """A broken spec's service (its file's stem); "" for platform.yaml and other files."""
    if file == ws.platform_doc.file:
        return ""
    stem = Path(file).stem
    return stem if stem in ws.broken else ""
