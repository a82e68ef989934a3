"""generator/deploy/engine.py against an in-memory CloudFormation (test_deploy_fakes.py): order,
skips, failures and rollback, interrupted runs, parallelism, uploads, dry runs."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from generator.deploy import results as R
from generator.deploy.engine import Deployer
from generator.deploy.events import Progress
from generator.deploy.plan import TAG_TEMPLATE_HASH, Code, CycleError, StageTags, make_plan
from generator.deploy.report import LineReporter, Reporter
from tests.unit.test_deploy_fakes import FakeTarget

TAGS = StageTags("dev", "main", "abc", "0.1.0", False)
EXPORT = "acme-dev-platform-artifacts-bucket"
RESOURCES = {"A": {"Type": "AWS::SQS::Queue"}, "B": {"Type": "AWS::Lambda::Function"},
             "C": {"Type": "AWS::IAM::Role"}}


def plan(name, depends_on=(), template=None, code=None, description=""):
    template = template or {"Description": description, "Resources": RESOURCES}
    return make_plan(name, name, template, json.dumps(template), {"CodeKey": code.key} if code else {},
                     TAGS.for_stack("team", name), depends_on, code, EXPORT)


class Recorder(Reporter):
    def __init__(self):
        self.notes, self.lines, self.done_lines = [], [], []

    def note(self, stack, text):
        self.notes.append(f"{stack}: {text}")

    def progress(self, stack, progress: Progress):
        self.lines.append(f"{stack}: {progress.line()}")

    def done(self, result):
        self.done_lines.append(result.line())


def outcomes(result):
    return {r.name: r.outcome for r in result.results}


def test_stacks_deploy_after_what_they_import_and_report_progress():
    fake, reporter = FakeTarget(), Recorder()
    result = Deployer(fake, reporter, concurrency=1).deploy([plan("svc", ["platform"]), plan("platform")])
    assert outcomes(result) == {"platform": R.CREATED, "svc": R.CREATED} and result.ok
    assert fake.names_of("execute") == ["platform", "svc"]
    assert "platform: 3/3 C CREATE_COMPLETE" in reporter.lines
    assert [line.split(":")[0] for line in reporter.done_lines] == ["platform", "svc"]
    assert fake.stack("svc").tags[TAG_TEMPLATE_HASH] == plan("svc").tag_map[TAG_TEMPLATE_HASH]


def test_an_unchanged_stack_is_skipped_without_a_change_set():
    fake = FakeTarget()
    fake.add_stack("svc", "UPDATE_COMPLETE", plan("svc").tag_map)
    result = Deployer(fake).deploy([plan("svc")])
    assert outcomes(result) == {"svc": R.SKIPPED} and fake.calls == []


def test_a_changed_stack_is_updated_and_a_no_change_change_set_is_deleted():
    fake = FakeTarget()
    fake.add_stack("svc", "UPDATE_COMPLETE", plan("svc").tag_map)
    fake.add_stack("other", "CREATE_COMPLETE", plan("other").tag_map)
    fake.scenario["other"] = "unchanged"
    result = Deployer(fake).deploy([plan("svc", description="changed"), plan("other", description="whitespace")])
    assert outcomes(result) == {"svc": R.UPDATED, "other": R.UNCHANGED}
    assert ("prepare", "svc", "UPDATE", None) in fake.calls and fake.names_of("discard") == ["other"]
    assert fake.names_of("execute") == ["svc"]


def test_a_failure_reports_the_first_reason_deletes_the_failed_creation_and_stops_dependents():
    fake = FakeTarget()
    fake.scenario["ledger"] = "fail"
    plans = [plan("platform"), plan("ledger", ["platform"]), plan("payments", ["ledger"]),
             plan("notifications", ["platform"])]
    result = Deployer(fake, concurrency=1).deploy(plans)
    assert not result.ok
    assert outcomes(result) == {"platform": R.CREATED, "ledger": R.FAILED, "payments": R.NOT_STARTED,
                                "notifications": R.CREATED}
    ledger = next(r for r in result.results if r.name == "ledger")
    assert ledger.failure.logical_id == "B" and ledger.failure.reason == "Runtime python2.7 is not supported"
    assert "deleted, so the next deploy creates it again" in ledger.detail
    assert fake.names_of("delete") == ["ledger"] and fake.stack("ledger") is None
    payments = next(r for r in result.results if r.name == "payments")
    assert "depends on ledger" in payments.line()


def test_a_failed_update_rolls_back_and_the_stack_stays():
    fake = FakeTarget()
    fake.add_stack("svc", "UPDATE_COMPLETE", {})
    fake.scenario["svc"] = "fail"
    result = Deployer(fake).deploy([plan("svc")])
    (svc,) = result.results
    assert svc.outcome == R.FAILED and svc.detail == "rolled back to the previous version"
    assert fake.names_of("delete") == [] and fake.stack("svc").status == "UPDATE_ROLLBACK_COMPLETE"


def test_a_refused_change_set_fails_the_stack_with_cloudformations_words():
    fake = FakeTarget()
    fake.scenario["svc"] = "refuse-change-set"
    (svc,) = Deployer(fake).deploy([plan("svc")]).results
    assert svc.outcome == R.FAILED and "Template format error" in svc.detail


def test_an_interrupted_runs_stack_is_waited_for_then_deployed():
    fake, reporter = FakeTarget(), Recorder()
    fake.add_stack("svc", "UPDATE_IN_PROGRESS", {})
    fake.queue("svc", ("UPDATE_IN_PROGRESS", []), ("UPDATE_COMPLETE", []))
    result = Deployer(fake, reporter).deploy([plan("svc")])
    assert outcomes(result) == {"svc": R.UPDATED}
    assert "svc: waiting for UPDATE_IN_PROGRESS (an earlier run's) to finish" in reporter.notes
    assert ("prepare", "svc", "UPDATE", None) in fake.calls


class CtrlC(Recorder):
    """Ctrl-C arrives as soon as the first stack is done."""

    def done(self, result):
        super().done(result)
        raise KeyboardInterrupt


def test_ctrl_c_mid_deploy_then_the_same_deploy_again_converges():
    fake = FakeTarget()
    plans = [plan("platform"), plan("svc", ["platform"])]
    with pytest.raises(KeyboardInterrupt):
        Deployer(fake, CtrlC(), concurrency=1).deploy(plans)
    assert fake.names_of("execute") == ["platform"]  # svc was never started: its dependency had not reported
    again = Deployer(fake, Recorder(), concurrency=1).deploy(plans)
    assert outcomes(again) == {"platform": R.SKIPPED, "svc": R.CREATED} and again.ok
    assert outcomes(Deployer(fake).deploy(plans)) == {"platform": R.SKIPPED, "svc": R.SKIPPED}


def test_a_creation_that_failed_earlier_is_deleted_then_created_again():
    fake = FakeTarget()
    fake.add_stack("svc", "ROLLBACK_IN_PROGRESS", {})
    fake.queue("svc", ("ROLLBACK_COMPLETE", []))
    result = Deployer(fake).deploy([plan("svc")])
    assert outcomes(result) == {"svc": R.CREATED}
    assert fake.names_of("delete") == ["svc"] and ("prepare", "svc", "CREATE", None) in fake.calls


@pytest.mark.parametrize("status", ["UPDATE_ROLLBACK_FAILED", "DELETE_FAILED"])
def test_a_stack_that_needs_a_person_is_not_touched(status):
    fake = FakeTarget()
    fake.add_stack("svc", status, {})
    (svc,) = Deployer(fake).deploy([plan("svc")]).results
    assert svc.outcome == R.FAILED and status in svc.detail and fake.calls == []


def test_independent_stacks_deploy_at_the_same_time():
    fake = FakeTarget()
    both = threading.Barrier(2, timeout=5)
    fake.on_execute = lambda name: both.wait()  # breaks (and fails the deploy) unless both run at once
    result = Deployer(fake, concurrency=2).deploy([plan("a"), plan("b")])
    assert outcomes(result) == {"a": R.CREATED, "b": R.CREATED}


def test_code_and_large_templates_go_to_the_artifacts_bucket():
    fake = FakeTarget()
    code = Code(Path("svc-0123456789abcdef.zip"), "code/svc/svc-0123456789abcdef.zip", "0123456789abcdef" * 4)
    big = {"Description": "x" * 60_000, "Resources": RESOURCES}
    Deployer(fake).deploy([plan("svc", code=code), plan("big", template=big)])
    assert ("upload", "acme-dev-artifacts", code.key) in fake.calls
    key = f"templates/dev/big-{plan('big', template=big).tag_map[TAG_TEMPLATE_HASH]}.json"
    assert ("upload", "acme-dev-artifacts", key) in fake.calls
    assert ("prepare", "big", "CREATE", f"https://acme-dev-artifacts.s3.eu-west-1.amazonaws.com/{key}") in fake.calls
    assert ("prepare", "svc", "CREATE", None) in fake.calls


def test_without_the_artifacts_bucket_a_stack_with_code_fails_before_any_change_set():
    fake = FakeTarget()
    fake.exports = {}
    code = Code(Path("x.zip"), "code/svc/x.zip", "0" * 64)
    (svc,) = Deployer(fake).deploy([plan("svc", code=code)]).results
    assert svc.outcome == R.FAILED and "deploy the stage's platform stack first" in svc.detail
    assert fake.names_of("prepare") == []


def test_a_dry_run_changes_nothing():
    fake = FakeTarget()
    fake.add_stack("old", "ROLLBACK_COMPLETE", {})
    fake.add_stack("same", "UPDATE_COMPLETE", plan("same").tag_map)
    fake.add_stack("changed", "UPDATE_COMPLETE", {})
    result = Deployer(fake, dry_run=True).deploy([plan("old"), plan("same"), plan("changed"), plan("new")])
    assert outcomes(result) == {"old": R.WOULD_CREATE, "same": R.SKIPPED, "changed": R.WOULD_UPDATE,
                                "new": R.WOULD_CREATE}
    assert fake.calls == []


def test_a_cycle_is_refused_before_anything_is_deployed():
    fake = FakeTarget()
    with pytest.raises(CycleError, match="a -> b -> a"):
        Deployer(fake).deploy([plan("a", ["b"]), plan("b", ["a"])])
    assert fake.calls == []


def test_the_targets_transform_is_applied_and_hashed():
    fake = FakeTarget()
    fake.transform = lambda template: {**template, "Description": "adapted"}
    (prepared,) = Deployer(fake).prepared([plan("svc")])
    assert json.loads(prepared.body)["Description"] == "adapted"
    assert prepared.tag_map[TAG_TEMPLATE_HASH] != plan("svc").tag_map[TAG_TEMPLATE_HASH]


def test_plain_lines_print_each_progress_line_once(capsys):
    import sys

    fake = FakeTarget()
    Deployer(fake, LineReporter(sys.stdout)).deploy([plan("svc")])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "svc: creating (3 resource changes)"
    assert lines[-1] == "svc: created (3 resources)"
    assert len(lines) == len(set(lines))


def test_diff_deletes_every_change_set_it_made_and_skips_what_deploy_would_skip():
    from generator.deploy.diff import CHANGED, NEW, UNCHANGED, diff

    fake = FakeTarget()
    fake.add_stack("same", "UPDATE_COMPLETE", plan("same").tag_map)
    fake.add_stack("changed", "UPDATE_COMPLETE", {})
    fake.add_stack("dead", "ROLLBACK_COMPLETE", {})
    diffs = {d.stack: d for d in diff(Deployer(fake), [plan("same"), plan("changed"), plan("new"), plan("dead")])}
    assert {name: d.status for name, d in diffs.items()} == {"same": UNCHANGED, "changed": CHANGED, "new": NEW,
                                                             "dead": NEW}
    assert [c.action for c in diffs["new"].changes] == ["Add", "Add", "Add"]
    assert "deploy deletes it first" in diffs["dead"].reason
    assert sorted(fake.names_of("prepare")) == sorted(fake.names_of("discard")) == ["changed", "new"]
    assert fake.names_of("execute") == fake.names_of("delete") == []


def test_a_stack_of_the_same_name_from_another_stage_is_not_touched():
    fake = FakeTarget()
    fake.add_stack("svc", "UPDATE_COMPLETE", {"svcgen:stage": "staging"})
    (svc,) = Deployer(fake).deploy([plan("svc")]).results
    assert svc.outcome == R.FAILED and "belongs to stage 'staging'" in svc.detail and fake.calls == []


def test_on_a_terminal_finished_stacks_scroll_up_and_live_lines_are_rewritten():
    import io

    from generator.deploy.report import LiveReporter, reporter_for

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    reporter = reporter_for(screen)
    assert isinstance(reporter, LiveReporter) and isinstance(reporter_for(io.StringIO()), LineReporter)
    a, b = Progress.start("a", 2), Progress.start("b", 1)
    a.add({"LogicalResourceId": "Q", "ResourceStatus": "CREATE_COMPLETE"})
    reporter.progress("a", a)
    reporter.progress("b", b)
    reporter.done(R.StackResult("a", R.CREATED, resources=2))
    reporter.done(R.StackResult("b", R.CREATED, resources=1))
    assert _rendered(screen.getvalue()) == ["a: created (2 resources)", "b: created (1 resource)"]


def _rendered(output: str) -> list[str]:
    """The lines a terminal shows after `output` (cursor up to line start, erase line, newline)."""
    import re

    lines, row = [], 0
    for token in re.findall(r"\x1b\[(\d*)([FK])|(\n)|([^\x1b\n]+)", output):
        count, code, newline, text = token
        if code == "F":
            row -= int(count or 1)
        elif code == "K":
            lines += [""] * (row + 1 - len(lines))
            lines[row] = ""
        elif newline:
            row += 1
        else:
            lines += [""] * (row + 1 - len(lines))
            lines[row] += text
    return [line for line in lines if line]


def test_an_endpoint_answering_html_fails_the_stack_not_the_deploy():
    from botocore.parsers import ResponseParserError

    fake = FakeTarget()

    def html(*args):
        raise ResponseParserError("Unable to parse response (syntax error)\nb'<!doctype html>...500 Internal Server Error'")
    fake.prepare = html
    result = Deployer(fake).deploy([plan("a"), plan("b", ["a"])])
    assert outcomes(result) == {"a": R.FAILED, "b": R.NOT_STARTED}
    assert "was not CloudFormation's" in result.results[0].detail


def test_when_removing_a_failed_creation_fails_too_the_first_reason_is_still_reported():
    from botocore.exceptions import ClientError

    fake = FakeTarget()
    fake.scenario["svc"] = "fail"
    original = fake.delete

    def refuse(name_or_id):
        if fake.stack(name_or_id).status == "ROLLBACK_COMPLETE":
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DeleteStack")
        original(name_or_id)
    fake.delete = refuse
    (svc,) = Deployer(fake).deploy([plan("svc")]).results
    assert svc.failure.reason == "Runtime python2.7 is not supported"
    assert svc.detail == "removing the failed stack failed too: not allowed (AccessDenied)"
