"""Rules of `schedule:` (SVC18xx): the expression's grammar, the time zone, the retry policy's
ranges and the input. That a scheduled function has no other trigger is SVC1005 (function
concern), which counts every registered trigger."""

from __future__ import annotations

import difflib
import json
import zoneinfo
from functools import cache

from generator.concerns.function import defaults as function_defaults
from generator.concerns.schedule import defaults, expressions
from generator.rules.base import SpecRule

SCHEDULE_TYPES = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"
TARGET_DOCS = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Target.html"


def schedules(spec):
    """(function name, its ScheduleSpec, key path of `schedule`) for every scheduled function."""
    for name, fn in spec.functions.items():
        if fn.schedule is not None:
            yield name, fn.schedule, ("functions", name, "schedule")


def _of_kind(spec, kind: str):
    for name, schedule, path in schedules(spec):
        parts = expressions.split(schedule.expression)
        if parts is not None and parts[0] == kind:
            yield name, schedule, parts[1], path + ("expression",)


class ExpressionShape(SpecRule):
    id = "SVC1801"
    concern = "schedule"
    summary = "a schedule's expression is rate(...), cron(...) or at(...)"
    rationale = "EventBridge Scheduler accepts only these three forms; anything else fails the deploy"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        for _, schedule, path in schedules(ctx.spec):
            if expressions.split(schedule.expression) is None:
                yield self.error(ctx.doc, path + ("expression",),
                                 f"must be rate(...), cron(...) or at(...), got {schedule.expression!r}",
                                 "e.g. `rate(5 minutes)`, `cron(0 8 * * ? *)` or `at(2026-01-01T00:00:00)`")


class RateExpression(SpecRule):
    id = "SVC1802"
    concern = "schedule"
    summary = "a rate is a whole number ≥ 1 and minute(s), hour(s) or day(s), singular for 1"
    rationale = "Scheduler refuses `rate(0 minutes)`, `rate(1 minutes)` and `rate(5 minute)`"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        for _, _, body, path in _of_kind(ctx.spec, "rate"):
            for problem in expressions.rate_problems(body):
                yield self.error(ctx.doc, path, problem, "e.g. `rate(1 hour)` or `rate(15 minutes)`")


class CronFields(SpecRule):
    id = "SVC1803"
    concern = "schedule"
    summary = "a cron expression has 6 fields, each within its range"
    rationale = "Scheduler's cron has a year field (6 fields, not Unix cron's 5); a value out of range fails the "\
                "deploy"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        for _, _, body, path in _of_kind(ctx.spec, "cron"):
            for problem in expressions.cron_problems(body):
                yield self.error(ctx.doc, path, problem, "fields: minutes hours day-of-month month day-of-week year, "
                                 "e.g. `cron(0 8 ? * MON-FRI *)`")


class CronQuestionMark(SpecRule):
    id = "SVC1804"
    concern = "schedule"
    summary = "in a cron expression exactly one of day-of-month and day-of-week is `?`"
    rationale = "Scheduler cannot use both a day of the month and a day of the week; it refuses the expression"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        for _, _, body, path in _of_kind(ctx.spec, "cron"):
            for problem in expressions.cron_question_problems(body):
                yield self.error(ctx.doc, path, problem,
                                 "every day: `cron(0 8 * * ? *)`; weekdays: `cron(0 8 ? * MON-FRI *)`")


class AtDateTime(SpecRule):
    id = "SVC1805"
    concern = "schedule"
    summary = "a one-time schedule is at(yyyy-mm-ddThh:mm:ss), a local date-time that exists"
    rationale = "Scheduler reads at() in the schedule's time zone and refuses an offset, a date part missing or a "\
                "date that does not exist"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        for _, _, body, path in _of_kind(ctx.spec, "at"):
            for problem in expressions.at_problems(body):
                yield self.error(ctx.doc, path, problem, "e.g. `at(2026-01-01T09:30:00)` with `timezone:`")


@cache
def known_zones() -> frozenset[str]:
    return frozenset(z for z in zoneinfo.available_timezones() if not z.startswith(("posix/", "right/")))


