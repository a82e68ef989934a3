"""Progress of a deploy or teardown while it runs: plain lines (CI logs, pipes) or, on a terminal,
one live line per stack in flight above the lines of the finished ones.

Reporters are called from the deploy's worker threads: every method takes the lock.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from generator.deploy.events import Progress
from generator.deploy.results import StackResult


class Reporter:
    """Says nothing (tests, and a caller that only wants the results)."""

    def note(self, stack: str, text: str) -> None:
        pass

    def progress(self, stack: str, progress: Progress) -> None:
        pass

    def done(self, result: StackResult) -> None:
        pass


class LineReporter(Reporter):
    """One line per step and per new event; a progress line is printed only when it changed."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()
        self._last: dict[str, str] = {}

    def _print(self, line: str) -> None:
        with self._lock:
            print(line, file=self.stream, flush=True)

    def note(self, stack: str, text: str) -> None:
        self._print(f"{stack}: {text}")

    def progress(self, stack: str, progress: Progress) -> None:
        line = progress.line()
        with self._lock:
            if self._last.get(stack) == line:
                return
            self._last[stack] = line
        self._print(f"{stack}: {line}")

    def done(self, result: StackResult) -> None:
        self._print(result.line())


class LiveReporter(Reporter):
    """On a terminal: finished stacks and notes scroll up as plain lines; below them, one line per
    stack in flight, rewritten in place (ANSI: cursor up, erase line)."""

    def __init__(self, stream: TextIO | None = None, width: int = 120):
        self.stream = stream or sys.stdout
        self.width = width
        self._lock = threading.Lock()
        self._live: dict[str, str] = {}
        self._drawn = 0

    def _redraw(self, permanent: list[str] = ()) -> None:
        out = self.stream
        if self._drawn:
            out.write(f"\x1b[{self._drawn}F")  # to the first live line
        for line in permanent:
            out.write(f"\x1b[2K{line}\n")
        for stack, line in self._live.items():
            out.write("\x1b[2K" + f"{stack}: {line}"[:self.width] + "\n")
        for _ in range(max(0, self._drawn - len(permanent) - len(self._live))):
            out.write("\x1b[2K\n")  # clear lines left by stacks that finished
        extra = max(0, self._drawn - len(permanent) - len(self._live))
        if extra:
            out.write(f"\x1b[{extra}F")
        self._drawn = len(self._live)
        out.flush()

    def note(self, stack: str, text: str) -> None:
        with self._lock:
            self._redraw([f"{stack}: {text}"])

    def progress(self, stack: str, progress: Progress) -> None:
        with self._lock:
            self._live[stack] = progress.line()
            self._redraw()

    def done(self, result: StackResult) -> None:
        with self._lock:
            self._live.pop(result.name, None)
            self._redraw([result.line()])


def reporter_for(stream: TextIO | None = None) -> Reporter:
    stream = stream or sys.stdout
    return LiveReporter(stream) if getattr(stream, "isatty", lambda: False)() else LineReporter(stream)
