"""What a deploy would change, stack by stack and resource by resource, from change sets that are
deleted again (a new stack's empty REVIEW_IN_PROGRESS stack too). Stacks the skip rule would skip
are reported unchanged without a change set, exactly as `deploy` would treat them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from generator.deploy.engine import DEAD, Deployer, DeployError
from generator.deploy.plan import StackPlan, can_skip
from generator.deploy.target import REVIEW, ChangeSetFailed, ResourceChange, error_message, in_progress

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"


@dataclass(frozen=True)
class StackDiff:
    stack: str
    status: str  # new, changed, unchanged, error
    changes: tuple[ResourceChange, ...] = ()
    reason: str = ""  # why unchanged (which check said so), or the error


def diff(deployer: Deployer, plans: list[StackPlan]) -> list[StackDiff]:
    """One StackDiff per plan, in deploy order; change sets are made `deployer.concurrency` at a time."""
    ordered = deployer.prepared(plans)
    with ThreadPoolExecutor(max_workers=deployer.concurrency, thread_name_prefix="svcgen-diff") as pool:
        return list(pool.map(lambda plan: _diff_one(deployer, plan), ordered))


def _diff_one(deployer: Deployer, plan: StackPlan) -> StackDiff:
    target = deployer.target
    try:
        info = target.stack(plan.name)
        if info is not None and in_progress(info.status):
            return StackDiff(plan.name, ERROR, reason=f"the stack is {info.status}; diff again when it settled")
        if info is not None and can_skip(plan, info.status, info.tags):
            return StackDiff(plan.name, UNCHANGED, reason="template, parameters and code hashes as deployed")
        if info is not None and info.status in DEAD:  # deploy deletes it, then creates it anew
            adds = tuple(ResourceChange("Add", logical_id, resource.get("Type", ""))
                         for logical_id, resource in sorted(plan.template.get("Resources", {}).items()))
            return StackDiff(plan.name, NEW, adds, f"the stack is {info.status}: deploy deletes it first")
        new = info is None or info.status == REVIEW
        change_set = target.prepare(plan, "CREATE" if new else "UPDATE", deployer.upload(plan, code=False))
        target.discard(change_set)
    except (ChangeSetFailed, DeployError) as exc:
        return StackDiff(plan.name, ERROR, reason=str(exc))
    except ClientError as exc:
        return StackDiff(plan.name, ERROR, reason=error_message(exc))
    except BotoCoreError as exc:
        return StackDiff(plan.name, ERROR, reason=str(exc))
    if change_set.unchanged:
        return StackDiff(plan.name, UNCHANGED, reason="CloudFormation found no change")
    order = {"Remove": 0, "Modify": 1, "Add": 2}
    changes = tuple(sorted(change_set.changes, key=lambda c: (order.get(c.action, 3), c.logical_id)))
    return StackDiff(plan.name, NEW if new else CHANGED, changes)


def render(diffs: list[StackDiff]) -> str:
    """The diff as text: each stack, then a table of its changes; a summary line last."""
    lines = []
    for item in diffs:
        if item.status == UNCHANGED:
            lines.append(f"{item.stack}: unchanged ({item.reason})")
            continue
        if item.status == ERROR:
            lines.append(f"{item.stack}: cannot diff: {item.reason}")
            continue
        what = "new stack" if item.status == NEW else "changed"
        lines.append(f"{item.stack}: {what}, {len(item.changes)} resource change(s)")
        rows = [("action", "logical id", "type", "replacement")]
        rows += [(c.action, c.logical_id, c.resource_type, c.replacement or "-") for c in item.changes]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines += ["  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3]
                  for row in rows]
    counts = {s: sum(1 for d in diffs if d.status == s) for s in (CHANGED, NEW, UNCHANGED, ERROR)}
    lines.append(f"diff: {len(diffs)} stack(s): " + ", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return "\n".join(lines)
