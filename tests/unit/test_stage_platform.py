"""Every stage has its own platform stack: a persistent stage's full one, an ephemeral stage's
light one (its own bus, optionally bridged one way from the parent); services import their own
stage's bus and the parent's artifacts bucket."""

from __future__ import annotations

from generator import pipeline
from generator.discovery import interfaces
from generator.platform_stack import render_platform
from generator.spec.platform import PlatformSpec
from generator.stages import resolve_stage

PLATFORM = PlatformSpec.model_validate({"org": "acme"})
BRIDGED = PlatformSpec.model_validate({"org": "acme", "stages": {"bridge_from_parent": True}})


def resources(platform, stage: str) -> dict:
    return render_platform(platform, resolve_stage(stage, platform)).to_dict()["Resources"]


def exports(platform, stage: str) -> set[str]:
    outputs = render_platform(platform, resolve_stage(stage, platform)).to_dict()["Outputs"]
    return {o["Export"]["Name"] for o in outputs.values()}


def test_a_persistent_stage_has_bus_archive_and_bucket():
    assert {r["Type"] for r in resources(PLATFORM, "dev").values()} == {
        "AWS::Events::EventBus", "AWS::Events::Archive", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"}
    assert exports(PLATFORM, "dev") == {"acme-dev-platform-bus-name", "acme-dev-platform-bus-arn",
                                        "acme-dev-platform-artifacts-bucket"}


def test_an_ephemeral_stage_has_its_own_bus_and_nothing_else():
    found = resources(PLATFORM, "pr-7")
    assert {r["Type"] for r in found.values()} == {"AWS::Events::EventBus"}
    assert found["Bus"]["Properties"]["Name"] == "acme-pr-7-milestones"
    assert exports(PLATFORM, "pr-7") == {"acme-pr-7-platform-bus-name", "acme-pr-7-platform-bus-arn"}


def test_the_bridge_is_a_rule_on_the_parents_bus_targeting_the_stages_bus():
    found = resources(BRIDGED, "pr-7")
    rule = found["BridgeFromParent"]["Properties"]
    assert rule["EventBusName"] == {"Fn::ImportValue": "acme-dev-platform-bus-name"}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["Bus", "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["BridgeDlq", "Arn"]}
    statement = found["BridgeRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert (statement["Action"], statement["Resource"]) == ("events:PutEvents", {"Fn::GetAtt": ["Bus", "Arn"]})
    assert "BridgeFromParent" not in resources(BRIDGED, "dev")  # a persistent stage is never bridged


def test_services_import_their_own_stages_bus_and_the_parents_bucket(demo_workspace):
    stage = resolve_stage("pr-7", demo_workspace.platform)
    artifacts = pipeline.render_all(demo_workspace, stage)
    assert artifacts[0].stack == "platform"
    imports = {i.name: i.provider for item in interfaces(artifacts, demo_workspace, stage) for i in item.imports}
    assert imports["acme-pr-7-platform-bus-name"] == "platform"
    assert imports["acme-dev-platform-artifacts-bucket"] == "platform (dev)"
    assert not [name for name in imports if name.startswith("acme-dev-") and "artifacts-bucket" not in name]
