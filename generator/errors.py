"""Errors a user can act on.

Every problem with input is a `SpecError` that names the file, line, column and key path, says
what must hold and what was given, and optionally a hint. Errors are collected, never raised one
at a time, so a user sees everything wrong with a spec in one run (`SpecErrors` carries them).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int
    col: int
    path: str
    message: str
    hint: str = ""
    # "warning" does not fail a build (e.g. a deprecated runtime); everything else is an error.
    severity: str = "error"
    # The ID of the rule that found it (`svcgen rules ID` explains it); "" for errors of the
    # YAML itself or of the spec's shape (its schema).
    rule: str = ""

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        key = f" {self.path}:" if self.path else ""
        level = "warning: " if self.severity == "warning" else ""
        text = f"{where}:{key} {level}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.rule:
            text += f" [{self.rule}]"
        return text


@dataclass
class SpecErrors(Exception):
    """A batch of input errors; raised once all errors of a stage were collected."""

    errors: list[SpecError] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(e.render() for e in sorted(set(self.errors)))

    def __str__(self) -> str:  # dataclass would otherwise print the repr
        return self.render()


def dotted(path: tuple) -> str:
    """`("functions", "post", "queue", 0)` -> `functions.post.queue[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class UsageError(Exception):
    """Wrong command-line use (exit code 2)."""


class InvokeError(Exception):
    """`svcgen invoke`: the function could not be invoked, or it failed (exit 1)."""


def did_you_mean(name: str, known) -> str:
    """` (did you mean 'x'?)` for the closest of `known`, or nothing."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
