"""`svcgen status` on a moto server: stacks found by their stage tag, the commit and time of the
last deploy, DLQs found from the templates (a redrive policy, a rule's DeadLetterConfig) and
their depths, and the exit status."""

from __future__ import annotations

import argparse
import json

import pytest

from generator.deploy.ops_commands import add_commands, run_status

pytestmark = pytest.mark.e2e


def parse(argv):
    parser = argparse.ArgumentParser(prog="svcgen")
    add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def tags(stage, commit="abc123", service="orders"):
    return [{"Key": "svcgen:stage", "Value": stage}, {"Key": "svcgen:commit", "Value": commit},
            {"Key": "svcgen:service", "Value": service}]


# Queue -> its DLQ through a redrive policy; a rule whose DeadLetterConfig names EventsDead (a name
# without `-dlq`: only the template says it is a DLQ); Other is an ordinary queue.
TEMPLATE = {
    "Resources": {
        "Work": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": "acme-{stage}-orders-work",
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkDlq", "Arn"]}, "maxReceiveCount": 3}}},
        "WorkDlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "acme-{stage}-orders-work-dlq"}},
        "EventsDead": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "acme-{stage}-orders-undelivered"}},
        "Other": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "acme-{stage}-orders-other"}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {
            "EventPattern": {"source": ["x"]},
            "Targets": [{"Id": "q", "Arn": {"Fn::GetAtt": ["Work", "Arn"]},
                         "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["EventsDead", "Arn"]}}}]}},
    },
}


def create(aws, stage, name, commit="abc123"):
    body = json.dumps(TEMPLATE).replace("{stage}", stage)
    aws("cloudformation").create_stack(StackName=name, TemplateBody=body, Tags=tags(stage, commit))


def test_status_lists_the_stages_stacks_and_dlq_depths(fresh_moto, aws, capsys):
    create(aws, "pr-9", "acme-pr-9-orders", commit="f00d")
    create(aws, "pr-8", "acme-pr-8-orders")  # another stage: not listed
    common = ["--endpoint-url", fresh_moto]
    assert run_status(parse(["status", "--stage", "pr-9", *common])) == 0
    out = capsys.readouterr().out
    assert "acme-pr-9-orders  orders   CREATE_COMPLETE  f00d" in out
    assert "acme-pr-8" not in out
    assert "acme-pr-9-orders-work-dlq     acme-pr-9-orders  0" in out
    assert "acme-pr-9-orders-undelivered  acme-pr-9-orders  0" in out
    assert "orders-other" not in out and "orders-work " not in out
    assert out.splitlines()[-1] == "status: 0 failed stack(s), 0 of 2 DLQ(s) holding messages"

    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName="acme-pr-9-orders-work-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    assert run_status(parse(["status", "--stage", "pr-9", "--format", "json", *common])) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["healthy"] is False
    depths = {d["name"]: d["messages"] for d in data["dlqs"]}
    assert depths == {"acme-pr-9-orders-work-dlq": 2, "acme-pr-9-orders-undelivered": 0}
    (stack,) = data["stacks"]
    assert (stack["name"], stack["commit"], stack["failed"]) == ("acme-pr-9-orders", "f00d", False)
    assert stack["updated"].endswith("Z")


def test_a_stage_without_stacks_is_exit_1_with_a_note(fresh_moto, capsys):
    assert run_status(parse(["status", "--branch", "feature/nothing", "--endpoint-url", fresh_moto])) == 1
    captured = capsys.readouterr()
    assert "no stack is tagged svcgen:stage=nothing-" in captured.err
    assert captured.out.startswith("stage nothing-")
