"""The fleet as it was released, for SVC4010 (contracts changed incompatibly without a new version).

`--baseline` names it: `git:REF` reads each checked spec as it is at that commit (a pull request
against `git:origin/main`), and a path reads specs and manifests (a directory other repositories'
builds wrote, as released). Only contracts are compared, so a baseline spec needs to be valid
YAML of the current spec language, nothing more; one that is not is skipped with a warning.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.errors import SpecError, SpecErrors, UsageError
from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.validate import validate_document

GIT_PREFIX = "git:"


def load_baseline(source: str, services) -> tuple[dict, list[SpecError]]:
    """service name -> its released ServiceSpec, and warnings for baseline specs that could not be read."""
    if source.startswith(GIT_PREFIX):
        return _from_git(source[len(GIT_PREFIX):], services)
    return _from_path(Path(source))


def _from_git(ref: str, services) -> tuple[dict, list[SpecError]]:
    if not ref:
        raise UsageError("--baseline git:REF needs a commit, branch or tag, e.g. git:origin/main")
    found, warnings = {}, []
    for item in services:
        path = Path(item.doc.file)
        if not path.is_file():  # a manifest's spec lives in another repository
            continue
        try:
            shown = subprocess.run(["git", "show", f"{ref}:./{path.name}"], cwd=path.parent or ".",
                                   capture_output=True, check=False)
        except OSError as exc:
            raise UsageError(f"--baseline {GIT_PREFIX}{ref}: cannot run git: {exc.strerror or exc}") from None
        if shown.returncode != 0:
            error = shown.stderr.decode(errors="replace")
            if "exists on disk, but not in" in error or "does not exist in" in error:
                continue  # a new service: nothing was released to break
            raise UsageError(f"--baseline {GIT_PREFIX}{ref}: {error.strip().splitlines()[-1] if error.strip() else 'git failed'}")
        spec = _read(shown.stdout, f"{ref}:{path}", warnings)
        if spec is not None:
            found[spec.service] = spec
    return found, warnings


def _from_path(root: Path) -> tuple[dict, list[SpecError]]:
    from generator.fleet.manifest import find_manifests, load_manifest
    from generator.inputs import SPEC_SUFFIXES, is_spec_name

    if not root.exists():
        raise UsageError(f"--baseline {root}: no such file or directory (give a directory of specs or manifests, "
                         f"or git:REF)")
    found, warnings = {}, []
    if root.is_dir():
        specs = sorted(p for p in root.iterdir() if is_spec_name(p.name))
    else:
        specs = [root] if root.suffix in SPEC_SUFFIXES else []
    for path in specs:
        spec = _read(path.read_bytes(), str(path), warnings)
        if spec is not None:
            found.setdefault(spec.service, spec)
    for path in find_manifests([root]) if root.is_dir() or root.suffix == ".json" else []:
        try:
            doc, _ = load_manifest(path)
            spec = validate_document(doc, ServiceSpec)
        except SpecErrors:
            warnings.append(SpecError(str(path), 1, 1, "", "the baseline manifest cannot be read; its contracts "
                                      "are not compared", severity="warning"))
            continue
        found.setdefault(spec.service, spec)
    return found, warnings


def _read(text: bytes, file: str, warnings: list[SpecError]):
    try:
        return validate_document(load_text(text, file), ServiceSpec)
    except SpecErrors:
        warnings.append(SpecError(file, 1, 1, "", "the baseline spec is not valid today; its contracts are not "
                                  "compared", "SVC4010 compares contracts with a baseline that still validates",
                                  severity="warning"))
        return None
