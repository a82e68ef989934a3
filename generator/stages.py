"""Stages: which are persistent, and short valid stage names derived from git branches."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from generator.errors import UsageError
from generator.spec.load import shown
from generator.spec.platform import STAGE, PlatformSpec

# Short, because the stage is part of every physical name and names have tight limits (Lambda 64).
BRANCH_STAGE_MAX = 16
# Prefixes that say nothing about the branch: `feature/JIRA-12/add-retry` -> `jira-12-add-retry`.
NOISE_PREFIXES = ("feature/", "feat/", "fix/", "bugfix/", "hotfix/", "chore/", "refs/heads/")


@dataclass(frozen=True)
class Stage:
    name: str
    persistent: bool
    # The stage whose platform stack (bus, artifacts bucket) this stage uses: itself when
    # persistent; the platform's `ephemeral_parent` otherwise, so a PR stage needs no bus of its own.
    platform_stage: str


def resolve_stage(name: str, platform: PlatformSpec) -> Stage:
    # fullmatch: with re.match, STAGE's `$` also matches before a trailing newline, and
    # `--stage $'dev\n'` would become a stage whose physical names hold a newline
    if not re.fullmatch(STAGE, name):
        raise UsageError(
            f"--stage {shown(repr(name))} is not a valid stage name: lowercase letters, digits and '-', "
            "starting with a letter, at most 20 characters"
        )
    persistent = name in platform.stages.persistent
    parent = name if persistent else platform.stages.ephemeral_parent
    return Stage(name=name, persistent=persistent, platform_stage=parent)


def stage_from_branch(branch: str) -> str:
    """A valid, short, stable stage name for a git branch (hash suffix when it had to be cut)."""
    text = branch.strip().lower()
    for prefix in NOISE_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if not slug:  # `""` (CI's GITHUB_HEAD_REF outside a pull request), `/`, `ü`: no stage to name
        raise UsageError(f"branch {branch!r} has no letters or digits to name a stage after; "
                         "pass the pull request's branch, or --stage")
    if not slug[0].isalpha():
        slug = f"b-{slug}".rstrip("-")
    if len(slug) <= BRANCH_STAGE_MAX:
        return slug
    digest = hashlib.sha256(branch.encode()).hexdigest()[:5]
    return f"{slug[:BRANCH_STAGE_MAX - 6].rstrip('-')}-{digest}"
