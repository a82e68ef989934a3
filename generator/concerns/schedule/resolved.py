"""`schedule:` + stage -> ResolvedSchedule: every default applied, every name computed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from generator.concerns.schedule import defaults
from generator.naming import Names, logical


@dataclass(frozen=True)
class ResolvedSchedule:
    logical_id: str  # the AWS::Scheduler::Schedule
    name: str
    group: str
    expression: str
    timezone: str
    input_json: str  # the user's `input` object, compact JSON, in spec order
    enabled: bool
    max_attempts: int
    max_event_age: int
    role_logical_id: str
    role_name: str
    dlq_logical_id: str
    dlq_name: str


def resolve(names: Names, stage, key: str, schedule) -> ResolvedSchedule:
    retry = schedule.retry
    enabled = schedule.enabled
    if enabled is None:
        enabled = True if stage.persistent else defaults.EPHEMERAL_ENABLED
    return ResolvedSchedule(
        logical_id=logical(key, "schedule"),
        name=names.physical("schedule", key),
        group=defaults.GROUP,
        expression=schedule.expression.strip(),
        timezone=schedule.timezone or defaults.TIMEZONE,
        input_json=json.dumps(schedule.input or {}, separators=(",", ":"), ensure_ascii=False, allow_nan=False),
        enabled=enabled,
        max_attempts=defaults.MAX_ATTEMPTS if retry is None or retry.max_attempts is None else retry.max_attempts,
        max_event_age=(retry.max_event_age if retry and retry.max_event_age is not None
                       else defaults.MAX_EVENT_AGE_SECONDS),
        role_logical_id=logical(key, "scheduler", "role"),
        role_name=names.physical("role", key, suffix="-scheduler-role"),
        dlq_logical_id=logical(key, "schedule", "dlq"),
        dlq_name=names.physical("queue", key, suffix="-schedule-dlq"),
    )


def extension(given) -> ResolvedSchedule | None:
    """`fn.extension("schedule")`: the function's schedule, or None when it has none."""
    schedule = given.fn.schedule
    return None if schedule is None else resolve(given.names, given.stage, given.key, schedule)
