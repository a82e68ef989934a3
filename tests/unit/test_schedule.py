"""The schedule concern end to end: the plugin hooks, the rendered resources and their IAM, the
DLQ and retries, the ephemeral-stage decision, lint, and the generated code."""

from __future__ import annotations

import json

import pytest

from generator.concerns import registry
from generator.concerns.schedule import defaults
from generator.concerns.schedule.concern import ScheduleConcern
from generator.serialize import to_yaml
from generator.spec.model import FunctionSpec
from tests.unit.helpers import of_type, rendered, resolved, spec

SPEC = """
service: reports
owner: team-reports
description: test
functions:
  daily-report:
    timeout: 60
    schedule:
      expression: cron(0 8 ? * MON-FRI *)
      timezone: Europe/London
      input: {report: daily, format: csv}
  idle: {}
alerts: {email: [oncall@example.com]}
"""
SUB = "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default"
THROUGH_SQS = {"StringEquals": {"kms:ViaService": {"Fn::Sub": "sqs.${AWS::Region}.amazonaws.com"}}}
DLQ_ARN = {"Fn::GetAtt": ["DailyReportScheduleDlq", "Arn"]}
KEY_ARN = {"Fn::GetAtt": ["EncryptionKey", "Arn"]}


def with_schedule(lines: str, stage: str = "dev") -> dict:
    text = f"""
service: reports
owner: team-reports
description: test
functions:
  daily-report:
    schedule:
{lines}"""
    return rendered(text, stage)


def props(template: dict, logical_id: str) -> dict:
    return template["Resources"][logical_id]["Properties"]


def statements(template: dict, role: str) -> dict[str, dict]:
    (policy,) = props(template, role)["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# --- the plugin shape ------------------------------------------------------------------------

def test_schedule_is_a_registered_concern():
    assert type(registry.CONCERNS[-1]) is ScheduleConcern
    assert registry.render_modules()[-1] == "generator.concerns.schedule.render"  # after the built-ins
    assert "schedule" in FunctionSpec.model_fields
    assert "generator.concerns.schedule.rules" in registry.rule_modules()
    assert registry.by_kind("schedule").trigger_words == "a schedule"


def test_resolved_value_is_kept_on_the_function_as_an_extension():
    svc = resolved(SPEC)
    report, idle = svc.functions
    schedule = report.extension("schedule")
    assert report.extensions == (("schedule", schedule),)
    assert (schedule.expression, schedule.timezone, schedule.enabled) == ("cron(0 8 ? * MON-FRI *)", "Europe/London",
                                                                         True)
    assert (schedule.max_attempts, schedule.max_event_age) == (defaults.MAX_ATTEMPTS, defaults.MAX_EVENT_AGE_SECONDS)
    assert idle.extensions == () and idle.extension("schedule") is None


def test_trigger_is_the_spec_field():
    concern = registry.by_kind("schedule")
    service = spec(SPEC)
    assert concern.trigger(service, "daily-report") and not concern.trigger(service, "idle")
    assert registry.trigger_of(service, "daily-report") is concern
    assert registry.trigger_of(service, "idle").kind == "direct"  # the fallback


def test_json_schema_shows_the_fragment():
    from generator.spec.model import ServiceSpec

    schema = ServiceSpec.model_json_schema(by_alias=True, mode="validation")
    function = schema["$defs"]["FunctionSpec"]
    assert function["additionalProperties"] is False
    assert "schedule" in function["properties"] and "handler" in function["properties"]
    retry = schema["$defs"]["ScheduleRetrySpec"]["properties"]
    assert (retry["max_attempts"]["minimum"], retry["max_attempts"]["maximum"]) == (0, 185)
    assert (retry["max_event_age"]["minimum"], retry["max_event_age"]["maximum"]) == (60, 86400)


# --- rendered resources ----------------------------------------------------------------------

def test_schedule_resource():
    tpl = rendered(SPEC)
    (title,) = of_type(tpl, "AWS::Scheduler::Schedule")
    assert title == "DailyReportSchedule"
    schedule = props(tpl, title)
    assert schedule["Name"] == "acme-dev-reports-daily-report"
    assert schedule["GroupName"] == "default"
    assert schedule["ScheduleExpression"] == "cron(0 8 ? * MON-FRI *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/London"
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["State"] == "ENABLED"
    target = schedule["Target"]
    assert target["Arn"] == {"Fn::GetAtt": ["DailyReport", "Arn"]}
    assert target["RoleArn"] == {"Fn::GetAtt": ["DailyReportSchedulerRole", "Arn"]}
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 3600}
    assert target["DeadLetterConfig"] == {"Arn": DLQ_ARN}
    assert json.loads(target["Input"]) == {
        "input": {"report": "daily", "format": "csv"},
        "scheduled_time": "<aws.scheduler.scheduled-time>",
        "execution_id": "<aws.scheduler.execution-id>",
        "attempt_number": "<aws.scheduler.attempt-number>",
    }
    # Nothing else is scheduled, and an unscheduled function gets nothing of this concern.
    assert not any(r.startswith("Idle") and r not in ("Idle", "IdleRole", "IdleLogGroup", "IdleErrorsAlarm",
                                                      "IdleThrottlesAlarm") for r in tpl["Resources"])


