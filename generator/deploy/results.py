"""What happened to each stack, in one shape for deploy and teardown, and its one-line text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from generator.deploy.events import Failure

CREATED, UPDATED, UNCHANGED, SKIPPED = "created", "updated", "unchanged", "skipped"
FAILED, NOT_STARTED, INTERRUPTED = "failed", "not started", "interrupted"
WOULD_CREATE, WOULD_UPDATE = "would create", "would update"
DELETED, GONE, WOULD_DELETE, REFUSED = "deleted", "already gone", "would delete", "refused"
BAD = frozenset({FAILED, NOT_STARTED, INTERRUPTED, REFUSED})
# The order of the summary line.
ORDER = (CREATED, UPDATED, UNCHANGED, SKIPPED, WOULD_CREATE, WOULD_UPDATE, DELETED, GONE, WOULD_DELETE, FAILED,
         NOT_STARTED, INTERRUPTED, REFUSED)


@dataclass(frozen=True)
class StackResult:
    name: str
    outcome: str
    detail: str = ""  # why (skipped, not started), or what was done after a failure
    failure: Failure | None = None
    resources: int = 0  # resources created/changed/deleted

    @property
    def ok(self) -> bool:
        return self.outcome not in BAD

    def line(self) -> str:
        text = f"{self.name}: {self.outcome}"
        if self.resources and self.outcome in (CREATED, UPDATED, DELETED, WOULD_CREATE):
            text += f" ({self.resources} resource{'s' if self.resources != 1 else ''})"
        if self.failure is not None:
            text += f": {self.failure}"
        if self.detail:
            text += f"{'; ' if self.failure else ': '}{self.detail}"
        return text


def summary(results: list[StackResult]) -> str:
    counts = Counter(r.outcome for r in results)
    parts = [f"{counts[o]} {o}" for o in ORDER if counts[o]]
    return f"{len(results)} stack(s): " + (", ".join(parts) if parts else "nothing to do")
