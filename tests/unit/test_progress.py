"""Progress of a long build (progress.py), and `svcgen build --quiet`."""

from __future__ import annotations

import io
from pathlib import Path

from generator.cli import main
from generator.progress import Progress

ROOT = Path(__file__).resolve().parents[2]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_shown_in_the_first_second_then_a_line_per_step_in_ci():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, clock=clock)
    progress.phase("rendering", 3)
    progress.advance("accounts")
    clock.now = 1.5
    progress.advance("ledger")
    progress.advance("payments")
    progress.finish()
    assert stream.getvalue() == "rendering: 2/3 ledger\nrendering: 3/3 payments\n"


def test_a_terminal_gets_one_line_redrawn_and_cleared():
    clock, stream = Clock(), Terminal()
    clock.now = 2.0
    progress = Progress(stream, clock=clock, delay=0.0)
    progress.phase("linting", 2)
    progress.advance("accounts")
    progress.advance("ledger")
    progress.finish()
    text = stream.getvalue()
    assert text == "\r\033[Klinting: 1/2 accounts\r\033[Klinting: 2/2 ledger\r\033[K"
    assert "\n" not in text


def test_off_shows_nothing():
    stream = io.StringIO()
    progress = Progress(stream, enabled=False, delay=0.0)
    progress.phase("rendering", 1)
    progress.advance("accounts")
    progress.finish()
    assert stream.getvalue() == ""


def test_quiet_build_prints_only_the_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(ROOT / "specs"), "--out", str(out), "--no-lint", "--no-code", "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [printed.out.splitlines()[-1]]
    assert printed.out.startswith("stage dev (persistent): 11 file(s): 11 created")
    assert printed.err == ""  # the demo has no warnings, and --quiet shows no progress
