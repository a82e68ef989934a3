"""`svcgen status`: a stage's stacks (found by their `svcgen:stage` tag), their state and last
deploy, and the depth of every dead-letter queue they created.

A queue is a DLQ when its own stack's template sends failures to it: it is named under a
`deadLetterTargetArn` (an SQS redrive policy), a `DeadLetterConfig` (EventBridge rule targets,
Lambda) or an SNS subscription's `RedrivePolicy`; a queue whose physical name ends in `-dlq` or
`-dlq.fifo` (svcgen's naming) counts too, so a template from another tool is not missed.

Exit status (ops_commands): 1 when a stack is in a failed state or a DLQ holds messages, so a
scheduled `svcgen status` in CI is a health check; 0 otherwise (stacks in progress included).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from generator.deploy.plan import TAG_COMMIT, TAG_SERVICE, TAG_STAGE
from generator.deploy.target import StackInfo, Target

# Keys under which a template points at where failures go.
DEAD_LETTER_KEYS = frozenset({"deadLetterTargetArn", "DeadLetterConfig", "RedrivePolicy"})
DLQ_SUFFIXES = ("-dlq", "-dlq.fifo")
DEPTH_ATTRIBUTE = "ApproximateNumberOfMessages"


def failed_state(status: str) -> bool:
    """A state in which the stage does not run what was last deployed (or not at all):
    anything `*_FAILED`, a creation rolled back, an update rolled back."""
    return status.endswith("_FAILED") or status in ("ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_COMPLETE")


@dataclass(frozen=True)
class Dlq:
    stack: str
    logical_id: str
    name: str
    messages: int | None  # None: the queue could not be read (`error` says why)
    error: str = ""


@dataclass(frozen=True)
class StackStatus:
    name: str
    service: str
    status: str
    commit: str
    updated: str  # ISO 8601 UTC, the last update (else the creation)
    failed: bool


@dataclass
class StageStatus:
    stage: str
    stacks: list[StackStatus] = field(default_factory=list)
    dlqs: list[Dlq] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return bool(self.stacks) and not any(s.failed for s in self.stacks) and not any(
            d.messages for d in self.dlqs)

    def to_json(self) -> str:
        data = {"stage": self.stage, "healthy": self.healthy,
                "stacks": [asdict(s) for s in self.stacks], "dlqs": [asdict(d) for d in self.dlqs]}
        return json.dumps(data, indent=2, sort_keys=True)


def dead_letter_queues(template: dict) -> set[str]:
    """Logical IDs of the template's SQS queues that something sends failures to."""
    resources = template.get("Resources") or {}
    queues = {lid for lid, res in resources.items() if (res or {}).get("Type") == "AWS::SQS::Queue"}
    found: set[str] = set()

    def refs(node: Any) -> None:  # every GetAtt/Ref under a dead-letter key
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Fn::GetAtt":
                    target = value[0] if isinstance(value, list) else str(value).split(".")[0]
                    found.add(target)
                elif key == "Ref" and isinstance(value, str):
                    found.add(value)
                else:
                    refs(value)
        elif isinstance(node, list):
            for item in node:
                refs(item)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in DEAD_LETTER_KEYS:
                    refs(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(resources)
    return found & queues


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "-"


def collect(target: Target, sqs, stage: str) -> StageStatus:
    """Every stack tagged with `stage` (by name) and every DLQ of theirs (by stack, logical ID)."""
    stacks = sorted((s for s in target.stacks() if s.tags.get(TAG_STAGE) == stage and
                     s.status != "DELETE_COMPLETE"), key=lambda s: s.name)
    result = StageStatus(stage)
    for info in stacks:
        result.stacks.append(StackStatus(info.name, info.tags.get(TAG_SERVICE, "-"), info.status,
                                         info.tags.get(TAG_COMMIT, "-"), _when(info.updated),
                                         failed_state(info.status)))
        result.dlqs += _dlqs(target, sqs, info)
    return result


def _dlqs(target: Target, sqs, info: StackInfo) -> list[Dlq]:
    if info.status in ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"):
        return []  # nothing was created, or everything was removed again
    marked = dead_letter_queues(target.template(info.stack_id))
    found = []
    for res in sorted(target.resources(info.stack_id), key=lambda r: r["LogicalResourceId"]):
        physical = res.get("PhysicalResourceId") or ""
        if res.get("ResourceType") != "AWS::SQS::Queue" or not physical:
            continue
        name = physical.rstrip("/").rsplit("/", 1)[-1]
        if res["LogicalResourceId"] not in marked and not name.endswith(DLQ_SUFFIXES):
            continue
        found.append(_depth(sqs, info.name, res["LogicalResourceId"], name, physical))
    return found


def _depth(sqs, stack: str, logical_id: str, name: str, physical: str) -> Dlq:
    from botocore.exceptions import ClientError

    try:
        url = physical if physical.startswith("http") else sqs.get_queue_url(QueueName=name)["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[DEPTH_ATTRIBUTE])["Attributes"]
        return Dlq(stack, logical_id, name, int(attributes.get(DEPTH_ATTRIBUTE, 0)))
    except ClientError as exc:  # a queue deleted by hand must not hide the others
        return Dlq(stack, logical_id, name, None, exc.response.get("Error", {}).get("Code", "error"))


def render(status: StageStatus) -> str:
    """Two plain tables (stacks, then DLQs) and a verdict line."""
    lines = [f"stage {status.stage}: {len(status.stacks)} stack(s)"]
    rows = [("stack", "service", "state", "commit", "last deploy (UTC)")]
    rows += [(s.name, s.service, s.status + (" !" if s.failed else ""), s.commit, s.updated) for s in status.stacks]
    lines += _table(rows)
    if status.dlqs:
        lines.append("")
        rows = [("dead-letter queue", "stack", "messages")]
        rows += [(d.name, d.stack, str(d.messages) if d.messages is not None else f"unreadable ({d.error})")
                 for d in status.dlqs]
        lines += _table(rows)
    failed = sum(1 for s in status.stacks if s.failed)
    holding = sum(1 for d in status.dlqs if d.messages)
    lines.append("")
    lines.append(f"status: {failed} failed stack(s), {holding} of {len(status.dlqs)} DLQ(s) holding messages")
    return "\n".join(lines)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
