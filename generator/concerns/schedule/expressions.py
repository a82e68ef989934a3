"""The grammar of EventBridge Scheduler expressions, as pure functions (no spec, no rules).

- `rate(value unit)`: value a positive integer, unit minute(s) | hour(s) | day(s), singular for 1
  and plural otherwise;
- `cron(minutes hours day-of-month month day-of-week year)`: six fields; exactly one of
  day-of-month and day-of-week is `?`;
- `at(yyyy-mm-ddThh:mm:ss)`: one time, a local date-time read in the schedule's time zone.

Source: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
Each check returns problems as text (empty: valid); rules.py turns them into findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

SHAPE = re.compile(r"^(rate|cron|at)\((.*)\)$", re.DOTALL)
RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
AT_FORMAT = "%Y-%m-%dT%H:%M:%S"


@dataclass(frozen=True)
class Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # JAN..DEC / SUN..SAT, numbered from `low`
    extra: tuple[str, ...] = ()  # the special characters this field allows besides , - * /


CRON_FIELDS = (
    Field("minutes", 0, 59),
    Field("hours", 0, 23),
    Field("day-of-month", 1, 31, extra=("?", "L", "W")),
    Field("month", 1, 12, names=MONTHS),
    Field("day-of-week", 1, 7, names=DAYS, extra=("?", "L", "#")),
    Field("year", 1970, 2199),
)


def split(expression: str) -> tuple[str, str] | None:
    """(kind, body) of `kind(body)`, or None when the expression has none of the three shapes."""
    match = SHAPE.match(expression.strip())
    return (match.group(1), match.group(2)) if match else None


def rate_problems(body: str) -> list[str]:
    parts = body.split()
    if len(parts) != 2:
        return [f"a rate is `rate(value unit)`, got `rate({body})`"]
    value, unit = parts
    if not value.isdigit():
        return [f"a rate's value is a whole number, got {value!r}"]
    number = int(value)
    if number < 1:
        return [f"a rate's value is at least 1, got {number}"]
    base = unit[:-1] if unit.endswith("s") else unit
    if base not in RATE_UNITS:
        return [f"a rate's unit is minute(s), hour(s) or day(s), got {unit!r}"]
    wanted = base if number == 1 else base + "s"
    if unit != wanted:
        return [f"a rate of {number} is written `{number} {wanted}`, got `{number} {unit}`"]
    return []


def rate_seconds(body: str) -> int | None:
    """The interval of a valid rate body in seconds (None when it is not valid)."""
    if rate_problems(body):
        return None
    value, unit = body.split()
    return int(value) * RATE_UNITS[unit.rstrip("s")]


def cron_fields(body: str) -> list[str]:
    return body.split()


def cron_problems(body: str) -> list[str]:
    """Field count and each field's values (the `?` rule is `cron_question_problems`)."""
    fields = cron_fields(body)
    if len(fields) != len(CRON_FIELDS):
        return [f"a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got "
                f"{len(fields)}: `cron({body})`"]
    return [problem for spec, text in zip(CRON_FIELDS, fields) for problem in _field_problems(spec, text)]


def cron_question_problems(body: str) -> list[str]:
    """Exactly one of day-of-month and day-of-week is `?` (Scheduler cannot use both)."""
    fields = cron_fields(body)
    if len(fields) != len(CRON_FIELDS):
        return []  # the field count is cron_problems' finding
    dom, dow = fields[2], fields[4]
    if (dom == "?") == (dow == "?"):
        which = "both are" if dom == "?" else "neither is"
        return [f"exactly one of day-of-month and day-of-week must be `?`, {which} (got `{dom}` and `{dow}`)"]
    return []


def at_problems(body: str) -> list[str]:
    text = body.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", text):
        return [f"a one-time schedule is `at(yyyy-mm-ddThh:mm:ss)`, a local date-time without a zone "
                f"(the schedule's timezone applies), got `at({body})`"]
    try:
        datetime.strptime(text, AT_FORMAT)
    except ValueError:
        return [f"{text!r} is not a date-time that exists"]
    return []


def _field_problems(spec: Field, text: str) -> list[str]:
    for special in ("?", "L"):
        if text == special:
            return [] if special in spec.extra else [f"`{special}` is not allowed in {spec.name}, got `{text}`"]
    problems: list[str] = []
    for item in text.split(","):
        problems += _item_problems(spec, item)
    return problems


def _item_problems(spec: Field, item: str) -> list[str]:
    bad = f"{spec.name} must be {_allowed(spec)}, got `{item}`"
    if not item:
        return [bad]
    if "W" in spec.extra and re.fullmatch(r"(\d{1,2}W|LW)", item):
        return [] if item == "LW" or spec.low <= int(item[:-1]) <= spec.high else [bad]
    if "#" in spec.extra and "#" in item:
        day, _, nth = item.partition("#")
        return [] if _value(spec, day) is not None and nth.isdigit() and 1 <= int(nth) <= 5 else [bad]
    if "L" in spec.extra and spec.names and item.endswith("L") and len(item) > 1:  # 6L: last Friday
        return [] if _value(spec, item[:-1]) is not None else [bad]
    base, slash, step = item.partition("/")
    if slash and not (step.isdigit() and int(step) >= 1):
        return [bad]
    if base == "*":
        return []
    low, dash, high = base.partition("-")
    first = _value(spec, low)
    last = _value(spec, high) if dash else first
    if first is None or last is None:
        return [bad]
    return []


def _value(spec: Field, text: str) -> int | None:
    if text.isdigit():
        number = int(text)
        return number if spec.low <= number <= spec.high else None
    if text.upper() in spec.names:
        return spec.low + spec.names.index(text.upper())
    return None


def _allowed(spec: Field) -> str:
    names = f" or {spec.names[0]}-{spec.names[-1]}" if spec.names else ""
    extra = "".join(f" {c}" for c in spec.extra)
    return f"{spec.low}-{spec.high}{names}, with , - * /{extra}"
