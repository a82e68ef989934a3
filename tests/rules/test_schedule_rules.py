"""Schedule rules (SVC1801–SVC1810) and the one-trigger rule (SVC1005) for a scheduled function,
each with a failing and a passing case."""

from __future__ import annotations

import json

import pytest

from generator.concerns.schedule import expressions
from tests.rules.harness import ACCOUNTS, fails, passes, where

PUBLISHER = ACCOUNTS


def scheduled(expression: str = "rate(5 minutes)", more: str = "", function: str = "") -> str:
    """A service whose function `report` is scheduled; `more`: further keys of `schedule`,
    `function`: further keys of the function (each line indented by the caller's text)."""
    return f"""
service: reports
owner: team
description: d
functions:
  report:
{function}    schedule:
      expression: "{expression}"
{more}"""


def test_svc1801_expression_is_rate_cron_or_at():
    (error,) = fails("SVC1801", scheduled("every 5 minutes"))
    assert where([error]) == [("reports.yaml", 8, "functions.report.schedule.expression")]
    assert "must be rate(...), cron(...) or at(...), got 'every 5 minutes'" in error.message
    fails("SVC1801", scheduled("rate 5 minutes"))
    for good in ("rate(5 minutes)", "cron(0 8 * * ? *)", "at(2026-01-01T00:00:00)"):
        passes("SVC1801", scheduled(good))


@pytest.mark.parametrize("expression, problem", [
    ("rate(0 minutes)", "at least 1, got 0"),
    ("rate(1 minutes)", "a rate of 1 is written `1 minute`, got `1 minutes`"),
    ("rate(5 minute)", "a rate of 5 is written `5 minutes`, got `5 minute`"),
    ("rate(5 weeks)", "minute(s), hour(s) or day(s), got 'weeks'"),
    ("rate(1.5 hours)", "a whole number, got '1.5'"),
    ("rate(-2 hours)", "a whole number, got '-2'"),
    ("rate(5)", "`rate(value unit)`"),
])
def test_svc1802_rate(expression, problem):
    (error,) = fails("SVC1802", scheduled(expression))
    assert error.path == "functions.report.schedule.expression" and problem in error.message


def test_svc1802_rate_passes():
    for good in ("rate(1 minute)", "rate(1 hour)", "rate(1 day)", "rate(15 minutes)", "rate(2 days)"):
        passes("SVC1802", scheduled(good))
    passes("SVC1802", scheduled("cron(0 8 * * ? *)"))  # not a rate: not this rule's


@pytest.mark.parametrize("expression, problem", [
    ("cron(0 8 * * ?)", "has 6 fields"),
    ("cron(0 8 * * * ? *)", "got 7"),
    ("cron(60 8 * * ? *)", "minutes must be 0-59"),
    ("cron(0 24 * * ? *)", "hours must be 0-23"),
    ("cron(0 8 32 * ? *)", "day-of-month must be 1-31"),
    ("cron(0 8 ? 13 MON *)", "month must be 1-12 or JAN-DEC"),
    ("cron(0 8 ? * FOO *)", "day-of-week must be 1-7 or SUN-SAT"),
    ("cron(0 8 * * ? 1969)", "year must be 1970-2199"),
    ("cron(0/0 8 * * ? *)", "minutes must be"),
    ("cron(? 8 * * ? *)", "`?` is not allowed in minutes"),
])
def test_svc1803_cron_fields(expression, problem):
    errors = fails("SVC1803", scheduled(expression))
    assert any(problem in e.message for e in errors), [e.message for e in errors]


def test_svc1803_cron_fields_pass():
    for good in ("cron(0 8 * * ? *)", "cron(0/15 * * * ? *)", "cron(0 8 ? * MON-FRI *)", "cron(0 18 L * ? *)",
                 "cron(0 9 ? * 6#3 *)", "cron(30 7 15W * ? 2026-2030)", "cron(0 0 1 JAN,JUL ? *)",
                 "cron(0 22 ? * 6L *)"):
        passes("SVC1803", scheduled(good))


def test_svc1804_cron_question_mark():
    (error,) = fails("SVC1804", scheduled("cron(0 8 * * MON *)"))
    assert error.path == "functions.report.schedule.expression"
    assert "exactly one of day-of-month and day-of-week must be `?`, neither is" in error.message
    (both,) = fails("SVC1804", scheduled("cron(0 8 ? * ? *)"))
    assert "both are" in both.message
    passes("SVC1804", scheduled("cron(0 8 * * ? *)"))
    passes("SVC1804", scheduled("cron(0 8 ? * MON *)"))


@pytest.mark.parametrize("expression", ["at(2026-02-30T00:00:00)", "at(2026-01-01)", "at(2026-01-01T00:00:00Z)",
                                        "at(2026-01-01T00:00:00+01:00)", "at(2026-01-01 00:00:00)",
                                        "at(2026-01-01T24:00:00)"])
