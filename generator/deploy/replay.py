"""`svcgen replay SERVICE.FUNCTION`: send a time window of past events again, to one subscriber.

- **Milestones** (`subscribe: - event: X, from: svc`): EventBridge StartReplay from the stage's
  archive back onto the stage's bus, with `Destination.FilterArns` set to the ARNs of exactly
  this function's rules (looked up by the names svcgen renders, `Names.rule`). EventBridge then
  delivers replayed events to those rules only: no other subscriber receives anything. Only a
  persistent stage's platform stack has an archive.
- **Stored events** (`subscribe: - store: X`): the event store table is read for the window
  (`recorded_at`) and each matching item is sent, in the envelope the store's SNS fan-out
  delivers (runtime/svcgen_runtime/store_publisher.py), straight into the function's queue,
  at most `rate` messages a second (a token bucket). The SNS topic is not used, since every
  other subscriber of the topic would receive the events too.

Each re-sent envelope carries `replay-name`, as EventBridge's replayed events do, so a handler
(or a person reading a log) can tell a replay from the original delivery.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from generator.naming import Names, PlatformNames
from generator.concerns.subscription.resolve import store_source

REPLAY_NAME_MAX = 64  # EventBridge's limit on ReplayName
DONE = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


class ReplayError(Exception):
    """Something the user can act on (an unsupported filter, a missing archive or queue)."""


def parse_time(text: str) -> datetime:
    """ISO 8601 (`2026-03-01`, `2026-03-01T12:00`, `...Z`, `...+02:00`); UTC when no offset is given."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time: write ISO 8601, e.g. 2026-03-01T12:00Z") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def replay_name(service: str, function: str, now: datetime) -> str:
    """A unique, readable replay name: EventBridge keeps replays by name, so each run needs its own."""
    stamp = now.strftime("%Y%m%dT%H%M%S")
    head = f"svcgen-{service}-{function}"[:REPLAY_NAME_MAX - len(stamp) - 1]
    return f"{head}-{stamp}"


# --- milestones: StartReplay ----------------------------------------------------------------------

@dataclass(frozen=True)
class BusReplay:
    archive: str
    bus: str
    rules: tuple[str, ...]  # rule names: this function's bus subscriptions


def bus_replay(svc, fn) -> BusReplay | None:
    rules = tuple(sub.rule_name for sub in fn.subscriptions if sub.kind == "bus")
    if not rules:
        return None
    names: PlatformNames = svc.platform_names
    return BusReplay(names.archive, names.bus, rules)


def start_request(plan: BusReplay, archive_arn: str, bus_arn: str, rule_arns: list[str], name: str,
                  start: datetime, end: datetime) -> dict[str, Any]:
    """StartReplay's arguments: back onto the archive's own bus, to these rules only."""
    return {"ReplayName": name, "Description": f"svcgen replay to {', '.join(plan.rules)}"[:512],
            "EventSourceArn": archive_arn, "EventStartTime": start, "EventEndTime": end,
            "Destination": {"Arn": bus_arn, "FilterArns": sorted(rule_arns)}}


def resolve_arns(events, plan: BusReplay) -> tuple[str, str, int, list[str]]:
    """(archive ARN, bus ARN, events the archive holds, rule ARNs) from the deployed stage."""
    from botocore.exceptions import ClientError

    try:
        archive = events.describe_archive(ArchiveName=plan.archive)
    except ClientError as exc:
        if "ResourceNotFound" in str(exc):
            raise ReplayError(f"archive {plan.archive} does not exist: deploy the stage's platform stack "
                              "first") from None
        raise
    rule_arns = []
    for rule in plan.rules:
        try:
            rule_arns.append(events.describe_rule(Name=rule, EventBusName=plan.bus)["Arn"])
        except ClientError as exc:
            if "ResourceNotFound" in str(exc):
                raise ReplayError(f"rule {rule} is not on bus {plan.bus}: deploy the service first") from None
            raise
    return archive["ArchiveArn"], archive["EventSourceArn"], int(archive.get("EventCount") or 0), rule_arns


def wait(events, name: str, poll: float = 2.0, sleep: Callable[[float], None] = time.sleep,
         note: Callable[[str], None] = print) -> dict:
    """DescribeReplay until the replay is done; each change of state is noted."""
    last = None
    while True:
        described = events.describe_replay(ReplayName=name)
        state = described.get("State", "")
        if state != last:
            note(f"replay {name}: {state}")
            last = state
        if state in DONE:
            return described
        sleep(poll)


# --- stored events: straight into the queue ---------------------------------------------------------

@dataclass(frozen=True)
class StoreReplay:
    table: str
    source: str
    events: tuple[str, ...]  # event types this function takes from that store
    filters: tuple[tuple[str, Any], ...]  # (event type, content filter or None)


def store_replays(svc, fn) -> list[StoreReplay]:
    """One per store (publisher) this function subscribes to."""
    by_publisher: dict[str, list] = {}
    for sub in fn.subscriptions:
        if sub.kind == "store":
            by_publisher.setdefault(sub.publisher, []).append(sub)
    found = []
    for publisher, subs in sorted(by_publisher.items()):
        names = Names(svc.org, svc.stage.name, publisher)
        for sub in subs:
            check_filter(sub.filter, f"{fn.key}'s store subscription to {sub.event}")
        found.append(StoreReplay(names.physical("table", "events"), store_source(svc.org, publisher),
                                 tuple(sorted({s.event for s in subs})), tuple((s.event, s.filter) for s in subs)))
    return found


