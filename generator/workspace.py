"""Finding and loading the inputs of one build: platform.yaml and the service specs.

Every file is loaded and validated before anything is rendered, and all errors of all files are
reported together, so one run shows everything that is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import SpecError, SpecErrors
from generator.inputs import (  # noqa: F401 — re-exported: where callers found them before
    NO_PLATFORM_HERE, NOT_A_PLATFORM, PLATFORM_FILE, SPEC_SUFFIXES, WAIVERS_FILE, default_inputs, discover,
    is_spec_name, specs_dir,
)
from generator.rules.base import Fleet, ServiceInput
from generator.rules.check import check_rules
from generator.spec.load import Document, load_document
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document
from generator.progress import OFF, Progress

if TYPE_CHECKING:
    from generator.service_cache import ServiceCache


@dataclass
class Workspace:
    platform_doc: Document
    platform: PlatformSpec
    services: list[ServiceInput]  # targets and the context they reference
    warnings: list[SpecError] = field(default_factory=list)
    targets: frozenset[str] = frozenset()  # services to render; the others are context only
    errors: list[SpecError] = field(default_factory=list)  # what the rules found (not warnings)
    broken: frozenset[str] = frozenset()  # services whose spec is there but invalid
    # What earlier builds made of each service (a build's, under its output; None: make everything).
    cache: "ServiceCache | None" = None

    @property
    def target_services(self) -> list[ServiceInput]:
        return [s for s in self.services if s.spec.service in self.targets]

    def is_sound(self, item: ServiceInput) -> bool:
        """No error in the service's own spec, nor in the specs it refers to (their contracts and
        exports are part of what it renders), so it can be rendered."""
        files = {e.file for e in self.errors}
        names = referenced_names([item])
        referenced = {s.doc.file for s in self.services if s.spec.service in names}
        return item.doc.file not in files and not (referenced & files) and not (names & self.broken)


def load_workspace(paths: list[Path], platform_path: Path | None = None, manifests: list[Path] = ()) -> Workspace:
    """The build's inputs, every rule checked; raises SpecErrors with all errors and warnings."""
    ws = read_workspace(paths, platform_path, manifests)
    if ws.errors:
        raise SpecErrors(ws.errors + ws.warnings)
    return ws


def read_workspace(paths: list[Path], platform_path: Path | None = None, manifests: list[Path] = (),
                   manifest_targets: bool = False, progress: Progress = OFF,
                   cache: "ServiceCache | None" = None) -> Workspace:
    """The build's inputs with every spec and fleet rule's findings in `errors`/`warnings`, so
    the check phase can go on with the services that are valid (pipeline.check). Raises
    SpecErrors only when platform.yaml itself cannot be read: nothing can be judged without it.

    `manifests` (files or directories, fleet/manifest.py) stand in for specs that are not here:
    as context (a publisher's contract, from another repository), or with `manifest_targets` as
    services to check like the specs (a fleet over many repositories, `svcgen check`). A spec
    beats a manifest of the same service. A manifest used as context was checked by its own
    build: its findings are not this build's (its own references need not be here). `progress`
    (progress.Progress) hears of each spec read. `cache` (service_cache.py) gives back specs loaded
    and services rendered by an earlier build; what the rules find is the same with it or without."""
    platform_path, spec_paths = discover(paths, platform_path)
    progress.phase("reading specs", len(spec_paths))
    errors: list[SpecError] = []
    platform_doc, platform = _load(platform_path, PlatformSpec, errors, cache)
    services: list[ServiceInput] = []
    broken: set[str] = set()  # services whose spec is there but invalid: its own errors say why
    for path in spec_paths:
        doc, spec = _load(path, ServiceSpec, errors, cache)
        progress.advance(path.name)
        if spec is not None:
            services.append(ServiceInput(doc, spec))
        else:
            broken.add(path.stem)
    from_manifests = _manifest_services(manifests, {s.spec.service for s in services} | broken, errors, broken)
    if manifest_targets:
        services += from_manifests
        from_manifests = []
    targets = frozenset(s.spec.service for s in services)
    context = _context(services, platform_path.parent, errors, broken, {s.spec.service: s for s in from_manifests},
                       cache)
    services += context
    if platform is None:
        raise SpecErrors(errors)
    external = {s.doc.file for s in context if s in from_manifests}
    names = cache.physical_names(services, platform_doc, platform) if cache is not None else None
    errors.extend(e for e in check_rules(Fleet(platform_doc, platform, services, frozenset(broken), names))
                  if e.file not in external)
    warnings = [e for e in errors if e.severity == "warning"]
    failures = [e for e in errors if e.severity != "warning"]
    return Workspace(platform_doc, platform, services, warnings, targets, failures, frozenset(broken), cache)


