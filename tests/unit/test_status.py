"""generator/deploy/status.py: which queues are DLQs, which states fail a stage, the table."""

from __future__ import annotations

import json

import pytest

from generator.deploy.status import Dlq, StackStatus, StageStatus, dead_letter_queues, failed_state, render
from generator.stages import resolve_stage


def test_dlqs_are_the_queues_something_sends_failures_to():
    template = {"Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Properties": {
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["QDlq", "Arn"]}}}},
        "QDlq": {"Type": "AWS::SQS::Queue"},
        "Undelivered": {"Type": "AWS::SQS::Queue"},
        "Plain": {"Type": "AWS::SQS::Queue"},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [
            {"Arn": {"Fn::GetAtt": ["Q", "Arn"]}, "DeadLetterConfig": {"Arn": {"Fn::GetAtt": "Undelivered.Arn"}}}]}},
        "Sub": {"Type": "AWS::SNS::Subscription", "Properties": {
            "Endpoint": {"Fn::GetAtt": ["Plain", "Arn"]},
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Topicless", "Arn"]}}}},  # not a queue here
    }}
    assert dead_letter_queues(template) == {"QDlq", "Undelivered"}


def test_every_dlq_of_a_rendered_service_is_found(demo_workspace):
    from generator.artifacts import render_one

    item = next(s for s in demo_workspace.services if s.spec.service == "notifications")
    template = render_one(item, demo_workspace, resolve_stage("dev", demo_workspace.platform)).template
    queues = {k for k, v in template["Resources"].items() if v["Type"] == "AWS::SQS::Queue"}
    found = dead_letter_queues(template)
    assert found == {q for q in queues if q.endswith("Dlq")} and "EventsDlq" in found
    assert "NotifyCustomerQueue" in queues and "NotifyCustomerQueue" not in found


@pytest.mark.parametrize("status, failed", [
    ("CREATE_COMPLETE", False), ("UPDATE_COMPLETE", False), ("UPDATE_IN_PROGRESS", False),
    ("CREATE_FAILED", True), ("UPDATE_ROLLBACK_FAILED", True), ("DELETE_FAILED", True),
    ("ROLLBACK_COMPLETE", True), ("UPDATE_ROLLBACK_COMPLETE", True),
])
def test_failed_states(status, failed):
    assert failed_state(status) is failed


def stage(dlq_messages=0, status="UPDATE_COMPLETE"):
    return StageStatus("dev", [StackStatus("acme-dev-a", "a", status, "c0ffee", "2026-03-01T10:00:00Z",
                                           failed_state(status))],
                       [Dlq("acme-dev-a", "ADlq", "acme-dev-a-work-dlq", dlq_messages)])


def test_health_needs_stacks_none_failed_and_empty_dlqs():
    assert stage().healthy
    assert not stage(dlq_messages=1).healthy
    assert not stage(status="UPDATE_ROLLBACK_COMPLETE").healthy
    assert not StageStatus("dev").healthy


def test_the_table_and_the_json():
    text = render(stage(dlq_messages=3, status="UPDATE_ROLLBACK_COMPLETE"))
    assert text.splitlines() == [
        "stage dev: 1 stack(s)",
        "stack       service  state                       commit  last deploy (UTC)",
        "acme-dev-a  a        UPDATE_ROLLBACK_COMPLETE !  c0ffee  2026-03-01T10:00:00Z",
        "",
        "dead-letter queue    stack       messages",
        "acme-dev-a-work-dlq  acme-dev-a  3",
        "",
        "status: 1 failed stack(s), 1 of 1 DLQ(s) holding messages",
    ]
    data = json.loads(stage().to_json())
    assert data["healthy"] is True and data["dlqs"][0]["messages"] == 0
