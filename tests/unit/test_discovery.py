"""Discovery: exports/imports read from rendered templates; imports nobody exports are errors."""

from __future__ import annotations

import json
from pathlib import Path

from generator import pipeline
from generator.discovery import check_imports, interfaces, render_json, render_table
from generator.spec.load import load_text
from generator.stages import resolve_stage


def _artifact(stack: str, template: dict, origins=None, doc_text="service: x\n"):
    return pipeline.Artifact(stack, Path(stack, "template.yaml"), "", load_text(doc_text, f"{stack}.yaml"),
                             origins or {}, template)


def test_imports_are_attributed_to_the_stack_that_exports_them(demo_workspace):
    stage = resolve_stage("dev", demo_workspace.platform)
    provider = _artifact("billing", {"Outputs": {"TopicArn": {"Value": "x", "Description": "d",
                                                               "Export": {"Name": "acme-dev-billing-topic-arn"}}}})
    consumer = _artifact("reports", {"Resources": {"Sub": {"Properties": {
        "TopicArn": {"Fn::ImportValue": "acme-dev-billing-topic-arn"},
        "Bus": {"Fn::ImportValue": "acme-dev-platform-bus-name"}}}}})
    items = {i.stack: i for i in interfaces([provider, consumer], demo_workspace, stage)}
    assert [(i.name, i.provider) for i in items["reports"].imports] == [
        ("acme-dev-billing-topic-arn", "billing"), ("acme-dev-platform-bus-name", "platform")]
    assert [e.name for e in items["billing"].exports] == ["acme-dev-billing-topic-arn"]
    assert "from billing" in render_table(list(items.values()))
    data = json.loads(render_json(list(items.values()), "dev"))
    assert data["stacks"]["reports"]["imports"][0] == {"name": "acme-dev-billing-topic-arn", "provider": "billing"}


def test_ephemeral_stage_imports_resolve_against_the_parent_platform(demo_workspace):
    stage = resolve_stage("pr-9", demo_workspace.platform)
    consumer = _artifact("reports", {"Resources": {"R": {"Properties": {
        "Bus": {"Fn::ImportValue": "acme-dev-platform-bus-name"}}}}})
    assert check_imports([consumer], demo_workspace, stage) == []


def test_an_import_nobody_exports_is_an_error_at_the_spec_line(demo_workspace):
    stage = resolve_stage("dev", demo_workspace.platform)
    text = "service: reports\nfunctions:\n  read:\n    starts: [billing.pay]\n"
    consumer = _artifact("reports", {"Resources": {"ReadRole": {"Properties": {
        "Arn": {"Fn::ImportValue": "acme-dev-billing-pay-state-machine-arn"}}}}},
        origins={"ReadRole": ("functions", "read", "starts")}, doc_text=text)
    (error,) = check_imports([consumer], demo_workspace, stage)
    assert error.render() == (
        "reports.yaml:4:5: functions.read.starts: imports 'acme-dev-billing-pay-state-machine-arn', which no "
        "stack in this build exports (add the providing service to the build, or fix the reference)")