def test_svc1805_at_is_a_local_date_time(expression):
    (error,) = fails("SVC1805", scheduled(expression))
    assert error.path == "functions.report.schedule.expression"


def test_svc1805_at_passes():
    passes("SVC1805", scheduled("at(2026-01-01T00:00:00)"))
    passes("SVC1805", scheduled("at(2028-02-29T23:59:59)", "      timezone: Europe/London\n"))


def test_svc1806_timezone_is_an_iana_name():
    (error,) = fails("SVC1806", scheduled(more="      timezone: CET-ish\n"))
    assert where([error]) == [("reports.yaml", 9, "functions.report.schedule.timezone")]
    (cased,) = fails("SVC1806", scheduled(more="      timezone: europe/london\n"))
    assert "did you mean 'Europe/London'?" in cased.hint
    (typo,) = fails("SVC1806", scheduled(more="      timezone: Europe/Londn\n"))
    assert "did you mean 'Europe/London'?" in typo.hint
    passes("SVC1806", scheduled(more="      timezone: Europe/London\n"))
    passes("SVC1806", scheduled(more="      timezone: UTC\n"))
    passes("SVC1806", scheduled())


def test_svc1807_retry_attempts():
    (error,) = fails("SVC1807", scheduled(more="      retry: {max_attempts: 186}\n"))
    assert error.path == "functions.report.schedule.retry.max_attempts" and "must be 0–185, got 186" in error.message
    fails("SVC1807", scheduled(more="      retry: {max_attempts: -1}\n"))
    passes("SVC1807", scheduled(more="      retry: {max_attempts: 0}\n"))
    passes("SVC1807", scheduled(more="      retry: {max_attempts: 185}\n"))


def test_svc1808_retry_event_age():
    (error,) = fails("SVC1808", scheduled(more="      retry: {max_event_age: 59}\n"))
    assert error.path == "functions.report.schedule.retry.max_event_age"
    assert "must be 60–86400 seconds, got 59" in error.message
    fails("SVC1808", scheduled(more="      retry: {max_event_age: 86401}\n"))
    passes("SVC1808", scheduled(more="      retry: {max_event_age: 60}\n"))
    passes("SVC1808", scheduled(more="      retry: {max_event_age: 86400}\n"))


def test_svc1809_input_is_json_within_8_kb():
    big = json.dumps({"text": "x" * 8200})
    (error,) = fails("SVC1809", scheduled(more=f"      input: {big}\n"))
    assert error.path == "functions.report.schedule.input" and "at most 8192 bytes as JSON" in error.message
    (nan,) = fails("SVC1809", scheduled(more="      input: {threshold: .nan}\n"))
    assert "NaN or infinite" in nan.message
    passes("SVC1809", scheduled(more=f"      input: {json.dumps({'text': 'x' * 8000})}\n"))
    passes("SVC1809", scheduled(more="      input: {report: daily, accounts: [1, 2], nested: {a: null}}\n"))


def test_svc1810_runs_do_not_overlap():
    (warning,) = fails("SVC1810", scheduled("rate(1 minute)", function="    timeout: 120\n"))
    assert warning.severity == "warning" and "runs every 60 s but may take up to 120 s" in warning.message
    passes("SVC1810", scheduled("rate(1 minute)", function="    timeout: 60\n"))
    passes("SVC1810", scheduled("rate(1 minute)"))  # default timeout 10 s


def test_svc1005_a_scheduled_function_has_no_other_trigger():
    both = scheduled(function="    subscribe: [{event: AccountOpened, from: accounts}]\n")
    (error,) = fails("SVC1005", both, PUBLISHER)
    assert error.path == "functions.report" and "got subscribe and a schedule" in error.message
    routed = scheduled(function="    http: GET /reports\n")
    assert "got http and a schedule" in fails("SVC1005", routed)[0].message
    passes("SVC1005", scheduled())


def test_an_unknown_schedule_key_is_a_spec_error():
    from generator.errors import SpecErrors
    from tests.rules.harness import fleet_of

    with pytest.raises(SpecErrors) as caught:
        fleet_of(scheduled(more="      timezon: UTC\n"))
    (error,) = caught.value.errors
    assert error.path == "functions.report.schedule.timezon" and "did you mean `timezone`" in error.hint
    typo = "service: reports\nowner: team\ndescription: d\nfunctions:\n  report:\n    schedul: {expression: rate(1 hour)}\n"
    with pytest.raises(SpecErrors) as caught:
        fleet_of(typo)
    (error,) = caught.value.errors
    assert error.path == "functions.report.schedul" and "did you mean `schedule`" in error.hint


def test_rate_seconds():
    assert expressions.rate_seconds("1 minute") == 60 and expressions.rate_seconds("2 days") == 172800
    assert expressions.rate_seconds("1 minutes") is None
