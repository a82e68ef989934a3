"""A build with nothing to do is answered from the last one's record (build_cache.py), and only
then: change any input it depended on and the pipeline runs again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import build_cache, pipeline
from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
# Real builds of the demo platform on disk, a dozen of them: the slow tier.
pytestmark = pytest.mark.e2e


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The demo platform (specs and code) in a scratch directory, built once; `runs` counts the
    pipeline's builds from then on."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-lint"]) == 0
    runs = []
    real = pipeline.build
    monkeypatch.setattr(pipeline, "build", lambda *a, **k: runs.append(a) or real(*a, **k))
    return tmp_path, runs


def build(capsys, *argv) -> tuple[int, str]:
    code = main(["build", "--no-lint", *argv])
    return code, capsys.readouterr().out


def test_nothing_changed_answers_from_the_record_with_every_file_identical(repo, capsys):
    root, runs = repo
    capsys.readouterr()
    code, out = build(capsys)
    assert code == 0 and runs == []
    assert "created" not in out and "updated" not in out
    assert "identical build/dev/ledger/template.yaml" in out and "identical build/dev/ledger/manifest.json" in out
    assert "skipped   specs/ledger/handlers/" in out  # the user's files, as a full build reports them
    assert out.splitlines()[-1].startswith("stage dev (persistent): ") and " created" not in out.splitlines()[-1]


def change_spec(root: Path) -> None:
    path = root / "specs" / "ledger.yaml"
    path.write_text(path.read_text() + "# a comment changes the bytes\n")


def change_context_spec(root: Path) -> None:
    path = root / "specs" / "accounts.yaml"
    path.write_text(path.read_text() + "# context\n")


def change_platform(root: Path) -> None:
    path = root / "specs" / "platform.yaml"
    path.write_text(path.read_text() + "# platform\n")


def edit_owned_code(root: Path) -> None:
    path = next((root / "specs" / "ledger" / "plumbing").glob("*.py"))
    path.write_text(path.read_text() + "# edited\n")


def edit_user_handler(root: Path) -> None:
    path = next(p for p in (root / "specs" / "ledger" / "handlers").glob("*.py") if p.name != "__init__.py")
    path.write_text(path.read_text() + "\n# my change\n")


def delete_template(root: Path) -> None:
    (root / "build" / "dev" / "ledger" / "template.yaml").unlink()


def edit_manifest(root: Path) -> None:
    path = root / "build" / "dev" / "payments" / "manifest.json"
    path.write_text(path.read_text().replace('"ledger"', '"LEDGER"'))


def add_spec_beside_platform(root: Path) -> None:
    (root / "specs" / "audit.yaml").write_text("service: audit\nowner: team-audit\ndescription: d\n"
                                               "functions:\n  record: {}\n")


@pytest.mark.parametrize("change", [change_spec, change_context_spec, change_platform, edit_owned_code,
                                    edit_user_handler, delete_template, edit_manifest, add_spec_beside_platform])
def test_any_changed_input_or_output_runs_the_pipeline(repo, capsys, change):
    root, runs = repo
    # ledger alone: accounts.yaml is read as its context, and a new spec beside platform.yaml
    # could be one (it would beat a manifest); first a record of that build
    argv = ["specs/ledger.yaml"] if change in (change_context_spec, add_spec_beside_platform) else []
    if argv:
        assert build(capsys, *argv)[0] == 0
        runs.clear()
    change(root)
    code, _ = build(capsys, *argv)
    assert len(runs) == 1, change.__name__
    if code == 0:  # ...and then it is recorded again (a hand-edited owned file is a conflict: exit 1)
        assert build(capsys, *argv)[0] == 0 and len(runs) == 1


def test_another_request_is_another_record(repo, capsys):
    root, runs = repo
    assert build(capsys, "--no-code")[0] == 0  # other options: not the same build
    assert build(capsys, "--stage", "staging")[0] == 0
    assert len(runs) == 2
    assert build(capsys)[0] == 0 and len(runs) == 2  # the first request's record still holds


def test_a_changed_svcgen_library_or_python_runs_the_pipeline(repo, capsys, monkeypatch):
    root, runs = repo
    monkeypatch.setattr(build_cache, "svcgen_digest", lambda: "another svcgen")
    build(capsys)
    assert len(runs) == 1
    monkeypatch.setattr(build_cache, "SHAPING_DISTRIBUTIONS", build_cache.SHAPING_DISTRIBUTIONS + ("pip",))
    build(capsys)
    assert len(runs) == 2
    monkeypatch.setattr(build_cache.sys, "version", "3.99.0 (another Python)")
    build(capsys)
    assert len(runs) == 3


def test_a_dry_run_neither_answers_from_the_record_nor_keeps_one(repo, capsys):
    root, runs = repo
    code, out = build(capsys, "--dry-run")
    assert code == 0 and len(runs) == 1 and "would be identical" in out
    change_spec(root)
    build(capsys, "--dry-run")
    assert len(runs) == 2
    build(capsys)
    build(capsys)
    assert len(runs) == 3  # the real build after the change kept a record; the dry runs did not


def test_a_failed_build_keeps_no_record_and_the_last_good_one_still_holds(repo, capsys):
    root, runs = repo
    path = next((root / "specs" / "ledger" / "plumbing").glob("*.py"))
    good = path.read_text()
    path.write_text(good + "# a hand edit of an owned file: a conflict, exit 1\n")
    assert main(["build", "--no-lint"]) == 1
    assert main(["build", "--no-lint"]) == 1
    assert len(runs) == 2  # the failing build was not recorded: it ran the pipeline again
    path.write_text(good)  # back to what the last good build recorded
    capsys.readouterr()
    code, out = build(capsys)
    assert code == 0 and len(runs) == 2 and "created" not in out


def test_a_build_that_lints_is_recorded_for_its_day(monkeypatch):
    class Day(build_cache.datetime.date):
        @classmethod
        def today(cls):
            return cls(2031, 1, 2)

    assert build_cache.environment(lint=False)["day"] == ""
    monkeypatch.setattr(build_cache.datetime, "date", Day)
    assert build_cache.environment(lint=True)["day"] == "2031-01-02"  # cfn-lint's findings depend on the day
