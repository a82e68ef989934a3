"""Writing files: atomically, only when the content changed, each reported with its outcome."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Outcome(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    IDENTICAL = "identical"
    SKIPPED = "skipped"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome


class WriteError(OSError):
    """The file system refused a write (`--out` names a file, no permission, disk full): reported
    as one line by the CLI. An OSError still, so callers that may ignore failures (the lint
    cache) keep doing so."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path


def file_exists(path: Path) -> bool:
    """Whether a file svcgen is about to write exists; anything else in its place (a directory)
    is an error, not a traceback from reading it."""
    if path.exists() and not path.is_file():
        raise WriteError(path, "something other than a file is in the way (a directory?)")
    return path.exists()


def planned_outcome(path: Path, content: bytes) -> Outcome:
    if not file_exists(path):
        return Outcome.CREATED
    return Outcome.IDENTICAL if path.read_bytes() == content else Outcome.UPDATED


def write_file(path: Path, content: str | bytes, dry_run: bool = False) -> FileResult:
    """Write only if different (an identical file keeps its mtime); never leave a partial file."""
    data = content.encode() if isinstance(content, str) else content
    outcome = planned_outcome(path, data)
    if outcome is not Outcome.IDENTICAL and not dry_run:
        atomic_write(path, data)
    return FileResult(path, outcome)


def atomic_write(path: Path, data: bytes) -> None:
    try:
        _atomic_write(path, data)
    except OSError as exc:
        raise WriteError(path, exc.strerror or str(exc)) from None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # atomic on POSIX: readers see the old or the new file, never half
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def summary(results: list[FileResult]) -> str:
    counts = {o: sum(1 for r in results if r.outcome is o) for o in Outcome}
    parts = [f"{n} {o.value}" for o, n in counts.items() if n]
    return f"{len(results)} file(s): " + (", ".join(parts) if parts else "nothing to do")
