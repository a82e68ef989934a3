"""A service's code directory reviewed at build time (generator/user_code.py): user files that no
longer match their function after a spec edit, and the orphans of a renamed function."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.output import Outcome
from generator.workspace import load_workspace

PLATFORM = "org: acme\nregion: eu-west-1\n"
CONTRACT = """\
publishes: [PaymentTaken]
events:
  PaymentTaken:
    fields:
      payment_id: {type: string}
"""
DIRECT = "service: payments\nowner: team\ndescription: Payments.\n" + CONTRACT + "functions:\n  process: {}\n"
SUBSCRIBED = DIRECT.replace("  process: {}\n", "  process:\n    subscribe: [{event: PaymentTaken, from: payments}]\n")
RENAMED = DIRECT.replace("  process: {}\n", "  take: {}\n")


def build(specs: Path, text: str, **kwargs):
    (specs / "payments.yaml").write_text(text)
    return pipeline.build(load_workspace([specs]), "dev", specs.parent / "build", lint=False, **kwargs)


def warnings_about(result, name: str) -> list[str]:
    return [w.render() for w in result.warnings if Path(w.file).name == name]


@pytest.fixture()
def specs(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "platform.yaml").write_text(PLATFORM)
    return tmp_path / "specs"


def test_a_new_trigger_is_reported_on_the_old_handler_and_test(specs):
    assert not build(specs, DIRECT).warnings
    result = build(specs, SUBSCRIBED)
    (handler,) = warnings_about(result, "process.py")
    assert handler.startswith(f"{specs / 'payments' / 'handlers' / 'process.py'}:")
    assert "process is now a queue consumer" in handler and "def handle(event: PaymentTaken)" in handler
    assert "got `def handle(event: Any)`" in handler and "warning:" in handler
    (test,) = warnings_about(result, "test_process.py")
    assert "it uses no event builder" in test and "sqs_record" in test and "delete it and build again" in test


def test_the_warning_goes_once_the_user_fixed_the_files(specs):
    build(specs, DIRECT)
    build(specs, SUBSCRIBED)
    code = specs / "payments"
    handler = code / "handlers" / "process.py"
    handler.write_text(handler.read_text().replace("def handle(event: Any) -> Any:", "def handle(event: PaymentTaken):")
                       .replace("from typing import Any\n", "from plumbing.models import PaymentTaken\n"))
    (code / "tests" / "test_process.py").unlink()  # the hint: delete it and build again
    result = build(specs, SUBSCRIBED)
    assert not result.warnings
    assert (code / "tests" / "test_process.py").read_text().count("sqs_record") >= 1


def test_an_annotation_of_the_users_own_is_not_a_mismatch(specs):
    build(specs, DIRECT)
    handler = specs / "payments" / "handlers" / "process.py"
    handler.write_text(handler.read_text().replace("def handle(event: Any) -> Any:", "def handle(event: dict) -> dict:"))
    assert not build(specs, DIRECT).warnings
    handler.write_text(handler.read_text().replace("def handle(event: dict)", "def handle(payload: dict, extra=None)"))
    (warning,) = build(specs, DIRECT).warnings
    assert "got `def handle(payload: dict, extra=None)`" in warning.message


def test_a_handler_without_its_function_is_reported(specs):
    build(specs, DIRECT)
    handler = specs / "payments" / "handlers" / "process.py"
    handler.write_text('"""Moved."""\n')
    (warning,) = build(specs, DIRECT).warnings
    assert "plumbing.process calls handle(), which this module does not define" in warning.message


def test_a_renamed_functions_owned_files_are_orphans_until_pruned(specs):
    build(specs, DIRECT)
    code = specs / "payments"
    entry = code / "plumbing" / "process.py"
    result = build(specs, RENAMED)
    outcomes = {f.path: f.outcome for f in result.files}
    assert outcomes[entry] is Outcome.ORPHANED and entry.is_file()
    assert Outcome.ORPHANED not in {o for p, o in outcomes.items() if p != entry}
    (test,) = warnings_about(result, "test_process.py")
    assert "it imports plumbing.process, which no function generates any more" in test
    dry = build(specs, RENAMED, prune_orphans=True, dry_run=True)
    assert {f.path: f.outcome for f in dry.files}[entry] is Outcome.REMOVED and entry.is_file()
    pruned = build(specs, RENAMED, prune_orphans=True)
    assert {f.path: f.outcome for f in pruned.files}[entry] is Outcome.REMOVED and not entry.exists()
    assert (code / "handlers" / "process.py").is_file() and (code / "tests" / "test_process.py").is_file()  # user's


def test_an_edited_orphan_is_kept_unless_forced(specs):
    build(specs, DIRECT)
    entry = specs / "payments" / "plumbing" / "process.py"
    entry.write_text(entry.read_text() + "# my change\n")
    result = build(specs, RENAMED, prune_orphans=True)
    assert {f.path: f.outcome for f in result.files}[entry] is Outcome.ORPHANED and entry.is_file()
    forced = build(specs, RENAMED, prune_orphans=True, force=True)
    assert {f.path: f.outcome for f in forced.files}[entry] is Outcome.REMOVED and not entry.exists()


def test_files_without_the_owned_header_are_never_orphans(specs):
    build(specs, DIRECT)
    code = specs / "payments"
    (code / "plumbing" / "notes.py").write_text("# mine\n")
    (code / ".venv" / "lib").mkdir(parents=True)
    copied = (code / "plumbing" / "models.py").read_text()
    (code / ".venv" / "lib" / "models.py").write_text(copied)  # owned header, but in a skipped directory
    result = build(specs, DIRECT, prune_orphans=True)
    assert not [f for f in result.files if f.outcome in (Outcome.ORPHANED, Outcome.REMOVED)]
    assert (code / "plumbing" / "notes.py").is_file()


def test_cli_reports_orphans_and_prunes_them(specs, capsys, monkeypatch):
    from generator.cli import main

    monkeypatch.chdir(specs.parent)
    build(specs, DIRECT)
    (specs / "payments.yaml").write_text(RENAMED)
    assert main(["build", "--no-lint"]) == 0
    out, err = capsys.readouterr()
    assert "orphaned  specs/payments/plumbing/process.py" in out
    assert "1 generated file(s) belong to no function any more" in err and "--prune-orphans" in err
    assert main(["build", "--no-lint", "--prune-orphans"]) == 0
    out, err = capsys.readouterr()
    assert "removed   specs/payments/plumbing/process.py" in out and "belong to no function" not in err


def test_review_reads_only_what_it_must(tmp_path):
    """A code directory that is a broken link or holds unreadable bytes is no orphan."""
    from generator.user_code import orphans

    root = tmp_path / "code"
    root.mkdir()
    (root / "binary.bin").write_bytes(b"\xff\xfe" * 300)
    (root / "link").symlink_to(tmp_path / "nowhere")
    assert orphans(root, []) == []
    assert orphans(tmp_path / "missing", []) == []


def test_a_test_that_uses_more_builders_than_svcgen_wrote_still_matches(specs):
    build(specs, SUBSCRIBED)
    test = specs / "payments" / "tests" / "test_process.py"
    test.write_text("from plumbing.testing import http_event\n" + test.read_text())
    assert not build(specs, SUBSCRIBED).warnings
    assert not build(specs, SUBSCRIBED.replace("from: payments}", "from: payments, filter: {payment_id: [x]}}")).warnings


def test_code_from_before_the_runtime_library_is_pointed_at_it(specs):
    """A service generated when svcgen copied its runtime into plumbing/: its old owned modules are
    orphans, and a user file importing them is told where they went, not asked about a rename."""
    build(specs, DIRECT)
    code = specs / "payments"
    old = (code / "plumbing" / "models.py").read_text()  # any owned file: same header shape
    (code / "plumbing" / "runtime").mkdir()
    (code / "plumbing" / "runtime" / "consumer.py").write_text(old)
    (code / "plumbing" / "testing.py").write_text(old)
    test = code / "tests" / "test_process.py"
    test.write_text("from plumbing.testing import lambda_context\nfrom plumbing.runtime.consumer import x\n"
                    + test.read_text())
    result = build(specs, DIRECT)
    orphaned = {f.path.relative_to(code).as_posix() for f in result.files if f.outcome is Outcome.ORPHANED}
    assert orphaned == {"plumbing/runtime/consumer.py", "plumbing/testing.py"}
    (warning,) = [w for w in warnings_about(result, "test_process.py") if "imports" in w]
    assert "plumbing.runtime.consumer, plumbing.testing, which svcgen no longer generates" in warning
    assert "svcgen_runtime.testing" in warning and "renamed or removed" not in warning
