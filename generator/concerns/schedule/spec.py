"""The `schedule:` spec fragment every FunctionSpec inherits (spec/model.py).

Only the shape lives here. Expression grammar, time zone, retry ranges and the input's size are
rules (rules.py, SVC18xx) so that each error carries a rule ID and points at its key; the JSON
Schema still shows editors the ranges (`json_schema_extra`).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from generator.spec.base import Strict


class ScheduleRetrySpec(Strict):
    """How often EventBridge Scheduler retries an invocation it could not deliver."""

    max_attempts: int | None = Field(
        None, description="Retries after a failed delivery, 0–185 (default 10).",
        json_schema_extra={"minimum": 0, "maximum": 185})
    max_event_age: int | None = Field(
        None, description="Seconds to keep retrying, 60–86400 (default 3600).",
        json_schema_extra={"minimum": 60, "maximum": 86400})


class ScheduleSpec(Strict):
    """EventBridge Scheduler invokes the function on this schedule."""

    expression: str = Field(
        ..., min_length=1, max_length=256,
        description="`rate(5 minutes)`, `cron(0 8 * * ? *)` (minutes hours day-of-month month day-of-week year) "
                    "or `at(2026-01-01T00:00:00)` (once).")
    timezone: str | None = Field(None, description="IANA time zone the expression is read in, e.g. "
                                 "Europe/London (default UTC).")
    input: dict[str, Any] | None = Field(
        None, description="A JSON object passed to the function on every run (at most 8 KB).")
    retry: ScheduleRetrySpec | None = Field(None, description="Retries of a delivery that failed.")
    enabled: bool | None = Field(
        None, description="Default: true in persistent stages, false in ephemeral (PR) stages; true enables the "
        "schedule in every stage.")


class ScheduleFragment(Strict):
    """The fields a function gains from the schedule concern."""

    schedule: ScheduleSpec | None = Field(
        None, description="Invoke the function on a schedule (EventBridge Scheduler). Its only trigger.")
