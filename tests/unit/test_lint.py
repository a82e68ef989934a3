"""generator.lint: cfn-lint in-process, with informational rules and the serverless pack really on,
and svcgen's rule that every suppression carries a reason (SVC0001/2/3)."""

from __future__ import annotations

import pytest
from troposphere import GetAtt, Template
from troposphere.awslambda import Code, Function, TracingConfig
from troposphere.dynamodb import AttributeDefinition, KeySchema, Table
from troposphere.iam import Role
from troposphere.logs import LogGroup
from troposphere.sqs import Queue

from generator.lint import Finding, Linter

FUNCTION_NAME = "svc-dev-handler"


@pytest.fixture(scope="module")
def linter() -> Linter:
    # Built once for the module, as svcgen builds it once per run: construction is the slow part.
    return Linter(["eu-west-1"])


def role() -> Role:
    return Role(
        "HandlerRole",
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "lambda.amazonaws.com"}}],
        },
    )


def function(**overrides) -> Function:
    properties = dict(
        FunctionName=FUNCTION_NAME,
        Runtime="python3.12",
        Handler="app.handler",
        Code=Code(ZipFile="def handler(event, context):\n    return None\n"),
        Role=GetAtt("HandlerRole", "Arn"),
        Timeout=10,
        MemorySize=512,
        TracingConfig=TracingConfig(Mode="Active"),
    )
    properties.update(overrides)
    return Function("Handler", **{k: v for k, v in properties.items() if v is not None})


def log_group() -> LogGroup:
    # WS1004 pairs a function with "/aws/lambda/<its literal FunctionName>" (or a Ref to it).
    return LogGroup("HandlerLogGroup", LogGroupName=f"/aws/lambda/{FUNCTION_NAME}",
                    RetentionInDays=30, DeletionPolicy="Delete", UpdateReplacePolicy="Delete")


def clean_template() -> Template:
    t = Template()
    t.set_version("2010-09-09")
    t.add_resource(role())
    t.add_resource(function())
    t.add_resource(log_group())
    return t


def queue_without_dlq(metadata: dict | None = None) -> Template:
    """A clean template plus a queue that trips ES6000 (no RedrivePolicy) and nothing else."""
    t = clean_template()
    extra = {"Metadata": metadata} if metadata is not None else {}
    t.add_resource(Queue("Parked", MessageRetentionPeriod=1209600, DeletionPolicy="Delete",
                         UpdateReplacePolicy="Delete", **extra))
    return t


def ignore(*rule_ids: str, **reasons: str) -> dict:
    metadata: dict = {"cfn-lint": {"config": {"ignore_checks": list(rule_ids)}}}
    if reasons:
        metadata["svcgen"] = {"accepted_findings": reasons}
    return metadata


def ids(findings: list[Finding], resource: str | None = None) -> set[str]:
    return {f.rule_id for f in findings if resource is None or f.resource == resource}


def test_clean_template_has_no_findings(linter):
    assert linter.lint(clean_template().to_json(), "clean.json") == []


def test_serverless_pack_is_active_on_plain_cloudformation(linter):
    t = Template()
    t.add_resource(role())
    t.add_resource(function(TracingConfig=None, Timeout=None, MemorySize=None))  # and no log group
    findings = linter.lint(t.to_json(), "fn.json")
    assert {"WS1000", "WS1004", "ES1005", "ES1006"} <= ids(findings, "Handler")
    tracing = next(f for f in findings if f.rule_id == "WS1000")
    assert (tracing.severity, tracing.path) == ("warning", "Resources/Handler")


def test_informational_rules_are_on(linter):
    t = clean_template()
    t.add_resource(Table(
        "Store", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[AttributeDefinition(AttributeName="pk", AttributeType="S")],
        KeySchema=[KeySchema(AttributeName="pk", KeyType="HASH")],
    ))  # no DeletionPolicy / UpdateReplacePolicy
    findings = [f for f in linter.lint(t.to_json(), "t.json") if f.resource == "Store"]
    assert {(f.rule_id, f.severity) for f in findings} == {("I3011", "informational")}
    assert len(findings) == 2  # one per missing policy


def test_finding_without_suppression_is_reported(linter):
    findings = linter.lint(queue_without_dlq().to_json(), "q.json")
    assert [(f.rule_id, f.resource, f.path) for f in findings] == [("ES6000", "Parked", "Resources/Parked")]


