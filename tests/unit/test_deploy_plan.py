"""generator/deploy/plan.py and events.py: order, hashes and the skip rule, failure reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.deploy.events import Failure, Progress, first_failure, newer_than
from generator.deploy.plan import (SKIP_TAGS, TAG_BRANCH, TAG_CODE_HASH, TAG_COMMIT, TAG_TEMPLATE_HASH,
                                   TAG_VERSION, TEMPLATE_BODY_LIMIT, Code, CycleError, StageTags, can_skip,
                                   make_plan, order, tag_value, template_dependencies)

TAGS = StageTags("pr-7", "feature/x", "abc123", "0.1.0", True)


def _plan(template=None, parameters=None, code=None, transform=None, tags=TAGS, depends_on=()):
    template = template or {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    return make_plan("acme-pr-7-a", "a", template, json.dumps(template), parameters or {},
                     tags.for_stack("team-a", "a"), depends_on, code, "export", transform)


# --- order --------------------------------------------------------------------------------------

def test_order_puts_every_stack_after_what_it_imports_and_breaks_ties_by_name():
    deps = {"svc-b": {"platform", "svc-a"}, "svc-a": {"platform"}, "platform": set(), "svc-c": {"platform"}}
    assert order(deps) == ["platform", "svc-a", "svc-b", "svc-c"]
    assert order({"z": set(), "a": set(), "m": {"z"}}) == ["a", "z", "m"]


def test_order_ignores_dependencies_outside_the_deploy():
    assert order({"svc": {"dev-platform", "svc"}}) == ["svc"]  # deployed elsewhere; itself never counts


def test_a_cycle_is_an_error_naming_the_stacks_in_it():
    with pytest.raises(CycleError) as caught:
        order({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set(), "e": {"d"}})
    assert caught.value.cycle == ["a", "b", "c", "a"]
    assert "a -> b -> c -> a" in str(caught.value) and "d" not in caught.value.cycle


def test_a_stack_waiting_on_a_cycle_is_not_named_as_part_of_it():
    with pytest.raises(CycleError) as caught:
        order({"x": {"y"}, "y": {"x"}, "after": {"x"}})
    assert set(caught.value.cycle) == {"x", "y"}


def test_template_dependencies_read_exports_and_imports():
    templates = {
        "platform": {"Outputs": {"Bus": {"Value": "b", "Export": {"Name": "acme-dev-platform-bus"}}}},
        "ledger": {"Resources": {"R": {"Properties": {"X": {"Fn::ImportValue": "acme-dev-platform-bus"},
                                                     "Y": [{"Fn::ImportValue": "acme-dev-elsewhere"}]}}},
                   "Outputs": {"T": {"Value": "t", "Export": {"Name": "acme-dev-ledger-t"}}}},
        "payments": {"Resources": {"R": {"Properties": {"X": {"Fn::ImportValue": "acme-dev-ledger-t"}}}}},
    }
    assert template_dependencies(templates) == {"platform": set(), "ledger": {"platform"}, "payments": {"ledger"}}


# --- hashes, tags, skip -------------------------------------------------------------------------

def test_each_input_has_its_own_hash_tag():
    base = _plan().tag_map
    other_template = _plan({"Resources": {"P": {"Type": "AWS::SSM::Parameter"}}}).tag_map
    other_params = _plan(parameters={"CodeKey": "k.zip"}).tag_map
    with_code = _plan(code=Code(Path("x.zip"), "code/a/a-1.zip", "f" * 64)).tag_map
    assert other_template[TAG_TEMPLATE_HASH] != base[TAG_TEMPLATE_HASH]
    assert other_params["svcgen:parameters-hash"] != base["svcgen:parameters-hash"]
    assert base[TAG_CODE_HASH] == "none" and with_code[TAG_CODE_HASH] == "f" * 16
    assert _plan().tags == _plan().tags  # the same inputs, the same tags


def test_skip_only_when_settled_and_every_skip_tag_matches():
    plan = _plan()
    deployed = plan.tag_map
    assert can_skip(plan, "UPDATE_COMPLETE", deployed)
    assert can_skip(plan, "UPDATE_ROLLBACK_COMPLETE", deployed)  # the rollback restored these tags
    for status in (None, "ROLLBACK_COMPLETE", "UPDATE_IN_PROGRESS", "REVIEW_IN_PROGRESS", "DELETE_FAILED"):
        assert not can_skip(plan, status, deployed), status
    for key in SKIP_TAGS:
        assert not can_skip(plan, "CREATE_COMPLETE", {**deployed, key: "other"}), key


def test_new_code_alone_redeploys():
    old_code = Code(Path("a.zip"), "code/a/a.zip", "a" * 64)
    new_code = Code(Path("a.zip"), "code/a/a.zip", "b" * 64)  # the same key: only the code hash tells
    deployed = _plan(parameters={"CodeKey": "code/a/a.zip"}, code=old_code).tag_map
    assert not can_skip(_plan(parameters={"CodeKey": "code/a/a.zip"}, code=new_code), "UPDATE_COMPLETE", deployed)
    assert can_skip(_plan(parameters={"CodeKey": "code/a/a.zip"}, code=old_code), "UPDATE_COMPLETE", deployed)


def test_a_new_commit_or_branch_alone_does_not_redeploy():
    deployed = _plan().tag_map
    later = _plan(tags=StageTags("pr-7", "feature/y", "def456", "0.2.0", True))
    assert later.tag_map[TAG_COMMIT] != deployed[TAG_COMMIT]
    assert can_skip(later, "UPDATE_COMPLETE", deployed)


def test_every_stack_carries_the_identity_tags():
    tags = _plan().tag_map
    assert tags["svcgen:stage"] == "pr-7" and tags["svcgen:ephemeral"] == "true"
    assert tags[TAG_BRANCH] == "feature/x" and tags[TAG_COMMIT] == "abc123" and tags[TAG_VERSION] == "0.1.0"
    assert tags["svcgen:owner"] == "team-a"
    persistent = StageTags("dev", "main", "c", "v", False).for_stack("o", "s")
    assert persistent["svcgen:ephemeral"] == "false"


def test_tag_values_are_made_valid():
    assert tag_value("fix/JIRA-12#2 'x'") == "fix/JIRA-12_2 _x_"
    assert tag_value("") == "unknown"
    assert len(tag_value("b" * 300)) == 256


def test_a_transform_changes_the_body_and_its_hash():
    plain = _plan()
    transformed = _plan(transform=lambda t: {**t, "Description": "local"})
    assert json.loads(transformed.body)["Description"] == "local"
    assert transformed.tag_map[TAG_TEMPLATE_HASH] != plain.tag_map[TAG_TEMPLATE_HASH]


def test_templates_over_the_body_limit_go_through_s3():
    def sized(n):
        template = {"Description": ""}
        template["Description"] = "x" * (n - len(json.dumps(template)))
        plan = make_plan("s", "s", template, json.dumps(template), {}, {})
        assert len(plan.body.encode()) == n
        return plan
    assert not sized(TEMPLATE_BODY_LIMIT).needs_s3_template
    assert sized(TEMPLATE_BODY_LIMIT + 1).needs_s3_template


def test_a_stack_never_depends_on_itself():
    assert _plan(depends_on=["acme-pr-7-a", "acme-pr-7-platform"]).depends_on == {"acme-pr-7-platform"}


# --- events -------------------------------------------------------------------------------------

def _event(logical, status, reason="", rtype="AWS::SQS::Queue", event_id=None):
    return {"LogicalResourceId": logical, "ResourceStatus": status, "ResourceStatusReason": reason,
            "ResourceType": rtype, "EventId": event_id or f"{logical}-{status}"}


STACK = "acme-dev-ledger"


def test_the_first_real_failure_wins_over_the_cancellation_cascade():
    events = [  # oldest first
        _event(STACK, "UPDATE_IN_PROGRESS", "User Initiated", "AWS::CloudFormation::Stack"),
        _event("Table", "UPDATE_FAILED", "Resource update cancelled"),
        _event("Queue", "CREATE_FAILED", "Resource creation cancelled"),
        _event("Function", "CREATE_FAILED", "Runtime python2.7 is not supported", "AWS::Lambda::Function"),
        _event("Role", "CREATE_FAILED", "later failure", "AWS::IAM::Role"),
        _event(STACK, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) failed to update: [Function].",
               "AWS::CloudFormation::Stack"),
    ]
    assert first_failure(events, STACK) == Failure("Function", "AWS::Lambda::Function", "CREATE_FAILED",
                                                   "Runtime python2.7 is not supported")


def test_without_a_resource_reason_the_stacks_own_reason_is_used():
    events = [_event("Queue", "CREATE_FAILED", "Resource creation Cancelled"),
              _event(STACK, "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [Queue].",
                     "AWS::CloudFormation::Stack")]
    failure = first_failure(events, STACK)
    assert failure.status == "ROLLBACK_IN_PROGRESS" and "failed to create: [Queue]" in failure.reason
    assert first_failure([_event("Q", "CREATE_COMPLETE")], STACK) is None
    assert str(Failure("", "", "", "No export named x found.")) == "No export named x found."


def test_newer_than_stops_at_the_marker_and_returns_oldest_first():
    page = [{"EventId": "3"}, {"EventId": "2"}, {"EventId": "1"}]
    assert newer_than(page, "1") == ([{"EventId": "2"}, {"EventId": "3"}], True)
    assert newer_than(page, "9") == (page[::-1], False)
    assert newer_than(page, None) == (page[::-1], False)


def test_progress_counts_finished_resources_not_the_stack():
    progress = Progress.start(STACK, 2)
    for event in (_event(STACK, "CREATE_IN_PROGRESS", "", "AWS::CloudFormation::Stack"),
                  _event("Q", "CREATE_IN_PROGRESS"), _event("Q", "CREATE_COMPLETE"),
                  _event("Q", "CREATE_COMPLETE"), _event(STACK, "CREATE_COMPLETE", "", "AWS::CloudFormation::Stack")):
        progress.add(event)
    assert progress.count == 1 and progress.line() == f"1/2 {STACK} CREATE_COMPLETE"
    progress.add(_event("P", "UPDATE_COMPLETE"))
    progress.add(_event("R", "UPDATE_COMPLETE"))
    assert progress.count == 2  # never more than the total