OPERATORS = frozenset({"numeric", "prefix", "suffix", "anything-but", "exists", "equals-ignore-case"})
COMPARE = {"=": lambda a, b: a == b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
           ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def check_filter(content: Any, where: str) -> None:
    """SNS's documented operators are evaluated here (`matches`); a filter using anything else
    is refused rather than re-sending events the subscription would have dropped."""
    if content is None:
        return
    for key, value in content.items():
        if key == "$or":
            for alternative in value:
                check_filter(alternative, where)
        elif isinstance(value, dict):
            check_filter(value, where)
        else:
            for rule in value if isinstance(value, list) else [value]:
                unknown = set(rule) - OPERATORS if isinstance(rule, dict) else set()
                if unknown:
                    raise ReplayError(f"{where}: its filter on {key!r} uses {', '.join(sorted(unknown))}, which "
                                      "replay cannot evaluate")


def matches(content: Any, detail: Any) -> bool:
    """Whether an SNS filter policy (scope MessageBody, under `detail`) selects `detail`."""
    if content is None:
        return True
    if not isinstance(detail, dict):
        return False
    for key, value in content.items():
        if key == "$or":
            if not any(matches(alternative, detail) for alternative in value):
                return False
        elif isinstance(value, dict):
            if not matches(value, detail.get(key)):
                return False
        elif not any(_leaf(rule, key in detail, detail.get(key))
                     for rule in (value if isinstance(value, list) else [value])):
            return False
    return True


def _leaf(rule: Any, present: bool, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]  # an array matches when one element does
    if not isinstance(rule, dict):
        return present and any(_number(v) == _number(rule) if _is_number(rule) else v == rule for v in values)
    (op, arg), = rule.items()
    if op == "exists":
        return present == bool(arg)
    if not present:
        return op == "anything-but"  # SNS: a missing key matches anything-but
    if op == "anything-but":
        if isinstance(arg, dict):
            return not any(_leaf(arg, True, v) for v in values)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_leaf(x, True, v) for x in excluded for v in values)
    if op == "prefix":
        return any(isinstance(v, str) and v.startswith(arg) for v in values)
    if op == "suffix":
        return any(isinstance(v, str) and v.endswith(arg) for v in values)
    if op == "equals-ignore-case":
        return any(isinstance(v, str) and v.lower() == str(arg).lower() for v in values)
    # numeric: [op, n] or [op, n, op, n]
    pairs = list(zip(arg[::2], arg[1::2]))
    return any(_is_number(v) and all(COMPARE[o](_number(v), _number(n)) for o, n in pairs) for v in values)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any) -> float:
    return float(value)


def stored_envelopes(items: list[dict], plan: StoreReplay, start: datetime, end: datetime,
                     name: str) -> list[dict]:
    """The envelopes of the plain (deserialized) store items in [start, end) that this function
    selects, oldest first; the same fields as store_publisher.to_envelope."""
    from svcgen_runtime import store_publisher  # its detail, so a replay is what the fan-out delivered

    found = []
    for item in items:
        recorded = item.get("recorded_at")
        if item.get("type") not in plan.events or not isinstance(recorded, str):
            continue
        try:
            when = parse_time(recorded)
        except ValueError:
            continue
        if not start <= when < end:
            continue
        detail = store_publisher.stored_detail({**item, "data": item.get("data") or {}})
        if not any(event == item["type"] and matches(content, detail) for event, content in plan.filters):
            continue
        # The stream record's eventID is gone; a stable ID per stored event keeps replays comparable.
        ident = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{plan.table}/{detail['aggregate_id']}/{detail['revision']}"))
        found.append({"version": "0", "id": ident, "source": plan.source, "detail-type": item["type"],
                      "time": recorded, "detail": detail, "replay-name": name})
    return sorted(found, key=lambda e: (e["time"], str(e["detail"]["aggregate_id"]), e["detail"]["revision"]))


def scan(dynamodb, table: str) -> Iterator[dict]:
    """Every item of the table, deserialized (the store is append-only and small per window)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = dynamodb.scan(**kwargs)
        for raw in page.get("Items") or []:
            yield {k: deserializer.deserialize(v) for k, v in raw.items()}
        if not page.get("LastEvaluatedKey"):
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class TokenBucket:
    """At most `rate` sends a second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float | None = None, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate, self.capacity = rate, max(1.0, burst if burst is not None else rate)
        self.clock, self.sleep = clock, sleep
        self.tokens, self.last = self.capacity, clock()

    def take(self) -> None:
        while True:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1:
                self.tokens -= 1
                return
            self.sleep((1 - self.tokens) / self.rate)


def send(sqs, queue_url: str, envelopes: list[dict], bucket: TokenBucket, fifo: bool,
         message_group: str | None) -> int:
    for envelope in envelopes:
        bucket.take()
        kwargs: dict[str, Any] = {"QueueUrl": queue_url,
                                  "MessageBody": json.dumps(envelope, separators=(",", ":"), sort_keys=True)}
        if fifo:
            kwargs.update(MessageGroupId=message_group or str(envelope["detail"]["aggregate_id"]),
                          MessageDeduplicationId=f"{envelope['id']}-{envelope['replay-name']}"[:128])
        sqs.send_message(**kwargs)
    return len(envelopes)
