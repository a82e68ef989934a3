"""The deploy engine end to end on the local CloudFormation API (moto's server, conftest.py):
deploy, skip, diff and update, failures, a template over 51,200 bytes, teardown and prune.

Small stacks (SQS queues, SSM parameters, S3 buckets) keep it fast; what they exercise is the
engine, not svcgen's templates. The first test pins the moto behaviours generator/deploy/
moto_target.py works around, so a moto upgrade that changes one fails here first.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from generator.deploy import results as R
from generator.deploy.commands import add_commands, make_target, run_prune, run_teardown
from generator.deploy.diff import CHANGED, UNCHANGED, diff, render
from generator.deploy.engine import Deployer
from generator.deploy.moto_target import MotoTarget
from generator.deploy.package import package_service
from generator.deploy.plan import TEMPLATE_BODY_LIMIT, Code, StageTags, make_plan
from generator.deploy.report import Reporter
from generator.deploy.teardown import TeardownRefused, stage_stacks, teardown
from tests.conftest import SPECS

REGION = "eu-west-1"
ARTIFACTS_EXPORT = "acme-dev-platform-artifacts-bucket"


@pytest.fixture
def target(fresh_moto) -> MotoTarget:
    made = make_target(fresh_moto, REGION)
    assert isinstance(made, MotoTarget), "the endpoint was not recognised as a moto server"
    return made


def provider(stage: str, extra: dict | None = None) -> dict:
    return {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"acme-{stage}-a-q"}},
                          **(extra or {})},
            "Outputs": {"QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]},
                                     "Export": {"Name": f"acme-{stage}-a-queue-arn"}}}}


def consumer(stage: str, imports: str | None = None, extra: dict | None = None) -> dict:
    value = {"Fn::ImportValue": imports or f"acme-{stage}-a-queue-arn"}
    return {"Resources": {"Arn": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": f"/acme/{stage}/b/queue-arn", "Type": "String", "Value": value}}, **(extra or {})}}


def plans(stage: str, templates: dict[str, dict], depends: dict[str, list[str]] | None = None,
          ephemeral: bool = True, codes: dict[str, Code] | None = None) -> list:
    tags = StageTags(stage, f"feature/{stage}", "c0ffee", "0.1.0", ephemeral)
    codes = codes or {}
    return [make_plan(f"acme-{stage}-{name}", name, t, json.dumps(t),
                      {"CodeKey": codes[name].key} if name in codes else {}, tags.for_stack("team", name),
                      [f"acme-{stage}-{d}" for d in (depends or {}).get(name, [])], codes.get(name), ARTIFACTS_EXPORT)
            for name, t in templates.items()]


def outcomes(result) -> dict[str, str]:
    return {r.name: r.outcome for r in result.results}


def change_sets(aws) -> int:
    return len(aws("cloudformation").list_change_sets(StackName="any")["Summaries"])


# --- moto's differences, pinned ---------------------------------------------------------------

def test_moto_differences_the_moto_target_compensates_for(fresh_moto, aws):
    cfn = aws("cloudformation")
    name = f"pin-{uuid.uuid4().hex[:6]}"
    created = cfn.create_change_set(StackName=name, ChangeSetName="c1", ChangeSetType="CREATE",
                                    TemplateBody=json.dumps(provider(name)), Tags=[{"Key": "k", "Value": "1"}])
    cfn.execute_change_set(ChangeSetName=created["Id"])
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "Outputs" not in stack and cfn.list_exports()["Exports"] == []  # nothing can import from it
    updated = cfn.create_change_set(StackName=name, ChangeSetName="c2", ChangeSetType="UPDATE",
                                    TemplateBody=json.dumps(provider(name, {"P": {"Type": "AWS::SSM::Parameter",
                                        "Properties": {"Type": "String", "Value": "v", "Name": f"/{name}"}}})),
                                    Tags=[{"Key": "k", "Value": "2"}])
    changes = cfn.describe_change_set(ChangeSetName=updated["Id"])["Changes"]
    assert [c["ResourceChange"].get("Replacement") for c in changes] == [None]  # no Replacement column
    cfn.execute_change_set(ChangeSetName=updated["Id"])
    assert cfn.describe_stacks(StackName=name)["Stacks"][0]["Tags"] == [{"Key": "k", "Value": "1"}]  # tags ignored
    with pytest.raises(Exception, match="No export named nowhere found"):  # synchronous failure
        cfn.create_stack(StackName=f"{name}-bad", TemplateBody=json.dumps(consumer(name, "nowhere")))
    bad = cfn.describe_stacks(StackName=f"{name}-bad")["Stacks"][0]
    assert bad["StackStatus"] == "CREATE_IN_PROGRESS"  # for ever
    events = cfn.describe_stack_events(StackName=f"{name}-bad")["StackEvents"]
    assert {e["LogicalResourceId"] for e in events} == {f"{name}-bad"}  # no resource events


# --- deploy, skip, diff, update ------------------------------------------------------------------

def test_deploy_then_skip_then_diff_and_update_only_the_changed_stack(target, aws):
    stage = "pr-1"
    deployer = Deployer(target, concurrency=2)
    first = deployer.deploy(plans(stage, {"b": consumer(stage), "a": provider(stage)}, {"b": ["a"]}))
    assert [r.name for r in first.results] == ["acme-pr-1-a", "acme-pr-1-b"]
    assert outcomes(first) == {"acme-pr-1-a": R.CREATED, "acme-pr-1-b": R.CREATED}
    queue_arn = aws("sqs").get_queue_attributes(QueueUrl=aws("sqs").get_queue_url(QueueName="acme-pr-1-a-q")["QueueUrl"],
                                                AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert aws("ssm").get_parameter(Name="/acme/pr-1/b/queue-arn")["Parameter"]["Value"] == queue_arn
    tags = target.stack("acme-pr-1-b").tags
    assert tags["svcgen:stage"] == stage and tags["svcgen:ephemeral"] == "true" and tags["svcgen:commit"] == "c0ffee"

    made = change_sets(aws)
    again = deployer.deploy(plans(stage, {"a": provider(stage), "b": consumer(stage)}, {"b": ["a"]}))
    assert set(outcomes(again).values()) == {R.SKIPPED} and change_sets(aws) == made  # not even a change set

    added = {"Note": {"Type": "AWS::SSM::Parameter",
                      "Properties": {"Name": "/acme/pr-1/b/note", "Type": "String", "Value": "v2"}}}
    changed = plans(stage, {"a": provider(stage), "b": consumer(stage, extra=added)}, {"b": ["a"]})
    made = change_sets(aws)
    diffs = diff(deployer, changed)
    assert change_sets(aws) == made  # the diff's change set was deleted again
    assert [(d.stack, d.status) for d in diffs] == [("acme-pr-1-a", UNCHANGED), ("acme-pr-1-b", CHANGED)]
    assert [(c.action, c.logical_id, c.resource_type) for c in diffs[1].changes] == [
        ("Add", "Note", "AWS::SSM::Parameter")]
    assert "  Add     Note        AWS::SSM::Parameter  -" in render(diffs)
    assert aws("cloudformation").describe_stacks(StackName="acme-pr-1-b")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"

    updated = deployer.deploy(changed)
    assert outcomes(updated) == {"acme-pr-1-a": R.SKIPPED, "acme-pr-1-b": R.UPDATED}
    assert aws("ssm").get_parameter(Name="/acme/pr-1/b/note")["Parameter"]["Value"] == "v2"
    assert target.stack("acme-pr-1-b").tags == deployer.prepared(changed)[1].tag_map  # as sent: transformed
    assert set(outcomes(deployer.deploy(changed)).values()) == {R.SKIPPED}


def test_an_empty_stack_an_interrupted_diff_left_does_not_block_the_deploy(target, aws):
    stage = "pr-7"
    aws("cloudformation").create_change_set(StackName="acme-pr-7-a", ChangeSetName="left", ChangeSetType="CREATE",
                                            TemplateBody=json.dumps(provider(stage)))
    assert target.stack("acme-pr-7-a").status == "REVIEW_IN_PROGRESS"
    result = Deployer(target).deploy(plans(stage, {"a": provider(stage)}))
    assert outcomes(result) == {"acme-pr-7-a": R.CREATED}
    assert [e["Name"] for e in aws("cloudformation").list_exports()["Exports"]] == ["acme-pr-7-a-queue-arn"]


# --- failures ------------------------------------------------------------------------------------

def test_a_failing_stack_reports_its_reason_is_rolled_back_and_stops_its_dependents(target):
    stage = "pr-2"
    deployer = Deployer(target)
    templates = {"a": provider(stage), "bad": consumer(stage, "acme-pr-2-nowhere"),
                 "after": {"Resources": {"P": {"Type": "AWS::SSM::Parameter",
                                               "Properties": {"Type": "String", "Value": "x", "Name": "/after"}}}}}
    result = deployer.deploy(plans(stage, templates, {"after": ["bad"]}))
    assert outcomes(result) == {"acme-pr-2-a": R.CREATED, "acme-pr-2-bad": R.FAILED, "acme-pr-2-after": R.NOT_STARTED}
    bad = next(r for r in result.results if r.outcome == R.FAILED)
    assert "No export named acme-pr-2-nowhere found" in bad.failure.reason
    assert "the next deploy creates it again" in bad.detail
    assert target.stack("acme-pr-2-bad") is None  # the failed creation was removed

    templates["bad"] = consumer(stage)
    fixed = deployer.deploy(plans(stage, templates, {"after": ["bad"], "bad": ["a"]}))
    assert outcomes(fixed) == {"acme-pr-2-a": R.SKIPPED, "acme-pr-2-bad": R.CREATED, "acme-pr-2-after": R.CREATED}


def test_a_failing_update_is_reported_in_the_apis_words(target):
    stage = "pr-5"
    deployer = Deployer(target)
    deployer.deploy(plans(stage, {"a": provider(stage)}))
    broken = provider(stage, {"Fifo": {"Type": "AWS::SQS::Queue",
                                       "Properties": {"QueueName": "acme-pr-5-not-fifo", "FifoQueue": True}}})
    (result,) = deployer.deploy(plans(stage, {"a": broken})).results
    assert result.outcome == R.FAILED and "Queue name must end in .fifo" in result.failure.reason
    assert "moto applies an update partially" in result.failure.reason


# --- S3: large templates, code ----------------------------------------------------------------

def platform(stage: str) -> dict:
    return {"Resources": {"ArtifactsBucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain",
                                              "Properties": {"BucketName": f"acme-{stage}-artifacts"}}},
            "Outputs": {"ArtifactsBucketName": {"Value": {"Ref": "ArtifactsBucket"},
                                                "Export": {"Name": f"acme-{stage}-platform-artifacts-bucket"}}}}


def large(count: int = 130) -> dict:
    resources = {f"Setting{i:03d}": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Name": f"/acme/dev/large/setting-{i:03d}", "Type": "String", "Value": f"value {i}",
        "Description": "a setting of the large stack, described at length so the template needs S3 " * 4}}
        for i in range(count)}
    return {"Resources": resources}


def test_a_template_over_51200_bytes_and_the_code_go_through_the_artifacts_bucket(target, aws, tmp_path):
    (tmp_path / "svc" / "handlers").mkdir(parents=True)
    (tmp_path / "svc" / "handlers" / "h.py").write_text("def handle(event, context):\n    return event\n")
    package = package_service(tmp_path / "svc", tmp_path / "out", "python3.12", "arm64", service="coded")
    code = Code(package.path, f"code/coded/{package.name}", package.sha256)
    coded = {"Parameters": {"CodeKey": {"Type": "String"}}, "Resources": {"Key": {
        "Type": "AWS::SSM::Parameter", "Properties": {"Name": "/acme/dev/coded/key", "Type": "String",
                                                      "Value": {"Ref": "CodeKey"}}}}}
    sent: list[set[str]] = []
    target.cfn.meta.events.register("provide-client-params.cloudformation.CreateStack",
                                    lambda params, **_: sent.append(set(params)))
    stacks = plans("dev", {"platform": platform("dev"), "large": large(), "coded": coded},
                   {"large": ["platform"], "coded": ["platform"]}, ephemeral=False, codes={"coded": code})
    assert stacks[1].needs_s3_template and len(stacks[1].body.encode()) > TEMPLATE_BODY_LIMIT
    result = Deployer(target).deploy(stacks)
    assert set(outcomes(result).values()) == {R.CREATED}, [r.line() for r in result.results]
    assert sorted("TemplateURL" in params for params in sent) == [False, False, True]
    keys = [o["Key"] for o in aws("s3").list_objects_v2(Bucket="acme-dev-artifacts")["Contents"]]
    assert code.key in keys and any(k.startswith("templates/dev/acme-dev-large-") for k in keys)
    assert aws("ssm").get_parameter(Name="/acme/dev/coded/key")["Parameter"]["Value"] == code.key
    assert len(target.resources("acme-dev-large")) == 130


# --- teardown and prune -------------------------------------------------------------------------

def files_stack(stage: str) -> dict:
    return {"Resources": {"Files": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"acme-{stage}-files"}}}}


class Notes(Reporter):
    def __init__(self):
        self.lines = []

    def note(self, stack, text):
        self.lines.append(f"{stack}: {text}")


def test_teardown_removes_every_stack_of_the_stage_and_nothing_else(target, aws):
    deployer = Deployer(target)
    deployer.deploy(plans("dev", {"platform": platform("dev")}, ephemeral=False))
    aws("s3").put_object(Bucket="acme-dev-artifacts", Key="code/x.zip", Body=b"shared")
    deployer.deploy(plans("pr-3", {"a": provider("pr-3"), "b": consumer("pr-3"), "files": files_stack("pr-3")},
                          {"b": ["a"]}))
    deployer.deploy(plans("pr-4", {"a": provider("pr-4")}))
    s3 = aws("s3")
    s3.put_bucket_versioning(Bucket="acme-pr-3-files", VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket="acme-pr-3-files", Key="report.csv", Body=body)

    with pytest.raises(TeardownRefused):
        teardown(target, "dev", persistent=True)
    notes = Notes()
    results = teardown(target, "pr-3", persistent=False, reporter=notes)
    names = [r.name for r in results]
    assert names.index("acme-pr-3-b") < names.index("acme-pr-3-a")  # the importer first
    assert {r.outcome for r in results} == {R.DELETED}
    assert stage_stacks(target, "pr-3") == []
    assert "acme-pr-3-files: emptied bucket acme-pr-3-files (2 object version(s))" in notes.lines
    assert [s.name for s in stage_stacks(target, "pr-4")] == ["acme-pr-4-a"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="acme-dev-artifacts")["Contents"]] == ["code/x.zip"]


def parse(argv):
    import argparse

    parser = argparse.ArgumentParser(prog="svcgen")
    add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_the_teardown_command_refuses_dev_and_removes_an_ephemeral_stage(target, fresh_moto, capsys):
    Deployer(target).deploy(plans("dev", {"platform": platform("dev")}, ephemeral=False))
    Deployer(target).deploy(plans("pr-6", {"a": provider("pr-6")}))
    common = ["--endpoint-url", fresh_moto, "--platform", str(SPECS / "platform.yaml")]
    assert run_teardown(parse(["teardown", "--stage", "dev", *common])) == 1
    assert "--force --confirm dev" in capsys.readouterr().err
    assert run_teardown(parse(["teardown", "--stage", "dev", "--force", "--confirm", "prod", *common])) == 1
    assert run_teardown(parse(["teardown", "--branch", "pr-6", "--dry-run", *common])) == 0
    assert "acme-pr-6-a: would delete" in capsys.readouterr().out
    assert run_teardown(parse(["teardown", "--stage", "pr-6", *common])) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "teardown of stage pr-6: 1 stack(s): 1 deleted"
    assert stage_stacks(target, "pr-6") == [] and len(stage_stacks(target, "dev")) == 1


AGE_LIMIT_S = 5


def test_prune_removes_only_the_stale_ephemeral_stage(target, fresh_moto, tmp_path, capsys):
    deployer = Deployer(target)
    deployer.deploy(plans("dev", {"platform": platform("dev")}, ephemeral=False))
    deployer.deploy(plans("pr-old", {"a": provider("pr-old")}))
    deployer.deploy(plans("pr-kept", {"a": provider("pr-kept")}))
    # moto records real times and --older-than takes whole seconds. The old stages are older
    # than the limit from here on; pr-new must still be younger when prune reaches it, after
    # its own deploy and the dry run: 5 s leaves room for a loaded machine (2 s did not).
    time.sleep(AGE_LIMIT_S + 0.1)
    deployer.deploy(plans("pr-new", {"a": provider("pr-new")}))
    keep = tmp_path / "keep"
    keep.write_text("feature/pr-kept  # a long-lived demo\n")
    common = ["--endpoint-url", fresh_moto, "--platform", str(SPECS / "platform.yaml"), "--older-than", f"{AGE_LIMIT_S}s",
              "--keep-branches", str(keep)]
    assert run_prune(parse(["prune", "--dry-run", *common])) == 0
    out = capsys.readouterr().out
    assert "stage pr-old (branch feature/pr-old, 1 stack(s)): would remove" in out
    assert len(stage_stacks(target, "pr-old")) == 1
    assert run_prune(parse(["prune", *common])) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "acme-pr-old-a: deleted (1 resource)" in lines
    assert "stage dev (branch feature/dev, 1 stack(s)): kept: persistent" in lines
    assert "stage pr-kept (branch feature/pr-kept, 1 stack(s)): kept: kept (in the keep file)" in lines
    assert lines[-1] == "prune: 1 stale ephemeral stage(s) removed, 3 kept"
    remaining = sorted(s.tags["svcgen:stage"] for s in target.stacks())
    assert remaining == ["dev", "pr-kept", "pr-new"]
