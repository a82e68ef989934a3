"""Writing files: all of a build or none, only when the content changed, each reported with its
outcome.

A build's writes are one transaction (`commit`): every file that must change is first staged as
a hidden temporary beside its target (same directory, so the final rename is atomic on the
same file system) and flushed to disk; only when all are staged is each renamed into place. If
staging any of them fails (disk full, no permission), every temporary is deleted and no target
has changed.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

# One name pattern for every temporary svcgen stages, `.<name>.svcgen-tmp-<pid>-<random>`: hidden,
# never mistaken for a user's file, and carrying the pid of the build that made it, so a later
# build can tell a killed build's leftovers from a running build's staged files.
TMP_MARK = ".svcgen-tmp-"
_TMP_NAME = re.compile(r"\..*" + re.escape(TMP_MARK) + r"(\d{1,10})-[a-z0-9_]+")
_NAME_KEEP = 100  # of the target's name, so the temporary's name stays under NAME_MAX (255)
MODE = 0o644
NOT_A_FILE = "something other than a file is in the way (a directory?)"


class Outcome(str, Enum):
    CREATED = "created"
    UPDATED = "updated"
    IDENTICAL = "identical"
    SKIPPED = "skipped"
    CONFLICT = "conflict"
    ORPHANED = "orphaned"  # an owned file no function generates any more (user_code.py); kept
    REMOVED = "removed"  # such a file, removed with --prune-orphans


@dataclass(frozen=True)
class FileResult:
    path: Path
    outcome: Outcome


@dataclass(frozen=True)
class PendingWrite:
    path: Path
    data: bytes


class WriteError(OSError):
    """The file system refused a write (`--out` names a file, no permission, disk full) or the
    read of a file svcgen must compare against: reported as one line by the CLI. An OSError
    still, so callers that may ignore failures (the lint cache) keep doing so."""

    def __init__(self, path: Path, reason: str, action: str = "write") -> None:
        super().__init__(f"cannot {action} {path}: {reason}")
        self.path = path


def out_dir(text: str) -> Path:
    """argparse type of `--out`: an empty value (an unset variable in `--out "$DIR"`) would
    otherwise become `.` and write into the current directory."""
    if not text:
        raise argparse.ArgumentTypeError("must name a directory, got an empty string")
    return Path(text)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _stat_target(path: Path) -> os.stat_result | None:
    """The stat of what `path` names (following links), None if nothing is there. A missing
    parent, or a file where a parent directory should be, also means "absent": writing will
    then fail with the real reason."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # no permission to look, a link loop
        raise WriteError(path, _reason(exc), "read") from None