class TimezoneKnown(SpecRule):
    id = "SVC1806"
    concern = "schedule"
    summary = "a schedule's timezone is an IANA time zone name"
    rationale = "Scheduler refuses an unknown zone, and an abbreviation (CET, BST) is ambiguous about summer time"
    source = "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html"

    def check(self, ctx):
        for _, schedule, path in schedules(ctx.spec):
            zone = schedule.timezone
            if zone is not None and zone not in known_zones():
                close = sorted(z for z in known_zones() if z.lower() == zone.lower())
                close = close or difflib.get_close_matches(zone, sorted(known_zones()), n=1, cutoff=0.8)
                hint = f"did you mean {close[0]!r}?" if close else "a name like Europe/London or America/New_York"
                yield self.error(ctx.doc, path + ("timezone",),
                                 f"must be an IANA time zone name, got {zone!r}", hint)


class RetryAttemptsRange(SpecRule):
    id = "SVC1807"
    concern = "schedule"
    summary = "retry.max_attempts is 0–185"
    rationale = "the range of Scheduler's RetryPolicy.MaximumRetryAttempts; another value fails the deploy"
    source = defaults.RETRY_RANGES_DOCS

    def check(self, ctx):
        low, high = defaults.MAX_ATTEMPTS_RANGE
        for _, schedule, path in schedules(ctx.spec):
            value = schedule.retry.max_attempts if schedule.retry else None
            if value is not None and not low <= value <= high:
                yield self.error(ctx.doc, path + ("retry", "max_attempts"),
                                 f"must be {low}–{high}, got {value}",
                                 f"svcgen's default is {defaults.MAX_ATTEMPTS}")


class RetryAgeRange(SpecRule):
    id = "SVC1808"
    concern = "schedule"
    summary = "retry.max_event_age is 60–86400 seconds"
    rationale = "the range of Scheduler's RetryPolicy.MaximumEventAgeInSeconds; another value fails the deploy"
    source = defaults.RETRY_RANGES_DOCS

    def check(self, ctx):
        low, high = defaults.MAX_EVENT_AGE_RANGE
        for _, schedule, path in schedules(ctx.spec):
            value = schedule.retry.max_event_age if schedule.retry else None
            if value is not None and not low <= value <= high:
                yield self.error(ctx.doc, path + ("retry", "max_event_age"),
                                 f"must be {low}–{high} seconds, got {value}",
                                 f"svcgen's default is {defaults.MAX_EVENT_AGE_SECONDS} (one hour)")


class InputJsonWithinLimit(SpecRule):
    id = "SVC1809"
    concern = "schedule"
    summary = "a schedule's input is a JSON object of at most 8 KB"
    rationale = "the input is sent as JSON on every run and written into the template: NaN or infinity is not JSON, "\
                "and an input larger than configuration belongs in a table or bucket the function reads"
    source = TARGET_DOCS

    def check(self, ctx):
        for _, schedule, path in schedules(ctx.spec):
            if schedule.input is None:
                continue
            try:
                text = json.dumps(schedule.input, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            except ValueError:
                yield self.error(ctx.doc, path + ("input",), "must be JSON data, got a number that is NaN or infinite",
                                 "JSON has no NaN or infinity; use null or a string")
                continue
            size = len(text.encode())
            if size > defaults.INPUT_MAX_BYTES:
                yield self.error(ctx.doc, path + ("input",),
                                 f"must be at most {defaults.INPUT_MAX_BYTES} bytes as JSON, got {size}",
                                 "keep configuration here; put data in a table or bucket the function reads")


class RunsDoNotOverlap(SpecRule):
    id = "SVC1810"
    concern = "schedule"
    severity = "warning"
    summary = "a rate schedule's interval is longer than its function's timeout"
    rationale = "Scheduler starts a run on time whether or not the previous one has finished: with an interval "\
                "shorter than the timeout, runs can overlap and do the same work twice"
    source = SCHEDULE_TYPES

    def check(self, ctx):
        platform_timeout = ctx.platform.defaults.function.timeout
        for name, _, body, path in _of_kind(ctx.spec, "rate"):
            interval = expressions.rate_seconds(body)
            fn = ctx.spec.functions[name]
            timeout = fn.timeout or platform_timeout or function_defaults.FUNCTION_TIMEOUT
            if interval is not None and interval < timeout:
                yield self.error(ctx.doc, path, f"runs every {interval} s but may take up to {timeout} s (timeout): "
                                 "runs can overlap", "lengthen the interval or shorten the timeout, or make the job "
                                 "safe to run twice at once")
