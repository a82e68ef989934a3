"""A build with nothing to do answers from the record of the last one, without the pipeline.

After a build that succeeded, a record (`<out>/.svcgen-cache/build/<request>.json`) keeps the
hash of everything that determined it, and what it reported:
- the request: the command's arguments and the working directory they are relative to;
- every input file read: platform.yaml, each spec given or found in a directory, each spec and
  manifest loaded as context; and which specs the directories held;
- each service's code directory (every file in it: owned files, the user's handlers and tests);
- every file it wrote outside the code directories (templates, manifests), as written;
- svcgen itself (its version and every file of its package), the Python running it and the
  versions of the libraries that shape the output; for a build that lints, the day (cfn-lint's
  findings depend on it).

The next build with the same request first hashes these again (a few milliseconds for a fleet of
100 services; only `inputs.py`, `output.py` and this module are imported). If every hash matches,
nothing the build would do can differ: it prints the last build's report with every file
identical and stops. Any difference, a missing or unreadable file, a record from another format:
the pipeline runs as usual, and a new record is kept. A dry run never uses or keeps a record.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
RECORD_DIR = Path(".svcgen-cache") / "build"
# Libraries whose version changes what a build writes or reports.
SHAPING_DISTRIBUTIONS = ("troposphere", "cfn-lint", "cfn-lint-serverless", "pydantic", "PyYAML", "ruamel.yaml",
                         "jinja2", "svcgen-runtime")
# Never part of a code directory's digest: written by running the service's tests, read by no build.
IGNORED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
PACKAGE = Path(__file__).resolve().parent


@dataclass
class Report:
    """What a build printed, to print again: its files' outcomes and its other lines."""

    files: list[tuple[str, str]] = field(default_factory=list)  # (outcome, path as printed)
    stage: str = ""  # `stage dev (persistent)`
    findings: int = 0
    errors: list[str] = field(default_factory=list)  # standard error lines: warnings, findings, hints


def request_key(args) -> str:
    request = {"cwd": os.getcwd(), "paths": [str(p) for p in args.paths], "platform": str(args.platform or ""),
               "manifests": [str(p) for p in args.manifests], "stage": args.stage, "branch": args.branch,
               "out": str(args.out), "lint": not args.no_lint, "code": not args.no_code, "force": args.force,
               "prune_orphans": args.prune_orphans}
    return _digest(json.dumps(request, sort_keys=True).encode())


def replay(args) -> Report | None:
    """The last build's report when nothing it depended on changed since, else None."""
    if args.dry_run:
        return None
    record = _read(_record_path(args))
    if record is None or record.get("format") != FORMAT or record.get("environment") != environment(not args.no_lint):
        return None
    try:
        from generator.inputs import discover

        discovered = [str(p) for p in discover(list(args.paths), args.platform)[1]]
    except Exception:  # noqa: BLE001 — a usage error: the pipeline reports it
        return None
    specs_dir, listing = record["specs_dir"]
    if discovered != record["discovered"] or _listing(Path(specs_dir)) != listing:
        return None
    for path, digest in {**record["inputs"], **record["outputs"]}.items():
        if _file_digest(Path(path)) != digest:
            return None
    for path, digest in record["code_dirs"].items():
        if directory_digest(Path(path)) != digest:
            return None
    return Report([tuple(f) for f in record["report"]["files"]], record["report"]["stage"],
                  record["report"]["findings"], list(record["report"]["errors"]))


def keep(args, discovered: list[Path], inputs: list[Path], code_dirs: list[Path], outputs: list[Path],
         report: Report, specs_dir: Path) -> None:
    """Record a build that succeeded (not a dry run). A record that cannot be written costs only time.
    `specs_dir`: platform.yaml's directory, where context specs are looked for by name: a spec that
    appears there may replace a manifest as context, so its listing is part of the record."""
    if args.dry_run:
        return
    record = {
        "format": FORMAT,
        "environment": environment(not args.no_lint),
        "discovered": [str(p) for p in discovered],
        "specs_dir": [str(specs_dir), _listing(specs_dir)],
        "inputs": {str(p): _file_digest(p) for p in sorted(set(inputs))},
        "outputs": {str(p): _file_digest(p) for p in sorted(set(outputs))},
        "code_dirs": {str(p): directory_digest(p) for p in sorted(set(code_dirs))},
        "report": {"files": report.files, "stage": report.stage, "findings": report.findings, "errors": report.errors},
    }
    if None in record["inputs"].values() or None in record["outputs"].values():
        return  # something vanished while building: nothing safe to record
    path = _record_path(args)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(json.dumps(record, sort_keys=True))
        os.replace(temporary, path)
    except OSError:
        pass


def environment(lint: bool) -> dict:
    """svcgen, the Python and the libraries that shape a build; the day, for a build that lints.
    Also the service cache's key (service_cache.py): one notion of "the same svcgen"."""
    return {"svcgen": svcgen_digest(), "libraries": dict(library_versions(SHAPING_DISTRIBUTIONS)), "python": sys.version,
            "day": datetime.date.today().isoformat() if lint else ""}


@functools.cache
def library_versions(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(distribution, version) of each of `names` ("" if absent). Looked up once per process:
    each lookup scans site-packages (~20 ms), and a build asks up to three times."""
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for name in names:
        try:
            versions.append((name, version(name)))
        except PackageNotFoundError:
            versions.append((name, ""))
    return tuple(versions)


def svcgen_digest() -> str:
    """Every file of svcgen's package (code, templates, schemas): a changed svcgen is a new one,
    even at the same version number (a checkout being worked on)."""
    return directory_digest(PACKAGE) or ""


def directory_digest(root: Path) -> str | None:
    """One hash of every file under `root` (names and contents), None when it cannot be read."""
    h = hashlib.sha256()
    try:
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS)
            for name in sorted(files):
                if name.endswith(".pyc"):
                    continue
                path = Path(directory, name)
                h.update(str(path.relative_to(root)).encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    except OSError:
        return None
    return h.hexdigest() if root.is_dir() else None


def _listing(directory: Path) -> list[str] | None:
    """The spec-like file names in `directory` (None: it cannot be read)."""
    try:
        return sorted(n for n in os.listdir(directory) if n.endswith((".yaml", ".yml")))
    except OSError:
        return None


def _file_digest(path: Path) -> str | None:
    try:
        return _digest(path.read_bytes())
    except OSError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record_path(args) -> Path:
    return Path(args.out) / RECORD_DIR / f"{request_key(args)[:32]}.json"


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
