"""A service's manifest: what other repositories need to know of it, written by every build.

A fleet spread over many repositories is checked (`svcgen check --manifests DIR`) and drawn from
the manifests its builds wrote, and a service subscribes to another team's event by having that
team's manifest, instead of a copy of its spec and of every spec that one refers to.

A manifest holds the spec document itself (its data and where each key was, in its own repository)
so that every rule runs on it exactly as on the spec and each finding still points at the spec's
line; and the service's view (fleet/model.py: resolved runtimes, memory, concurrency, triggers,
contracts), for tools that read JSON rather than svcgen.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from generator.errors import SpecError, SpecErrors, UsageError
from generator.spec.load import Document

FORMAT = 1  # raised when a manifest changes in a way an older svcgen would misread
MANIFEST_FILE = "manifest.json"  # in a build: <out>/<stage>/<service>/manifest.json
SUFFIX = ".manifest.json"  # in a directory of collected manifests: <service>.manifest.json
MAX_BYTES = 5_000_000  # a spec is at most 1 MB (spec/load.py); its manifest a few times that


def manifest_text(item, view, svcgen_version: str, stage: str) -> str:
    """The manifest of one service (a `ServiceInput`) and its `view` (fleet.model.ServiceView)."""
    from generator.fleet.model import spec_location

    doc = item.doc
    data = {
        "svcgen_manifest": FORMAT,
        "svcgen_version": svcgen_version,
        "service": item.spec.service,
        "stage": stage,
        "spec": {
            "file": spec_location(doc.file),  # its path in its own repository, as findings show it
            "data": doc.data,
            "positions": [[list(path), line, col] for path, (line, col) in sorted(doc.positions.items(), key=_order)],
        },
        "view": view.as_dict(),
    }
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def build_manifests(ws, artifacts, stage) -> list[tuple[Path, str]]:
    """(path relative to the build's output, text) of each rendered service's manifest, beside its
    template: <stage>/<service>/manifest.json."""
    from generator.fleet.model import describe_service
    from generator.version import svcgen_version

    by_name = {item.spec.service: item for item in ws.services}
    found = []
    for artifact in artifacts:
        if artifact.svc is None:  # the platform stack: no service
            continue
        item = by_name[artifact.stack]
        view = describe_service(item, ws.platform, stage, artifact.svc)
        found.append((artifact.relpath.parent / MANIFEST_FILE, manifest_text(item, view, svcgen_version(), stage.name)))
    return found


def _order(entry):
    path, _ = entry
    return [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in path]


def find_manifests(paths: list[Path]) -> list[Path]:
    """Manifest files among `paths`: files as given, directories searched (recursively) for
    `manifest.json` (a build's output) and `*.manifest.json` (a collection)."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                found += [Path(root, f) for f in sorted(files) if f == MANIFEST_FILE or f.endswith(SUFFIX)]
        else:
            raise UsageError(f"{path}: no such file or directory (--manifests takes manifest files or directories)")
    return found


def load_manifest(path: Path) -> tuple[Document, str]:
    """The spec document a manifest holds, and the service it names; SpecErrors at the manifest
    when it is not one this svcgen reads."""
    file = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SpecErrors([SpecError(file, 1, 1, "", f"cannot read the manifest: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise SpecErrors([SpecError(file, 1, 1, "", f"a manifest is at most {MAX_BYTES} bytes, got more")])
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line, col = (exc.lineno, exc.colno) if isinstance(exc, json.JSONDecodeError) else (1, 1)
        raise SpecErrors([SpecError(file, line, col, "", f"must be a manifest svcgen build wrote (JSON), got {exc}")]) \
            from None
    problem = _header_problem(data)
    if problem:
        raise SpecErrors([SpecError(file, 1, 1, problem[0], problem[1], problem[2])])
    spec = data["spec"]
    positions = {tuple(entry[0]): (entry[1], entry[2]) for entry in spec["positions"]}
    return Document(spec["file"], spec["data"], positions), data["service"]


def _header_problem(data) -> tuple[str, str, str] | None:
    if not isinstance(data, dict) or "svcgen_manifest" not in data:
        return "svcgen_manifest", "must be a manifest svcgen build wrote, got a JSON file without `svcgen_manifest`", \
            "manifests are <out>/<stage>/<service>/manifest.json after `svcgen build`"
    version = data["svcgen_manifest"]
    if version != FORMAT:
        return "svcgen_manifest", f"must be manifest format {FORMAT}, got {version!r}", \
            "written by another svcgen version: rebuild the service with this one, or upgrade svcgen"
    spec = data.get("spec")
    shape_ok = (isinstance(data.get("service"), str) and isinstance(spec, dict) and isinstance(spec.get("file"), str)
                and isinstance(spec.get("data"), dict) and isinstance(spec.get("positions"), list)
                and all(isinstance(e, list) and len(e) == 3 and isinstance(e[0], list) and isinstance(e[1], int)
                        and isinstance(e[2], int) for e in spec["positions"]))
    if not shape_ok:
        return "spec", "must hold the service's spec (file, data, positions), got something else", \
            "the file was edited or cut short: rebuild the service to write it again"
    return None