def test_suppression_with_reason_silences_the_finding(linter):
    metadata = ignore("ES6000", ES6000="this queue is a DLQ; a DLQ has no redrive of its own")
    assert linter.lint(queue_without_dlq(metadata).to_json(), "q.json") == []


@pytest.mark.parametrize("reasons", [{}, {"ES6000": ""}, {"ES6000": "   "}, {"ES6000": 3}])
def test_suppression_without_reason_is_an_error(linter, reasons):
    text = queue_without_dlq(ignore("ES6000", **reasons)).to_json()
    findings = linter.lint(text, "q.json")
    assert [(f.rule_id, f.severity, f.resource) for f in findings] == [("SVC0001", "error", "Parked")]
    # Points at the suppressing entry itself.
    finding = findings[0]
    assert finding.path == "Resources/Parked/Metadata/cfn-lint/config/ignore_checks/0"
    assert text.splitlines()[finding.line - 1].strip() == '"ES6000"'


def test_suppression_of_a_non_rule_is_reported(linter):
    # cfn-lint matches resource-level ignores exactly, so a prefix like "ES" suppresses nothing.
    findings = linter.lint(queue_without_dlq(ignore("ES", ES="prefix")).to_json(), "q.json")
    assert ids(findings) == {"SVC0003", "ES6000"}


def test_ignore_checks_must_be_a_list(linter):
    metadata = {"cfn-lint": {"config": {"ignore_checks": "ES6000"}}}
    findings = linter.lint(queue_without_dlq(metadata).to_json(), "q.json")
    assert "SVC0001" in ids(findings, "Parked")


def test_global_ignore_is_an_error_and_has_no_effect(linter):
    t = queue_without_dlq()
    t.set_metadata({"cfn-lint": {"config": {"ignore_checks": ["ES6000"]}}})
    findings = linter.lint(t.to_json(), "q.json")
    assert [(f.rule_id, f.resource, f.path) for f in findings] == [
        ("ES6000", "Parked", "Resources/Parked"),
        ("SVC0002", "", "Metadata/cfn-lint/config/ignore_checks"),
    ]


def test_project_cfnlintrc_is_not_read(tmp_path, monkeypatch):
    # A .cfnlintrc in the working directory would be a global ignore list nobody reviews.
    (tmp_path / ".cfnlintrc").write_text("ignore_checks:\n  - ES6000\n")
    monkeypatch.chdir(tmp_path)
    findings = Linter().lint(queue_without_dlq().to_json(), "q.json")
    assert ids(findings) == {"ES6000"}


def test_yaml_text_and_line_numbers(linter):
    text = queue_without_dlq().to_yaml()
    [finding] = linter.lint(text, "q.yaml")
    assert text.splitlines()[finding.line - 1].strip() == "Parked:"


@pytest.mark.parametrize("text, rule_id", [("Resources: [\n", "E0000"), ("just text", "E0000"),
                                           ("", "E1001")])
def test_bad_text_is_a_finding_not_an_exception(linter, text, rule_id):
    [finding] = linter.lint(text, "broken.yaml")
    assert (finding.rule_id, finding.severity) == (rule_id, "error")


def test_result_is_sorted_and_repeatable(linter):
    t = Template()
    t.add_resource(role())
    t.add_resource(function(TracingConfig=None, Timeout=None, MemorySize=None))
    text = t.to_json()
    first = linter.lint(text, "fn.json")
    assert first == sorted(first) == linter.lint(text, "fn.json")
    assert {"WS1000", "WS1004", "ES1005", "ES1006"} <= ids(first)  # not vacuously: there is something to sort


def test_render():
    finding = Finding("E3002", "error", "Queue", "Resources/Queue/Properties/X", 12, "bad")
    assert finding.render("out/template.json") == "out/template.json:12: E3002 [Queue] bad"
    assert Finding("W2001", "warning", "", "Parameters/P", 3, "unused").render("t.json") == (
        "t.json:3: W2001 unused")


@pytest.mark.parametrize("regions", [[], ["eu-west-99"], "eu-west-1"])
def test_regions_are_checked_up_front(regions):
    with pytest.raises(ValueError):
        Linter(regions)
