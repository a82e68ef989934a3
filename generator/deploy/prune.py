"""Removing stale ephemeral stages: found by their stacks' tags, never a persistent one.

A stage is a candidate only when every one of its stacks is tagged `svcgen:ephemeral=true` and its
name is not a persistent stage of the platform: one untagged or persistent-tagged stack keeps the
whole stage. It is stale when its most recent stack update is older than `older_than`, unless its
branch (or its stage name) is listed in the keep file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from generator.deploy import results as R
from generator.deploy.plan import TAG_BRANCH, TAG_EPHEMERAL, TAG_STAGE
from generator.deploy.report import Reporter
from generator.deploy.target import StackInfo, Target
from generator.deploy.teardown import teardown

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """`7d`, `12h`, `2w`, `90m`, `30s` -> a timedelta; ValueError otherwise."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a duration: a whole number and a unit (s, m, h, d or w), e.g. 7d")
    return timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])


def read_keep_file(path: Path) -> set[str]:
    """Branch (or stage) names, one a line; `#` starts a comment."""
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        name = line.split("#", 1)[0].strip()
        if name:
            names.add(name)
    return names


@dataclass
class Stage:
    name: str
    stacks: list[StackInfo] = field(default_factory=list)

    @property
    def branch(self) -> str:
        return next((s.tags[TAG_BRANCH] for s in self.stacks if s.tags.get(TAG_BRANCH)), "")

    @property
    def last_update(self) -> datetime | None:
        times = [s.updated for s in self.stacks if s.updated is not None]
        return max(times) if times else None

    @property
    def ephemeral(self) -> bool:
        return all(s.tags.get(TAG_EPHEMERAL) == "true" for s in self.stacks)


@dataclass(frozen=True)
class Decision:
    stage: Stage
    remove: bool
    why: str


def stages_of(stacks: list[StackInfo]) -> list[Stage]:
    found: dict[str, Stage] = {}
    for stack in stacks:
        name = stack.tags.get(TAG_STAGE)
        if name and stack.status != "DELETE_COMPLETE":
            found.setdefault(name, Stage(name)).stacks.append(stack)
    return [found[name] for name in sorted(found)]


def decide(stages: list[Stage], now: datetime, older_than: timedelta, keep: set[str],
           persistent: set[str]) -> list[Decision]:
    """For every stage svcgen tagged: remove it or not, and why."""
    decisions = []
    for stage in stages:
        last = stage.last_update
        if stage.name in persistent or not stage.ephemeral:
            decisions.append(Decision(stage, False, "persistent"))
        elif stage.branch in keep or stage.name in keep:
            decisions.append(Decision(stage, False, "kept (in the keep file)"))
        elif last is None or now - last < older_than:
            decisions.append(Decision(stage, False, f"updated {_ago(now, last)}"))
        else:
            decisions.append(Decision(stage, True, f"last updated {_ago(now, last)}"))
    return decisions


def prune(target: Target, older_than: timedelta, keep: set[str], persistent: set[str], now: datetime | None = None,
          dry_run: bool = False, reporter: Reporter | None = None) -> tuple[list[Decision], list[R.StackResult]]:
    now = now or datetime.now(timezone.utc)
    decisions = decide(stages_of(target.stacks()), now, older_than, keep, persistent)
    results: list[R.StackResult] = []
    for decision in decisions:
        if decision.remove:
            results += teardown(target, decision.stage.name, persistent=False, dry_run=dry_run, reporter=reporter)
    return decisions, results


def _ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "at an unknown time"
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"
