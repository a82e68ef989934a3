"""A build's writes are all-or-nothing: staged beside their targets, renamed only when all are
staged; killed builds' temporaries are cleaned up; line-ending-only changes to generated files
are repaired; an unreadable target is one error line."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from generator import output
from generator.cli import main
from generator.output import TMP_MARK, Outcome, PendingWrite, WriteError, commit
from generator.ownership import OWNED, USER, PlannedFile, apply, render

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


def snapshot(root: Path) -> dict:
    """Every directory and file under root, with each file's bytes and mtime."""
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) if p.is_file() else "dir"
            for p in sorted(root.rglob("*"))}


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if TMP_MARK in p.name]


def fail_on_call(monkeypatch, target, name: str, nth: int, err: int) -> None:
    """Make `target.name` raise OSError(err) on its nth call; the other calls go through."""
    real, calls = getattr(target, name), []

    def fake(*args, **kwargs):
        calls.append(args)
        if len(calls) == nth:
            raise OSError(err, os.strerror(err))
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, fake)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: no process has this pid now
    return child.pid


@pytest.fixture
def three_writes(tmp_path):
    """An update of an existing file, a new file beside it, a new file in a new directory."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "old.txt").write_text("old\n")
    return [PendingWrite(tmp_path / "a" / "old.txt", b"new\n"),
            PendingWrite(tmp_path / "a" / "added.txt", b"added\n"),
            PendingWrite(tmp_path / "b" / "c" / "deep.txt", b"deep\n")]


def test_commit_writes_every_file(tmp_path, three_writes):
    commit(three_writes)
    for pending in three_writes:
        assert pending.path.read_bytes() == pending.data
        assert pending.path.stat().st_mode & 0o777 == 0o644
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_disk_full_while_staging_the_nth_file_changes_nothing(tmp_path, three_writes, monkeypatch, nth):
    before = snapshot(tmp_path)
    fail_on_call(monkeypatch, os, "fsync", nth, errno.ENOSPC)
    with pytest.raises(WriteError) as caught:
        commit(three_writes)
    assert str(caught.value) == f"cannot write {three_writes[nth - 1].path}: No space left on device"
    assert snapshot(tmp_path) == before  # no target changed, no directory left created
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize("nth", [1, 3])
def test_permission_refused_while_staging_changes_nothing(tmp_path, three_writes, monkeypatch, nth):
    before = snapshot(tmp_path)
    fail_on_call(monkeypatch, tempfile, "mkstemp", nth, errno.EACCES)
    with pytest.raises(WriteError, match=f"cannot write {three_writes[nth - 1].path}: Permission denied"):
        commit(three_writes)
    assert snapshot(tmp_path) == before and temporaries(tmp_path) == []


def test_a_rename_that_fails_leaves_no_temporary(tmp_path, three_writes, monkeypatch):
    """Past staging only a rename can fail (a directory appeared in a target's place): the
    files renamed before it stay new, and no temporary is left behind."""
    fail_on_call(monkeypatch, os, "replace", 2, errno.EISDIR)
    with pytest.raises(WriteError, match=f"cannot write {three_writes[1].path}: Is a directory"):
        commit(three_writes)
    assert three_writes[0].path.read_bytes() == three_writes[0].data
    assert not three_writes[1].path.exists() and temporaries(tmp_path) == []


def test_temporaries_are_hidden_beside_their_target_with_one_name_pattern(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda src, dst: (seen.append((Path(src), Path(dst))), real_replace(src, dst)))
    commit([PendingWrite(tmp_path / "x" / "template.yaml", b"x")])
    ((src, dst),) = seen
    assert src.parent == dst.parent  # same directory: the rename is atomic
    assert output._TMP_NAME.fullmatch(src.name) and src.name.startswith(".template.yaml" + TMP_MARK)
    assert f"{TMP_MARK}{os.getpid()}-" in src.name


def test_stale_temporaries_of_dead_builds_are_removed_and_nothing_else(tmp_path):
    code = tmp_path / "plumbing"
    code.mkdir()
    (code / "models.py").write_text("kept\n")
    stale = code / f".models.py{TMP_MARK}{dead_pid()}-abc123_x"
    running = code / f".models.py{TMP_MARK}{os.getpid()}-abc123_x"  # a build still staging
    others = [code / ".models.py.abc123.tmp", code / f"models.py{TMP_MARK}{dead_pid()}-abc",
              code / "notes.txt"]
    a_dir = code / f".dir{TMP_MARK}{dead_pid()}-abc"
    for path in [stale, running, *others]:
        path.write_text("?")
    a_dir.mkdir()
    planned = PlannedFile(code / "models.py", "kept\n", USER)  # skipped: nothing to write
    assert [r.outcome for r in apply([planned])] == [Outcome.SKIPPED]
    assert not stale.exists()
    assert running.exists() and a_dir.is_dir() and all(p.exists() for p in others)
    assert (code / "models.py").read_text() == "kept\n"


def test_dry_run_removes_no_stale_temporary(tmp_path):
    stale = tmp_path / f".x.py{TMP_MARK}{dead_pid()}-abc"
    stale.write_text("?")
    apply([PlannedFile(tmp_path / "x.py", "A = 1\n", OWNED)], dry_run=True)
    assert stale.exists() and not (tmp_path / "x.py").exists()


# --- line endings -------------------------------------------------------------------------------

def test_generated_file_converted_to_crlf_is_repaired_and_reported_updated(tmp_path):
    planned = PlannedFile(tmp_path / "models.py", "A = 1\nB = 2\n", OWNED)
    apply([planned])
    lf = planned.path.read_bytes()
    planned.path.write_bytes(lf.replace(b"\n", b"\r\n"))
    assert [r.outcome for r in apply([planned])] == [Outcome.UPDATED]
    assert planned.path.read_bytes() == lf
    assert [r.outcome for r in apply([planned])] == [Outcome.IDENTICAL]


def test_crlf_copy_of_an_older_generated_file_is_updated(tmp_path):
    path = tmp_path / "models.py"
    path.write_bytes(render(PlannedFile(path, "A = 0\n", OWNED)).encode().replace(b"\n", b"\r\n"))
    assert [r.outcome for r in apply([PlannedFile(path, "A = 1\n", OWNED)])] == [Outcome.UPDATED]
    assert path.read_text().endswith("A = 1\n")


def test_hand_edited_crlf_generated_file_stays_a_conflict(tmp_path):
    planned = PlannedFile(tmp_path / "models.py", "A = 1\n", OWNED)
    apply([planned])
    edited = (planned.path.read_text() + "B = 'mine'\n").replace("\n", "\r\n").encode()
    planned.path.write_bytes(edited)
    assert [r.outcome for r in apply([planned])] == [Outcome.CONFLICT]
    assert planned.path.read_bytes() == edited


# --- unreadable targets -------------------------------------------------------------------------

def test_unreadable_generated_file_is_a_write_error_not_a_traceback(tmp_path, monkeypatch):
    planned = PlannedFile(tmp_path / "models.py", "A = 1\n", OWNED)
    apply([planned])
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied")) if self == planned.path else real(self))
    with pytest.raises(WriteError, match=f"^cannot read {planned.path}: Permission denied$"):
        apply([planned])


def test_directory_in_place_of_a_generated_file_is_a_write_error(tmp_path):
    planned = PlannedFile(tmp_path / "models.py", "A = 1\n", OWNED)
    planned.path.mkdir()
    with pytest.raises(WriteError, match="something other than a file is in the way"):
        apply([planned])


# --- a whole build ------------------------------------------------------------------------------

@pytest.fixture
def built(tmp_path, capsys):
    """payments built once (templates and code), then made to need template and code writes."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs, ignore=shutil.ignore_patterns("ledger", "accounts", "onboarding",
                                                                "notifications", "payments"))
    out = tmp_path / "out"
    args = ["build", str(specs), "--out", str(out), "--no-lint"]
    assert main(args) == 0
    template = out / "dev" / "payments" / "template.yaml"
    template.write_text("stale\n")  # -> updated
    (specs / "payments" / "plumbing" / "models.py").unlink()  # -> created
    shutil.rmtree(specs / "payments" / "handlers")  # -> created, in a new directory
    assert main([*args, "--dry-run"]) == 0
    pending = [line for line in capsys.readouterr().out.splitlines()
               if line.startswith(("would be created", "would be updated"))]
    return tmp_path, args, len(pending)


