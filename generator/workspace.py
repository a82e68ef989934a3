"""Finding and loading the inputs of one build: platform.yaml and the service specs.

Every file is loaded and validated before anything is rendered, and all errors of all files are
reported together, so one run shows everything that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import SpecError, SpecErrors, UsageError
from generator.rules.base import Fleet, ServiceInput
from generator.rules.check import check_rules
from generator.spec.load import Document, load_document
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document

PLATFORM_FILE = "platform.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class Workspace:
    platform_doc: Document
    platform: PlatformSpec
    services: list[ServiceInput]  # targets and the context they reference
    warnings: list[SpecError] = field(default_factory=list)
    targets: frozenset[str] = frozenset()  # services to render; the others are context only

    @property
    def target_services(self) -> list[ServiceInput]:
        return [s for s in self.services if s.spec.service in self.targets]


def discover(paths: list[Path], platform_path: Path | None = None) -> tuple[Path, list[Path]]:
    """Directories contribute their top-level *.yaml specs; platform.yaml comes from the first
    directory (or the first spec's directory) unless given explicitly."""
    specs: list[Path] = []
    for path in paths:
        if path.is_dir():
            specs.extend(sorted(p for p in path.iterdir()
                                if p.suffix in SPEC_SUFFIXES and p.name != PLATFORM_FILE and p.is_file()))
        elif path.is_file():
            specs.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    if platform_path is None:
        first = paths[0] if paths else Path("specs")
        platform_path = (first if first.is_dir() else first.parent) / PLATFORM_FILE
    if not platform_path.is_file():
        raise UsageError(f"{platform_path}: platform file not found (pass --platform FILE)")
    return platform_path, specs


def load_workspace(paths: list[Path], platform_path: Path | None = None) -> Workspace:
    platform_path, spec_paths = discover(paths, platform_path)
    errors: list[SpecError] = []
    platform_doc, platform = _load(platform_path, PlatformSpec, errors)
    services: list[ServiceInput] = []
    for path in spec_paths:
        doc, spec = _load(path, ServiceSpec, errors)
        if spec is not None:
            services.append(ServiceInput(doc, spec))
    targets = frozenset(s.spec.service for s in services)
    services += _context(services, platform_path.parent, errors)
    if platform is None:
        raise SpecErrors(errors)
    errors.extend(check_rules(Fleet(platform_doc, platform, services)))
    warnings = [e for e in errors if e.severity == "warning"]
    failures = [e for e in errors if e.severity != "warning"]
    if failures:
        raise SpecErrors(failures + warnings)
    return Workspace(platform_doc, platform, services, warnings, targets)


def _context(services: list[ServiceInput], specs_dir: Path, errors: list[SpecError]) -> list[ServiceInput]:
    """Specs the targets refer to (publishers, store owners, workflow owners), loaded from the
    platform's directory as `<service>.yaml`, so one service builds against the real fleet:
    its contracts, exports and published events."""
    known = {s.spec.service for s in services}
    pending = sorted(_referenced(services) - known)
    found: list[ServiceInput] = []
    while pending:
        name = pending.pop(0)
        known.add(name)
        path = specs_dir / f"{name}.yaml"
        if not path.is_file():
            continue
        doc, spec = _load(path, ServiceSpec, errors)
        if spec is not None and spec.service == name:
            item = ServiceInput(doc, spec)
            found.append(item)
            pending.extend(sorted(_referenced([item]) - known - set(pending)))
    return found


def _referenced(services: list[ServiceInput]) -> set[str]:
    names: set[str] = set()
    for item in services:
        for fn in item.spec.functions.values():
            names.update(sub.from_ for sub in fn.subscribe if sub.from_)
            names.update(ref.split(".", 1)[0] for ref in fn.starts if "." in ref)
        for wf in item.spec.workflows.values():
            names.update(sub.from_ for sub in wf.started_by if sub.from_)
    return names


def _load(path: Path, model, errors: list[SpecError]):
    try:
        doc = load_document(path, str(path))
        return doc, validate_document(doc, model)
    except SpecErrors as exc:
        errors.extend(exc.errors)
        return None, None