def file_exists(path: Path) -> bool:
    """Whether a file svcgen is about to write exists; anything else in its place (a directory)
    is an error, not a traceback from reading it."""
    found = _stat_target(path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise WriteError(path, NOT_A_FILE)
    return found is not None


def read_existing(path: Path) -> bytes | None:
    """The current bytes of a file svcgen is about to write, None if it does not exist."""
    if not file_exists(path):
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:  # removed since the stat: as good as never there
        return None
    except OSError as exc:
        raise WriteError(path, _reason(exc), "read") from None


def plan_write(path: Path, content: str | bytes) -> tuple[FileResult, PendingWrite | None]:
    """The outcome of writing `content` to `path`, and the write to commit (None if identical)."""
    data = content.encode() if isinstance(content, str) else content
    current = read_existing(path)
    if current == data:
        return FileResult(path, Outcome.IDENTICAL), None
    outcome = Outcome.CREATED if current is None else Outcome.UPDATED
    return FileResult(path, outcome), PendingWrite(path, data)


def write_file(path: Path, content: str | bytes, dry_run: bool = False) -> FileResult:
    """Write only if different (an identical file keeps its mtime); never leave a partial file."""
    result, pending = plan_write(path, content)
    if pending is not None and not dry_run:
        commit([pending])
    return result


def atomic_write(path: Path, data: bytes) -> None:
    commit([PendingWrite(path, data)])


def commit(writes: Sequence[PendingWrite], clean: Iterable[Path] = (), removals: Sequence[Path] = ()) -> None:
    """Write all of `writes` or none of them, first removing stale temporaries (of killed
    builds) from every directory written into and from the directories in `clean`; then remove
    `removals` (orphaned owned files), once every write has landed.

    Raises WriteError naming the one file that could not be staged; then every target, and
    every directory, is as it was (directories this call created are removed again).

    Remaining window: the renames are atomic one by one, not together. A crash (power loss,
    SIGKILL) between two renames leaves the earlier targets new and the later ones old, each
    file whole, with the rest of the staged temporaries behind: the next build removes those
    and rewrites what still differs. Closing it would need a journal or an atomic swap of a
    whole directory, which generated code living beside user files rules out.
    """
    for directory in sorted({w.path.parent for w in writes} | set(clean)):
        remove_stale_temporaries(directory)
    staged: list[tuple[Path, Path]] = []
    created_dirs: list[Path] = []
    for pending in writes:
        try:
            created_dirs += _make_parents(pending.path.parent)
            staged.append((_stage(pending), pending.path))
        except BaseException as exc:  # Ctrl-C too: never leave temporaries behind
            _discard([tmp for tmp, _ in staged], created_dirs)
            if isinstance(exc, OSError):
                raise WriteError(pending.path, _reason(exc)) from None
            raise
    for index, (tmp, path) in enumerate(staged):
        try:
            os.replace(tmp, path)  # atomic: readers see the old or the new file, never half
        except OSError as exc:  # e.g. a directory appeared in its place since planning
            _discard([t for t, _ in staged[index:]], [])
            raise WriteError(path, _reason(exc)) from None
    for path in removals:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise WriteError(path, _reason(exc), "remove") from None
    for directory in sorted({path.parent for _, path in staged} | {path.parent for path in removals}):
        _fsync_dir(directory)


def remove_stale_temporaries(directory: Path) -> list[Path]:
    """Delete the temporaries a killed build left in `directory` (svcgen's name pattern, regular
    files, made by a process that no longer runs); nothing else. Best effort: a leftover that
    cannot be listed or deleted costs only disk space, so it never fails a build."""
    removed = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in sorted(entries, key=lambda e: e.name):
        match = _TMP_NAME.fullmatch(entry.name)
        if not match or not entry.is_file(follow_symlinks=False) or _running(int(match.group(1))):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _running(pid: int) -> bool:
    """Whether the build that staged a temporary may still be renaming it: deleting it then
    would break that build's transaction halfway."""
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # EPERM: alive, another user's; anything odd: leave it
        return True
    return True


def _make_parents(directory: Path) -> list[Path]:
    """mkdir -p, returning the directories it created (outermost first) for a rollback."""
    missing = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def _stage(pending: PendingWrite) -> Path:
    path = pending.path
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:_NAME_KEEP]}{TMP_MARK}{os.getpid()}-")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pending.data)
            handle.flush()
            os.fsync(handle.fileno())  # a full disk may only say so here (delayed allocation)
        os.chmod(tmp, MODE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _discard(temporaries: list[Path], created_dirs: list[Path]) -> None:
    for tmp in temporaries:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    for directory in reversed(created_dirs):  # innermost first; only if still empty
        try:
            directory.rmdir()
        except OSError:
            pass


def _fsync_dir(directory: Path) -> None:
    """Make the renames themselves durable. Best effort: not every file system can."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def summary(results: list[FileResult]) -> str:
    counts = {o: sum(1 for r in results if r.outcome is o) for o in Outcome}
    parts = [f"{n} {o.value}" for o, n in counts.items() if n]
    return f"{len(results)} file(s): " + (", ".join(parts) if parts else "nothing to do")