@pytest.mark.e2e  # whole builds of the demo
@pytest.mark.parametrize("which", ["first", "last"])
def test_a_build_that_cannot_write_one_file_changes_no_file(built, monkeypatch, capsys, which):
    root, args, count = built
    assert count >= 4
    before = snapshot(root)
    fail_on_call(monkeypatch, os, "fsync", 1 if which == "first" else count, errno.ENOSPC)
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith("svcgen: error: cannot write ") and err.endswith(": No space left on device\n")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert snapshot(root) == before and temporaries(root) == []
    monkeypatch.undo()
    assert main(args) == 0  # and the next build does it all
    assert (root / "specs" / "payments" / "handlers").is_dir()


@pytest.mark.e2e  # whole builds of the demo
def test_a_build_removes_stale_temporaries_where_it_writes(built):
    root, args, _ = built
    template_dir = root / "out" / "dev" / "platform"  # its template is identical: not rewritten
    stale = [template_dir / f".template.yaml{TMP_MARK}{dead_pid()}-abc",
             root / "specs" / "payments" / "plumbing" / f".models.py{TMP_MARK}{dead_pid()}-abc"]
    for path in stale:
        path.write_text("half a file")
    assert main(args) == 0
    assert not any(p.exists() for p in stale)


@pytest.mark.e2e  # whole builds of the demo
def test_build_with_an_unreadable_generated_file_is_one_error_line(built, monkeypatch, capsys):
    root, args, _ = built
    generated = root / "specs" / "payments" / "plumbing" / "observability.py"
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(
        PermissionError(errno.EACCES, "Permission denied")) if self == generated else real(self))
    assert main(args) == 1
    assert capsys.readouterr().err == f"svcgen: error: cannot read {generated}: Permission denied\n"
