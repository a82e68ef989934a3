"""Reading CloudFormation's stack events: the first real failure, and progress.

When one resource fails, CloudFormation cancels every resource still being created or updated and
reports each as `*_FAILED` with "Resource creation cancelled": the cascade says nothing. What the
user needs is the first failed resource whose reason is not a cancellation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

STACK_TYPE = "AWS::CloudFormation::Stack"
# Statuses that mean a resource is finished with, for the done/total count.
_DONE = ("_COMPLETE", "_SKIPPED")


@dataclass(frozen=True)
class Failure:
    logical_id: str
    resource_type: str
    status: str
    reason: str

    def __str__(self) -> str:
        if self.logical_id:
            return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"
        return f"{self.status}: {self.reason}" if self.status else self.reason


def is_cancellation(reason: str) -> bool:
    lowered = reason.lower()
    return "cancelled" in lowered or "canceled" in lowered


def _is_stack_itself(event: dict, stack_name: str) -> bool:
    return event.get("ResourceType") == STACK_TYPE and event.get("LogicalResourceId") == stack_name


def first_failure(events: Iterable[dict], stack_name: str) -> Failure | None:
    """The first (oldest) failed resource of `events` (oldest first) with a reason that is not a
    cancellation. Without one, the stack's own reason ("The following resource(s) failed to
    create: [...]") is better than nothing."""
    fallback = None
    for event in events:
        status = event.get("ResourceStatus", "")
        reason = event.get("ResourceStatusReason") or ""
        if not reason or is_cancellation(reason):
            continue
        if _is_stack_itself(event, stack_name):
            if fallback is None and ("FAILED" in status or "ROLLBACK" in status):
                fallback = Failure("", STACK_TYPE, status, reason)
            continue
        if status.endswith("_FAILED"):
            return Failure(event.get("LogicalResourceId", ""), event.get("ResourceType", ""), status, reason)
    return fallback


def newer_than(newest_first: Iterable[dict], marker: str | None) -> tuple[list[dict], bool]:
    """Events (newest first, as DescribeStackEvents pages them) up to the one with id `marker`,
    oldest first; and whether the marker was reached (False: read the next page too)."""
    taken = []
    for event in newest_first:
        if marker is not None and event.get("EventId") == marker:
            return taken[::-1], True
        taken.append(event)
    return taken[::-1], False


@dataclass
class Progress:
    """Resources done out of those the operation touches, and the last thing that happened."""

    stack_name: str
    total: int
    done: set[str]
    current: str = ""

    @classmethod
    def start(cls, stack_name: str, total: int) -> "Progress":
        return cls(stack_name, total, set())

    def add(self, event: dict) -> None:
        logical_id = event.get("LogicalResourceId", "")
        status = event.get("ResourceStatus", "")
        if not _is_stack_itself(event, self.stack_name) and status.endswith(_DONE):
            self.done.add(logical_id)
        reason = event.get("ResourceStatusReason") or ""
        self.current = f"{logical_id} {status}" + (f" ({reason})" if reason and not is_cancellation(reason) else "")

    @property
    def count(self) -> int:
        # An update also re-reads resources outside the change set; never show more than the total.
        return min(len(self.done), self.total)

    def line(self) -> str:
        return f"{self.count}/{self.total} {self.current}".rstrip()