def test_scheduler_role_is_exact():
    tpl = rendered(SPEC)
    role = props(tpl, "DailyReportSchedulerRole")
    assert role["RoleName"] == "acme-dev-reports-daily-report-scheduler-role"
    assert "ManagedPolicyArns" not in role
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Action"] == "sts:AssumeRole"
    # Scheduler's confused-deputy guidance: this account, and the schedule *group's* ARN.
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Fn::Sub": "${AWS::AccountId}"}},
                                  "ArnLike": {"aws:SourceArn": {"Fn::Sub": SUB}}}
    assert statements(tpl, "DailyReportSchedulerRole") == {
        "InvokeFunction": {"Sid": "InvokeFunction", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                           "Resource": [{"Fn::GetAtt": ["DailyReport", "Arn"]}]},
        "DeadLetters": {"Sid": "DeadLetters", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [DLQ_ARN]},
        # The DLQ is encrypted with the service key: sending needs it, through SQS only.
        "DeadLetterKey": {"Sid": "DeadLetterKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                          "Resource": [KEY_ARN], "Condition": THROUGH_SQS},
    }


def test_dead_letter_queue_is_standard_encrypted_and_alarmed():
    tpl = rendered(SPEC)
    dlq = tpl["Resources"]["DailyReportScheduleDlq"]
    assert dlq["Type"] == "AWS::SQS::Queue"
    assert "FifoQueue" not in dlq["Properties"]  # Scheduler refuses a FIFO DLQ
    assert dlq["Properties"]["QueueName"] == "acme-dev-reports-daily-report-schedule-dlq"
    assert dlq["Properties"]["KmsMasterKeyId"] == {"Ref": "EncryptionKey"}
    assert dlq["Properties"]["RedriveAllowPolicy"] == {"redrivePermission": "denyAll"}
    assert dlq["DeletionPolicy"] == "Retain"
    assert dlq["Metadata"]["cfn-lint"]["config"]["ignore_checks"] == ["ES6000"]
    (deny,) = props(tpl, "DailyReportScheduleDlqPolicy")["PolicyDocument"]["Statement"]
    assert deny["Sid"] == "DenyInsecureTransport"
    alarm = props(tpl, "DailyReportScheduleDlqMessagesAlarm")
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Threshold"]) == ("AWS/SQS",
                                                                          "ApproximateNumberOfMessagesVisible", 0)
    assert alarm["Dimensions"] == [{"Name": "QueueName",
                                    "Value": {"Fn::GetAtt": ["DailyReportScheduleDlq", "QueueName"]}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


def test_function_errors_go_to_the_same_dlq():
    tpl = rendered(SPEC)
    config = props(tpl, "DailyReportAsyncConfig")
    assert config["FunctionName"] == {"Ref": "DailyReport"} and config["Qualifier"] == "$LATEST"
    assert config["MaximumRetryAttempts"] == defaults.ASYNC_MAX_RETRY_ATTEMPTS
    assert config["MaximumEventAgeInSeconds"] == defaults.ASYNC_MAX_EVENT_AGE_SECONDS
    assert config["DestinationConfig"] == {"OnFailure": {"Destination": DLQ_ARN}}
    grants = statements(tpl, "DailyReportRole")
    assert set(grants) == {"OwnLogGroup", "Tracing", "FailedRuns", "FailedRunsKey"} | (
        {"PublishOwnMilestones"} & set(grants))
    assert grants["FailedRuns"]["Action"] == ["sqs:SendMessage"] and grants["FailedRuns"]["Resource"] == [DLQ_ARN]
    assert grants["FailedRunsKey"]["Resource"] == [KEY_ARN] and grants["FailedRunsKey"]["Condition"] == THROUGH_SQS
    # The unscheduled function gets none of it.
    assert not {"FailedRuns", "FailedRunsKey"} & set(statements(tpl, "IdleRole"))


def test_retry_from_the_spec():
    tpl = with_schedule("      expression: rate(1 hour)\n      retry: {max_attempts: 0, max_event_age: 60}\n")
    assert props(tpl, "DailyReportSchedule")["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 0,
                                                                         "MaximumEventAgeInSeconds": 60}
    tpl = with_schedule("      expression: rate(1 hour)\n      retry: {max_attempts: 3}\n")
    assert props(tpl, "DailyReportSchedule")["Target"]["RetryPolicy"] == {
        "MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": defaults.MAX_EVENT_AGE_SECONDS}


def test_defaults_utc_and_an_empty_input():
    schedule = props(with_schedule("      expression: rate(1 hour)\n"), "DailyReportSchedule")
    assert schedule["ScheduleExpressionTimezone"] == "UTC"
    assert json.loads(schedule["Target"]["Input"])["input"] == {}


def test_long_names_fit_the_schedule_limit():
    key = "a-very-long-function-name-that-is-scheduled-x"[:40]
    text = f"""
service: a-rather-long-service-name-here
owner: team
description: test
functions:
  {key}:
    schedule: {{expression: rate(1 hour)}}
"""
    tpl = rendered(text)
    (schedule,) = of_type(tpl, "AWS::Scheduler::Schedule").values()
    assert len(schedule["Properties"]["Name"]) <= 64
    (role,) = [r for r in of_type(tpl, "AWS::IAM::Role").values() if "scheduler" in r["Properties"]["RoleName"]]
    assert len(role["Properties"]["RoleName"]) <= 64


# --- stages: the ephemeral decision ----------------------------------------------------------

def test_ephemeral_stage_disables_the_schedule_and_keeps_nothing():
    tpl = rendered(SPEC, "pr-7")
    schedule = props(tpl, "DailyReportSchedule")
    assert schedule["State"] == "DISABLED"
    assert schedule["Name"] == "acme-pr-7-reports-daily-report"
    assert tpl["Resources"]["DailyReportScheduleDlq"]["DeletionPolicy"] == "Delete"
    assert not of_type(tpl, "AWS::CloudWatch::Alarm")
    # Everything else is there: the stack deploys the same and the function can be run by hand.
    assert set(rendered(SPEC)["Resources"]) - set(tpl["Resources"]) == {
        r for r in rendered(SPEC)["Resources"] if r.endswith("Alarm") or r.startswith("AlertsTopic")}


@pytest.mark.parametrize("stage, enabled, state", [
    ("pr-7", "true", "ENABLED"),  # the explicit opt-in of a PR that must see it fire
    ("dev", "false", "DISABLED"),
    ("pr-7", "false", "DISABLED"),
])
def test_enabled_in_the_spec_wins(stage, enabled, state):
    tpl = with_schedule(f"      expression: rate(1 hour)\n      enabled: {enabled}\n", stage)
    assert props(tpl, "DailyReportSchedule")["State"] == state


# --- lint -------------------------------------------------------------------------------------

@pytest.mark.e2e  # cfn-lint over rendered templates: the slow tier
@pytest.mark.parametrize("stage", ["dev", "pr-7"])
def test_rendered_template_is_lint_clean(linter, stage):
    text = to_yaml(rendered(SPEC, stage))
    assert "Mode: 'OFF'" in text  # quoted: YAML 1.1 (cfn-lint, CloudFormation) reads a bare OFF as false
    assert linter.lint(text, "template.yaml") == []


def test_yaml_11_booleans_are_quoted_but_dynamodb_types_are_not():
    text = to_yaml({"Resources": {"A": {"Type": "X", "Properties": {"Mode": "OFF", "On": "yes", "AttributeType": "N"}}}})
    assert "Mode: 'OFF'" in text and "'On': 'yes'" in text and "AttributeType: N\n" in text


# --- generated code ---------------------------------------------------------------------------

@pytest.mark.e2e  # runs generated code in a subprocess
def test_generated_code_of_a_scheduled_function(tmp_path):
    from generator.workspace import load_workspace
    from tests.conftest import ROOT
    from tests.unit.codegen_support import generate, plan, run_generated_tests, run_python

    ws = load_workspace([ROOT / "examples" / "scheduled-report"])
    files = {f.path.relative_to(tmp_path).as_posix(): f for f in plan(ws, "reporting", tmp_path)}
    entry = files["plumbing/daily_balance_report.py"].body
    assert 'run_scheduled(event, context, _user.handle, "daily-balance-report", logger)' in entry
    assert 'correlation_id_path="execution_id"' in entry
    assert "def handle(run: ScheduledRun) -> None:" in files["handlers/daily_balance_report.py"].body
    test = files["tests/test_daily_balance_report.py"].body
    assert 'INPUT = {"report": "daily-balances", "format": "csv"}' in test
    assert "from svcgen_runtime.schedule import run_scheduled" in entry  # the runtime library's, not a copy
    assert not [path for path in files if path.startswith("plumbing/runtime")]

    code = generate(ws, "reporting", tmp_path)
    result = run_generated_tests(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
    # A run without Scheduler's fields is refused with one log line, before the business function.
    refused = run_python(code, """
        import json
        from plumbing.daily_balance_report import handler
        from svcgen_runtime.schedule import InvalidScheduledRun
        from svcgen_runtime.testing import lambda_context
        try:
            handler({"input": {}}, lambda_context("daily-balance-report"))
        except InvalidScheduledRun as exc:
            print("refused", exc)
    """)
    assert refused.returncode == 0, refused.stderr
    assert "refused daily-balance-report" in refused.stdout and "scheduled_time" in refused.stdout

