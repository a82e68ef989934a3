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
HASH_CHARS = 5  # of the branch name's SHA-256: 2^20 values per slug, ample for one repository's branches
HASHED = re.compile(rf"-[0-9a-f]{{{HASH_CHARS}}}$")  # what a hashed stage name ends with
# Prefixes that say nothing about the branch: `feature/JIRA-12/add-retry` -> `jira-12-add-retry`.
NOISE_PREFIXES = ("feature/", "feat/", "fix/", "bugfix/", "hotfix/", "chore/", "refs/heads/")


@dataclass(frozen=True)
class Stage:
    name: str
    persistent: bool
    # The persistent stage whose artifacts bucket this stage deploys code from: itself when
    # persistent; the platform's `ephemeral_parent` otherwise. Every stage has its own bus (its
    # own platform stack): a PR stage never publishes into, nor consumes from, another stage.
    platform_stage: str

    @property
    def described(self) -> str:
        """What the stage is, as build and deploy say it: `persistent`, or `ephemeral, own bus, …`."""
        if self.persistent:
            return "persistent"
        return f"ephemeral, own bus, code from {self.platform_stage}'s bucket"


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
    """A valid, short, stable stage name for a git branch; two different branches never get the
    same one (a PR stage that shared another branch's stage would deploy over it).

    A branch that already is a short stage name (`jira-12`) is its own stage. Any other gets a
    readable slug plus `-` and 5 hex digits of the SHA-256 of the exact branch name:
    `fix/JIRA-12`, `feature/JIRA-12` and `JIRA_12` all slug to `jira-12`, and their hashes tell
    them apart. A branch that is already a stage name but ends like a hash (`x-1a2b3`) is hashed
    too, so an unhashed name can never equal a hashed one."""
    # `""` (CI's GITHUB_HEAD_REF outside a pull request), `/`, `ü`: nothing to name a stage after
    if not re.search(r"[A-Za-z0-9]", branch):
        raise UsageError(f"branch {branch!r} has no letters or digits to name a stage after; "
                         "pass the pull request's branch, or --stage")
    if len(branch) <= BRANCH_STAGE_MAX and re.fullmatch(STAGE, branch) and not HASHED.search(branch):
        return branch
    text = branch.strip().lower()
    for prefix in NOISE_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "b"  # `feature/`: only the hash tells it apart
    if not slug[0].isalpha():
        slug = f"b-{slug}".rstrip("-")
    digest = hashlib.sha256(branch.encode()).hexdigest()[:HASH_CHARS]
    return f"{slug[:BRANCH_STAGE_MAX - HASH_CHARS - 1].rstrip('-')}-{digest}"