def _context(services: list[ServiceInput], specs_dir: Path, errors: list[SpecError],
             broken: set[str], manifested: dict[str, ServiceInput],
             cache: "ServiceCache | None" = None) -> list[ServiceInput]:
    """Specs the targets refer to (publishers, store owners, workflow owners), loaded from the
    platform's directory as `<service>.yaml`, else from a manifest, so one service builds against
    the real fleet: its contracts, exports and published events. A manifest's own references are
    not followed: its build checked them."""
    known = {s.spec.service for s in services}
    pending = sorted(referenced_names(services) - known)
    found: list[ServiceInput] = []
    while pending:
        name = pending.pop(0)
        known.add(name)
        path = specs_dir / f"{name}.yaml"
        try:
            if not path.is_file():
                if name in manifested:
                    found.append(manifested[name])
                continue
        except OSError:  # e.g. a name too long for a file: no such spec (the rules say so)
            continue
        doc, spec = _load(path, ServiceSpec, errors, cache)
        if spec is None:
            broken.add(name)
        elif spec.service == name:
            item = ServiceInput(doc, spec)
            found.append(item)
            pending.extend(sorted(referenced_names([item]) - known - set(pending)))
    return found


def _manifest_services(paths: list[Path], present: set[str], errors: list[SpecError],
                       broken: set[str]) -> list[ServiceInput]:
    """The services of the manifests in `paths` whose spec is not `present`, each once (the first
    manifest found of it)."""
    from generator.fleet.manifest import find_manifests, load_manifest

    found: dict[str, ServiceInput] = {}
    for path in find_manifests(list(paths)):
        try:
            doc, name = load_manifest(path)
            if name in present or name in found:
                continue
            spec = validate_document(doc, ServiceSpec)
        except SpecErrors as exc:
            errors.extend(exc.errors)
            continue
        if spec.service == name:
            found[name] = ServiceInput(doc, spec)
        else:
            broken.add(name)
            errors.append(SpecError(str(path), 1, 1, "service", f"must be the service its spec names, got "
                                    f"{name!r} for a spec of {spec.service!r}", "the manifest was edited: rebuild it"))
    return list(found.values())


def referenced_names(services: list[ServiceInput]) -> set[str]:
    """The services `services` refer to: publishers they subscribe to (`from:`), owners of the
    workflows their functions start (`starts: other.workflow`)."""
    names: set[str] = set()
    for item in services:
        for fn in item.spec.functions.values():
            names.update(sub.from_ for sub in fn.subscribe if sub.from_)
            names.update(ref.split(".", 1)[0] for ref in fn.starts if "." in ref)
        for wf in item.spec.workflows.values():
            names.update(sub.from_ for sub in wf.started_by if sub.from_)
    return names


def _load(path: Path, model, errors: list[SpecError], cache: "ServiceCache | None" = None):
    try:
        if cache is not None:
            return cache.load(path, model)
        doc = load_document(path, str(path))
        return doc, validate_document(doc, model)
    except SpecErrors as exc:
        errors.extend(exc.errors)
        return None, None
