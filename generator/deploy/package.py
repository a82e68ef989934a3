"""A service's Lambda code package: one zip, byte-identical for the same content, named by it.

The zip holds the service's code directory (without its tests, caches, hidden files and
virtualenvs) and its dependencies (`requirements.txt`, installed for the function's platform:
deps.py). Every entry has the same timestamp (1980-01-01, the zip format's first day), the same
permissions (rw-r--r--) and the same compression, in sorted order, with no compiled bytecode. The
name is `<service>-<first 16 hex digits of the content hash>.zip`: the hash is of the entries'
paths and bytes, not of the zip, so it stays the same with another zlib. An unchanged service
gets the same name, and the deploy never uploads a key the bucket already has.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.deploy.deps import COMPLETE, PackageError, install, lambda_platform, python_version

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # a regular file, rw-r--r--: Lambda only reads the code
REQUIREMENTS = "requirements.txt"
TOP_LEVEL_SKIP = {"tests"}  # the service's own tests (`svcgen new` puts them there)
SKIP_DIRS = {"__pycache__"}
SKIP_SUFFIXES = (".pyc", ".pyo")
__all__ = ["PackageError", "PackageResult", "lambda_settings", "package_service"]


@dataclass(frozen=True)
class PackageResult:
    service: str
    path: Path  # where the zip is (or would be, with dry_run)
    sha256: str  # of the content (paths and bytes)
    files: int
    dependencies: str  # "none" (no requirements.txt), "installed" or "cached"
    outcome: str  # "created", "identical" (already there) or "would create"
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.path.name


def lambda_settings(template: dict) -> tuple[str, str] | None:
    """(runtime, architecture) of the template's functions, which share one package; None when
    it has no function."""
    found = set()
    for resource in (template.get("Resources") or {}).values():
        if resource.get("Type") == "AWS::Lambda::Function":
            props = resource.get("Properties") or {}
            found.add((str(props.get("Runtime", "")), str((props.get("Architectures") or ["x86_64"])[0])))
    if len(found) > 1:
        raise PackageError(f"the functions use different runtimes or architectures ({sorted(found)}), but share "
                           "one code package")
    return found.pop() if found else None


def package_service(code_dir: Path, out_dir: Path, runtime: str, architecture: str, service: str | None = None,
                    cache: Path | None = None, find_links: list[Path] | None = None,
                    progress: Callable[[str], None] | None = None, dry_run: bool = False,
                    pip_options: tuple[str, ...] = ()) -> PackageResult:
    code_dir, out_dir = Path(code_dir), Path(out_dir)
    service = service or code_dir.name
    python_version(runtime), lambda_platform(architecture)  # refuse bad settings before any work
    if not code_dir.is_dir():
        raise PackageError(f"{code_dir}: no such directory (a service's code lives beside its spec)")
    entries, notes, dependencies = {}, [], "none"
    requirements = code_dir / REQUIREMENTS
    if requirements.is_file():
        installed, cached = install(requirements, runtime, architecture, cache, find_links, progress, pip_options)
        dependencies = "cached" if cached else "installed"
        entries.update(_dependency_files(installed))
    else:
        notes.append(f"{requirements} does not exist: packaged the code alone, without dependencies")
    code = _code_files(code_dir)
    shadowed = sorted(set(code) & set(entries))
    if shadowed:
        notes.append(f"the code's {shadowed[0]} replaces a dependency's file of the same path"
                     + (f" (and {len(shadowed) - 1} more)" if len(shadowed) > 1 else ""))
    entries.update(code)
    content = content_hash(entries)
    path = out_dir / f"{service}-{content[:16]}.zip"
    if dry_run:
        outcome = "identical" if path.is_file() else "would create"
    elif path.is_file():
        outcome = "identical"
    else:
        write_zip(path, entries)
        outcome = "created"
    if not dry_run:
        for stale in out_dir.glob(f"{service}-*.zip"):
            if stale != path and re.fullmatch(rf"{re.escape(service)}-[0-9a-f]{{16}}\.zip", stale.name):
                stale.unlink()
    return PackageResult(service, path, content, len(entries), dependencies, outcome, tuple(notes))


def _code_files(root: Path) -> dict[str, Path]:
    found = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        at_top = here == root
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS
                         and not (at_top and d in TOP_LEVEL_SKIP) and not (here / d / "pyvenv.cfg").exists())
        for name in files:
            if name.startswith(".") or name.endswith(SKIP_SUFFIXES):
                continue
            found[(here / name).relative_to(root).as_posix()] = here / name
    return found


def _dependency_files(root: Path) -> dict[str, Path]:
    """Installed packages keep their hidden directories (a wheel's `.libs`); pip's `bin/` scripts
    name this machine's interpreter and are of no use in Lambda."""
    found = {}
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not (here == root and d == "bin"))
        for name in files:
            if name.endswith(SKIP_SUFFIXES) or (here == root and name == COMPLETE):
                continue
            found[(here / name).relative_to(root).as_posix()] = here / name
    return found


def content_hash(entries: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name in sorted(entries):
        digest.update(name.encode() + b"\0" + hashlib.sha256(entries[name].read_bytes()).digest())
    return digest.hexdigest()


def write_zip(path: Path, entries: dict[str, Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
                info.external_attr = FILE_MODE << 16
                info.create_system = 3  # Unix, so the mode above is read as one
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, entries[name].read_bytes(), compresslevel=9)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
