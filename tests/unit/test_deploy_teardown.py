"""generator/deploy/teardown.py and prune.py: refusing persistent stages, order, stuck deletes,
which stages are stale."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from generator.deploy import results as R
from generator.deploy.prune import Stage, decide, parse_duration, prune, read_keep_file, stages_of
from generator.deploy.target import StackInfo
from generator.deploy.teardown import TeardownRefused, check_allowed, owned_buckets, teardown
from tests.unit.test_deploy_fakes import FakeTarget

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def tags(stage, ephemeral=True, branch="feature/x"):
    return {"svcgen:stage": stage, "svcgen:ephemeral": "true" if ephemeral else "false", "svcgen:branch": branch}


def exporting(name):
    return {"Resources": {}, "Outputs": {"O": {"Value": "v", "Export": {"Name": name}}}}


def importing(*names, resources=None):
    return {"Resources": {"R": {"Type": "AWS::SSM::Parameter", "Properties": {
        "Value": [{"Fn::ImportValue": n} for n in names]}}, **(resources or {})}}


# --- refusal ------------------------------------------------------------------------------------

def stacks_of(stage, ephemeral=True):
    return [StackInfo(f"acme-{stage}-a", "id", "CREATE_COMPLETE", tags=tags(stage, ephemeral))]


def test_an_ephemeral_stage_is_allowed():
    check_allowed("pr-1", stacks_of("pr-1"), persistent=False, force=False, confirm=None)


@pytest.mark.parametrize("persistent, ephemeral_tag", [(True, True), (False, False)])
def test_a_persistent_stage_is_refused_without_force_and_the_name_typed_again(persistent, ephemeral_tag):
    stacks = stacks_of("dev", ephemeral_tag)
    with pytest.raises(TeardownRefused, match="--force --confirm dev"):
        check_allowed("dev", stacks, persistent, force=False, confirm=None)
    with pytest.raises(TeardownRefused, match="is not the stage name 'dev'"):
        check_allowed("dev", stacks, persistent, force=True, confirm=None)
    with pytest.raises(TeardownRefused, match="is not the stage name"):
        check_allowed("dev", stacks, persistent, force=True, confirm="dve")
    check_allowed("dev", stacks, persistent, force=True, confirm="dev")


def test_teardown_refuses_before_deleting_anything():
    fake = FakeTarget()
    fake.add_stack("acme-dev-a", "CREATE_COMPLETE", tags("dev", ephemeral=False))
    with pytest.raises(TeardownRefused):
        teardown(fake, "dev", persistent=True)
    assert fake.calls == []


# --- teardown -----------------------------------------------------------------------------------

def test_stacks_are_deleted_in_reverse_dependency_order_and_verified_gone():
    fake = FakeTarget()
    fake.add_stack("acme-pr-1-platform", "CREATE_COMPLETE", tags("pr-1"), exporting("bus"))
    fake.add_stack("acme-pr-1-ledger", "UPDATE_COMPLETE", tags("pr-1"), {**importing("bus"), "Outputs": exporting("t")["Outputs"]})
    fake.add_stack("acme-pr-1-payments", "CREATE_COMPLETE", tags("pr-1"), importing("t", "bus"))
    fake.add_stack("acme-pr-2-ledger", "CREATE_COMPLETE", tags("pr-2"), importing("bus"))
    results = teardown(fake, "pr-1", persistent=False)
    assert [r.name for r in results] == ["acme-pr-1-payments", "acme-pr-1-ledger", "acme-pr-1-platform"]
    assert all(r.outcome == R.DELETED for r in results)
    assert fake.names_of("delete") == [r.name for r in results]
    assert [s.name for s in fake.stacks()] == ["acme-pr-2-ledger"]


def test_a_stuck_delete_is_reported_with_its_reason_and_keeps_what_it_imports():
    fake = FakeTarget()
    fake.add_stack("acme-pr-1-platform", "CREATE_COMPLETE", tags("pr-1"), exporting("bus"))
    fake.add_stack("acme-pr-1-files", "CREATE_COMPLETE", tags("pr-1"), importing("bus"))
    fake.scenario["acme-pr-1-files:delete"] = "fail"
    results = teardown(fake, "pr-1", persistent=False)
    files, platform = results
    assert files.outcome == R.FAILED and files.failure.reason == "The bucket you tried to delete is not empty"
    assert "DELETE_FAILED" in files.line()
    assert platform.outcome == R.NOT_STARTED and "acme-pr-1-files still imports from it" in platform.detail
    assert fake.names_of("delete") == ["acme-pr-1-files"]


def test_the_stages_own_buckets_are_emptied_but_retained_ones_are_not():
    fake = FakeTarget()
    template = importing(resources={"Bucket": {"Type": "AWS::S3::Bucket"}})
    info = fake.add_stack("acme-pr-1-files", "CREATE_COMPLETE", tags("pr-1"), template)
    fake.buckets["acme-pr-1-files"] = ["acme-pr-1-files-bucket"]
    assert owned_buckets(fake, info, template) == ["acme-pr-1-files-bucket"]
    retained = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"}}}
    assert owned_buckets(fake, info, retained) == []
    teardown(fake, "pr-1", persistent=False)
    assert ("empty", "acme-pr-1-files-bucket") in fake.calls


def test_a_dry_run_lists_and_deletes_nothing():
    fake = FakeTarget()
    fake.add_stack("acme-pr-1-a", "CREATE_COMPLETE", tags("pr-1"))
    assert [r.outcome for r in teardown(fake, "pr-1", persistent=False, dry_run=True)] == [R.WOULD_DELETE]
    assert fake.calls == []


# --- prune --------------------------------------------------------------------------------------

def stage(name, age_days, ephemeral=True, branch=None, extra_stack_tags=None):
    info = StackInfo(f"acme-{name}-a", f"id-{name}", "UPDATE_COMPLETE",
                     tags={**tags(name, ephemeral, branch or f"feature/{name}"), **(extra_stack_tags or {})},
                     updated=NOW - timedelta(days=age_days))
    return info


def test_only_stale_ephemeral_stages_not_kept_are_removed():
    stacks = [stage("pr-old", 10), stage("pr-new", 2), stage("pr-kept", 30, branch="release/keep"),
              stage("dev", 60, ephemeral=False), stage("staging", 60), stage("pr-named", 20)]
    decisions = decide(stages_of(stacks), NOW, timedelta(days=7), keep={"release/keep", "pr-named"},
                       persistent={"dev", "staging"})
    removed = {d.stage.name: d.why for d in decisions if d.remove}
    assert removed == {"pr-old": "last updated 10d ago"}
    why = {d.stage.name: d.why for d in decisions}
    assert why["dev"] == why["staging"] == "persistent"
    assert why["pr-kept"] == why["pr-named"] == "kept (in the keep file)"
    assert why["pr-new"] == "updated 2d ago"


def test_one_stack_not_tagged_ephemeral_keeps_the_whole_stage():
    stacks = [stage("pr-9", 30), stage("pr-9", 30, extra_stack_tags={"svcgen:ephemeral": "false"})]
    (decision,) = decide(stages_of(stacks), NOW, timedelta(days=7), set(), set())
    assert not decision.remove and decision.why == "persistent"


def test_the_most_recent_stack_update_decides_a_stages_age():
    old, recent = stage("pr-3", 30), stage("pr-3", 1)
    assert Stage("pr-3", [old, recent]).last_update == recent.updated


def test_prune_tears_down_the_stale_stage_only():
    fake = FakeTarget()
    fake.add_stack("acme-pr-old-a", "CREATE_COMPLETE", tags("pr-old"), updated=NOW - timedelta(days=9))
    fake.add_stack("acme-pr-new-a", "CREATE_COMPLETE", tags("pr-new"), updated=NOW - timedelta(hours=1))
    fake.add_stack("acme-dev-a", "CREATE_COMPLETE", tags("dev", ephemeral=False), updated=NOW - timedelta(days=99))
    decisions, results = prune(fake, timedelta(days=7), set(), {"dev"}, now=NOW)
    assert [r.name for r in results] == ["acme-pr-old-a"] and results[0].outcome == R.DELETED
    assert sorted(s.name for s in fake.stacks()) == ["acme-dev-a", "acme-pr-new-a"]
    _, dry = prune(fake, timedelta(hours=0), set(), {"dev"}, now=NOW, dry_run=True)
    assert [r.outcome for r in dry] == [R.WOULD_DELETE]


@pytest.mark.parametrize("text, expected", [("7d", timedelta(days=7)), ("12h", timedelta(hours=12)),
                                            ("2w", timedelta(weeks=2)), (" 90m ", timedelta(minutes=90))])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["7", "d", "1.5d", "-1d", "7 days", ""])
def test_bad_durations_say_what_is_expected(text):
    with pytest.raises(ValueError, match="e.g. 7d"):
        parse_duration(text)


def test_keep_file_lines_and_comments(tmp_path):
    path = tmp_path / "keep"
    path.write_text("# long-lived\nrelease/2026  # until March\n\n  demo  \n")
    assert read_keep_file(path) == {"release/2026", "demo"}


def test_a_stage_platform_yaml_calls_persistent_is_refused_before_any_aws_call():
    class Unreachable(FakeTarget):
        def stacks(self):
            raise AssertionError("listed the stacks of a stage it had to refuse")
    with pytest.raises(TeardownRefused):
        teardown(Unreachable(), "dev", persistent=True)
