"""generator/deploy/target.py against scripted CloudFormation answers: throttling, change sets that
hold no change or fail, event paging, templates in either YAML form; and the diff renderer."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from generator.deploy.diff import CHANGED, ERROR, NEW, UNCHANGED, StackDiff, render
from generator.deploy.plan import make_plan
from generator.deploy.target import ChangeSetFailed, ResourceChange, Target, load_template


def error(code: str, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or code}}, "Operation")


class Scripted:
    """A client whose methods answer from a list per operation (an exception is raised)."""

    def __init__(self, **answers):
        self.answers = {name: list(values) for name, values in answers.items()}
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, name):
        def method(**kwargs):
            self.calls.append((name, kwargs))
            answer = self.answers[name].pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return method


def target(cfn=None, s3=None):
    sleeps: list[float] = []
    return Target(cfn or Scripted(), s3 or Scripted(), poll_seconds=5, sleep=sleeps.append), sleeps


PLAN = make_plan("acme-dev-a", "a", {"Resources": {}}, "Resources: {}\n", {"CodeKey": "k.zip"},
                 {"svcgen:stage": "dev"})


def test_throttled_calls_wait_longer_each_time_then_succeed():
    cfn = Scripted(describe_stacks=[error("Throttling"), error("Throttling"), {"Stacks": []}])
    t, sleeps = target(cfn)
    assert t.stack("x") is None
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_other_errors_and_endless_throttling_are_raised():
    t, sleeps = target(Scripted(describe_stacks=[error("AccessDenied")]))
    with pytest.raises(ClientError, match="AccessDenied"):
        t.stack("x")
    assert sleeps == []
    t, sleeps = target(Scripted(describe_stacks=[error("Throttling")] * 9))
    with pytest.raises(ClientError, match="Throttling"):
        t.stack("x")
    assert len(sleeps) == 8


def test_a_missing_stack_is_none():
    t, _ = target(Scripted(describe_stacks=[error("ValidationError", "Stack with id x does not exist")]))
    assert t.stack("x") is None


def test_a_change_set_is_waited_for_and_its_changes_read_across_pages():
    cfn = Scripted(
        create_change_set=[{"Id": "cs-1", "StackId": "stack-1"}],
        describe_change_set=[
            {"Status": "CREATE_IN_PROGRESS"},
            {"Status": "CREATE_COMPLETE", "NextToken": "t", "Changes": [{"ResourceChange": {
                "Action": "Modify", "LogicalResourceId": "Fn", "ResourceType": "AWS::Lambda::Function",
                "Replacement": "False"}}]},
            {"Changes": [{"ResourceChange": {"Action": "Add", "LogicalResourceId": "Q",
                                             "ResourceType": "AWS::SQS::Queue"}}]}])
    t, sleeps = target(cfn)
    change_set = t.prepare(PLAN, "UPDATE", None)
    assert change_set.changes == [ResourceChange("Modify", "Fn", "AWS::Lambda::Function", "False"),
                                  ResourceChange("Add", "Q", "AWS::SQS::Queue", "")]
    assert len(sleeps) == 1 and not change_set.unchanged
    sent = cfn.calls[0][1]
    assert sent["TemplateBody"] == PLAN.body and sent["ChangeSetType"] == "UPDATE"
    assert {"Key": "svcgen:stage", "Value": "dev"} in sent["Tags"]
    assert sent["Parameters"] == [{"ParameterKey": "CodeKey", "ParameterValue": "k.zip"}]
    assert "CAPABILITY_NAMED_IAM" in sent["Capabilities"]


def test_a_large_template_is_sent_by_url():
    cfn = Scripted(create_change_set=[{"Id": "cs-1"}], describe_change_set=[{"Status": "CREATE_COMPLETE"}])
    t, _ = target(cfn)
    t.prepare(PLAN, "CREATE", "https://b.s3.eu-west-1.amazonaws.com/k")
    sent = cfn.calls[0][1]
    assert sent["TemplateURL"] == "https://b.s3.eu-west-1.amazonaws.com/k" and "TemplateBody" not in sent


@pytest.mark.parametrize("answer", [
    {"describe_change_set": [{"Status": "FAILED", "StatusReason": "The submitted information didn't contain "
                                                                  "changes. Submit different information."}]},
    {"create_change_set": [error("ValidationError", "No updates are to be performed.")]}])
def test_a_change_set_without_changes_is_unchanged(answer):
    cfn = Scripted(**{"create_change_set": [{"Id": "cs-1"}], **answer})
    t, _ = target(cfn)
    assert t.prepare(PLAN, "UPDATE", None).unchanged


def test_a_failed_change_set_is_deleted_with_its_empty_new_stack_and_reported():
    cfn = Scripted(create_change_set=[{"Id": "cs-1", "StackId": "stack-1"}],
                   describe_change_set=[{"Status": "FAILED", "StatusReason": "No export named x found"}],
                   delete_change_set=[{}],
                   describe_stacks=[{"Stacks": [{"StackName": "acme-dev-a", "StackId": "stack-1",
                                                 "StackStatus": "REVIEW_IN_PROGRESS"}]}],
                   delete_stack=[{}])
    t, _ = target(cfn)
    with pytest.raises(ChangeSetFailed, match="No export named x found"):
        t.prepare(PLAN, "CREATE", None)
    assert [name for name, _ in cfn.calls][-3:] == ["delete_change_set", "describe_stacks", "delete_stack"]


def test_events_are_read_back_to_the_marker_across_pages():
    page1 = {"StackEvents": [{"EventId": "5"}, {"EventId": "4"}], "NextToken": "t"}
    page2 = {"StackEvents": [{"EventId": "3"}, {"EventId": "2"}], "NextToken": "t2"}
    t, _ = target(Scripted(describe_stack_events=[page1, page2]))
    assert [e["EventId"] for e in t.events("s", "2")] == ["3", "4", "5"]


def test_settle_reports_each_event_once_until_the_stack_settles():
    def stack(status):
        return {"Stacks": [{"StackName": "s", "StackId": "id", "StackStatus": status}]}
    cfn = Scripted(describe_stacks=[stack("UPDATE_IN_PROGRESS"), stack("UPDATE_COMPLETE")],
                   describe_stack_events=[{"StackEvents": [{"EventId": "2"}, {"EventId": "1"}]},
                                          {"StackEvents": [{"EventId": "3"}, {"EventId": "2"}, {"EventId": "1"}]}])
    t, sleeps = target(cfn)
    seen = []
    assert t.settle("s", "1", seen.append).status == "UPDATE_COMPLETE"
    assert [e["EventId"] for e in seen] == ["2", "3"] and sleeps == [5]


def test_emptying_a_versioned_bucket_deletes_versions_and_markers_page_by_page():
    s3 = Scripted(list_object_versions=[
        {"Versions": [{"Key": "a", "VersionId": "1"}], "DeleteMarkers": [{"Key": "a", "VersionId": "2"}],
         "IsTruncated": True, "NextKeyMarker": "a", "NextVersionIdMarker": "2"},
        {"Versions": [{"Key": "b", "VersionId": "3"}], "IsTruncated": False}],
        delete_objects=[{}, {}])
    t, _ = target(s3=s3)
    assert t.empty_bucket("bkt") == 3
    deletes = [kw["Delete"]["Objects"] for name, kw in s3.calls if name == "delete_objects"]
    assert deletes == [[{"Key": "a", "VersionId": "1"}, {"Key": "a", "VersionId": "2"}], [{"Key": "b", "VersionId": "3"}]]
    assert s3.calls[2][1]["KeyMarker"] == "a"


def test_an_object_already_in_the_bucket_is_not_uploaded_again():
    s3 = Scripted(head_object=[{}, error("404")], put_object=[{}])
    t, _ = target(s3=s3)
    assert t.upload("b", "code/a.zip", b"zip") is False
    assert t.upload("b", "code/a.zip", b"zip") is True
    assert [name for name, _ in s3.calls] == ["head_object", "head_object", "put_object"]


def test_templates_load_in_long_and_short_form():
    text = "Resources:\n  P:\n    Properties:\n      Value: !ImportValue bus\n      Name: !Sub '${AWS::StackName}-p'\n"
    assert load_template(text)["Resources"]["P"]["Properties"] == {
        "Value": {"Fn::ImportValue": "bus"}, "Name": {"Fn::Sub": "${AWS::StackName}-p"}}
    assert load_template(json.dumps({"Resources": {}})) == {"Resources": {}}


def test_the_diff_renders_a_table_per_stack_and_a_summary():
    diffs = [StackDiff("acme-dev-platform", UNCHANGED, reason="CloudFormation found no change"),
             StackDiff("acme-dev-ledger", CHANGED, (ResourceChange("Modify", "PostFn", "AWS::Lambda::Function", "False"),
                                                    ResourceChange("Remove", "OldQueue", "AWS::SQS::Queue"))),
             StackDiff("acme-dev-new", NEW, (ResourceChange("Add", "Q", "AWS::SQS::Queue"),)),
             StackDiff("acme-dev-bad", ERROR, reason="No export named x found")]
    assert render(diffs) == "\n".join([
        "acme-dev-platform: unchanged (CloudFormation found no change)",
        "acme-dev-ledger: changed, 2 resource change(s)",
        "  action  logical id  type                   replacement",
        "  Modify  PostFn      AWS::Lambda::Function  False",
        "  Remove  OldQueue    AWS::SQS::Queue        -",
        "acme-dev-new: new stack, 1 resource change(s)",
        "  action  logical id  type             replacement",
        "  Add     Q           AWS::SQS::Queue  -",
        "acme-dev-bad: cannot diff: No export named x found",
        "diff: 4 stack(s): 1 changed, 1 new, 1 unchanged, 1 error"])
