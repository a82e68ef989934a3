"""Deleting a stage: its stacks (found by their `svcgen:stage` tag) in reverse dependency order,
each verified gone.

What would block a deletion is emptied first: a versioned S3 bucket the stage's own stacks hold
(every object version and delete marker). A bucket with DeletionPolicy Retain is left alone (it
outlives the stack by design), and so is anything outside the stage's stacks, such as the parent
stage's shared artifacts bucket. A persistent stage is refused unless the caller forces it and
types the stage name again.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from generator.deploy import results as R
from generator.deploy.events import first_failure
from generator.deploy.plan import TAG_EPHEMERAL, TAG_STAGE, CycleError, order, template_dependencies
from generator.deploy.report import Reporter
from generator.deploy.target import StackInfo, Target, error_message, in_progress


class TeardownRefused(Exception):
    """The stage is persistent and the caller did not force it with the stage name typed again."""


def stage_stacks(target: Target, stage: str) -> list[StackInfo]:
    return sorted((s for s in target.stacks() if s.tags.get(TAG_STAGE) == stage and s.status != "DELETE_COMPLETE"),
                  key=lambda s: s.name)


def check_allowed(stage: str, stacks: list[StackInfo], persistent: bool, force: bool, confirm: str | None) -> None:
    """Raise TeardownRefused for a persistent stage (by platform.yaml, or by any stack's tag)
    unless forced with `confirm` equal to the stage name."""
    tagged = [s.name for s in stacks if s.tags.get(TAG_EPHEMERAL) != "true"]
    if not persistent and not tagged:
        return
    why = "platform.yaml lists it as persistent" if persistent else \
        f"{tagged[0]} is not tagged {TAG_EPHEMERAL}=true"
    if not force:
        raise TeardownRefused(f"stage {stage!r} is persistent ({why}): tearing it down deletes its data. "
                              f"To do it anyway, pass --force --confirm {stage}")
    if confirm != stage:
        raise TeardownRefused(f"--confirm {confirm!r} is not the stage name {stage!r}; type the stage name again "
                              "to tear down a persistent stage")


def teardown(target: Target, stage: str, persistent: bool, force: bool = False, confirm: str | None = None,
             dry_run: bool = False, reporter: Reporter | None = None) -> list[R.StackResult]:
    reporter = reporter or Reporter()
    check_allowed(stage, [], persistent, force, confirm)  # platform.yaml's word: before any AWS call
    stacks = stage_stacks(target, stage)
    check_allowed(stage, stacks, persistent, force, confirm)
    by_name = {s.name: s for s in stacks}
    templates = {s.name: _template(target, s) for s in stacks}
    needs = template_dependencies(templates)
    try:
        ordered = list(reversed(order(needs)))
    except CycleError:  # never from svcgen's own stacks; delete anyway, CloudFormation will say what blocks
        ordered = sorted(by_name, reverse=True)
    results: list[R.StackResult] = []
    kept: set[str] = set()  # stacks still there: whatever they import from must stay too
    for name in ordered:
        still_used = sorted(n for n in kept if name in needs.get(n, ()))
        if still_used:
            result = R.StackResult(name, R.NOT_STARTED, f"{still_used[0]} still imports from it")
        elif dry_run:
            result = R.StackResult(name, R.WOULD_DELETE, resources=len(templates[name].get("Resources", {})))
        else:
            result = _delete(target, by_name[name], templates[name], reporter)
        if not result.ok:
            kept.add(name)
        reporter.done(result)
        results.append(result)
    return results


def _template(target: Target, stack: StackInfo) -> dict:
    try:
        return target.template(stack.stack_id)
    except (ClientError, BotoCoreError, ValueError):
        return {}  # unreadable: no dependencies known, and no bucket to empty


def _delete(target: Target, stack: StackInfo, template: dict, reporter: Reporter) -> R.StackResult:
    try:
        if in_progress(stack.status):
            reporter.note(stack.name, f"waiting for {stack.status} to finish")
            target.settle(stack.stack_id)
        for bucket in owned_buckets(target, stack, template):
            removed = target.empty_bucket(bucket)
            if removed:
                reporter.note(stack.name, f"emptied bucket {bucket} ({removed} object version(s))")
        marker = target.latest_event_id(stack.stack_id)
        target.delete(stack.stack_id)
        events: list[dict] = []
        final = target.settle(stack.stack_id, marker, events.append)
    except (ClientError, BotoCoreError) as exc:
        return R.StackResult(stack.name, R.FAILED, error_message(exc) if isinstance(exc, ClientError) else str(exc))
    if (final is None or final.status == "DELETE_COMPLETE") and target.stack(stack.name) is None:
        return R.StackResult(stack.name, R.DELETED, resources=len(template.get("Resources", {})))
    failure = first_failure(events, stack.name)
    status = final.status if final else "still there"
    return R.StackResult(stack.name, R.FAILED, f"the stack is {status}" + (
        "" if failure else f": {final.reason if final else ''}"), failure)


def owned_buckets(target: Target, stack: StackInfo, template: dict) -> list[str]:
    """Physical names of the stack's S3 buckets that CloudFormation deletes with it."""
    resources = template.get("Resources") or {}
    names = []
    for resource in target.resources(stack.stack_id):
        if resource.get("ResourceType") != "AWS::S3::Bucket" or not resource.get("PhysicalResourceId"):
            continue
        declared = resources.get(resource.get("LogicalResourceId"), {})
        if declared.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
            continue
        names.append(resource["PhysicalResourceId"])
    return sorted(names)
