"""Progress of a long build, on standard error: nothing for a build that takes under a second,
then one line updated in place on a terminal, or a plain line per step in CI (one per service).

A build passes a `Progress` down its phases (`phase` names one and says how many steps it has,
`advance` finishes a step); `OFF`, which shows nothing, is every phase's default (library callers,
tests), and `--quiet` gets one like it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

QUIET_FOR_S = 1.0  # a build faster than this shows no progress: it would only flicker


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool = True, delay: float = QUIET_FOR_S,
                 clock=time.monotonic) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.delay = delay
        self.clock = clock
        self.start = clock()
        self.name, self.total, self.done = "", 0, 0
        self.tty = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self._drawn = False

    @classmethod
    def off(cls) -> "Progress":
        return cls(enabled=False)

    def phase(self, name: str, total: int) -> None:
        self.name, self.total, self.done = name, total, 0

    def advance(self, item: str) -> None:
        self.done += 1
        if not self.enabled or self.clock() - self.start < self.delay:
            return
        line = f"{self.name}: {self.done}/{self.total} {item}"
        if self.tty:  # one line, redrawn; cleared by `finish`
            self.stream.write("\r\033[K" + line[:120])
            self._drawn = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """Clear the terminal line, so the build's report starts on a clean one."""
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False


OFF = Progress.off()  # shows nothing: the default of every phase that reports progress
