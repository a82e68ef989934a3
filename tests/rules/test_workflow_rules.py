"""The workflow rules (SVC1401–SVC1417, SVC2401) on small specs: each finds its mistake at the
right key and line, passes the correct form, and finds nothing in the demo platform or the
examples. Durations are compared in seconds (`heartbeat: 60` equals `timeout: 1m`)."""

from __future__ import annotations

import json
import pathlib

import pytest

from generator.concerns.workflow import asl as workflow_asl
from generator.concerns.workflow import rules_steps
from generator.concerns.workflow import steps as workflow_rules
from generator.resolve import resolve_service
from generator.rules import registry
from generator.rules.base import Fleet, ServiceInput, SpecContext
from generator.spec.load import load_document
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document
from generator.stages import Stage
from tests.rules.harness import fails, fleet_of, passes, where

ROOT = pathlib.Path(__file__).resolve().parents[2]
OWN_IDS = [f"SVC{n}" for n in range(1401, 1418)] + ["SVC2401"]

FUNCTIONS = """\
service: loans
owner: team-loans
description: Grants loans.
functions:
  check: {timeout: 20}
  undo-check: {}
  decide: {}
  grant: {}
  refuse: {}
"""

# Below FUNCTIONS (9 lines): `workflows:` is line 10, the first step line 13, the choose's `field` line 19.
REVIEWED = """\
workflows:
  approve-loan:
    steps:
      - call: check
        compensate: undo-check
      - pause: review
        timeout: 3d
        reviewer: decide
      - choose: outcome
        field: review.decision
        when:
          approved: [{call: grant}]
          rejected: [{call: refuse}]
"""


def loans(workflows: str = REVIEWED, functions: str = "") -> str:
    """The loans service: its functions (plus `functions`, indented by two) and `workflows`."""
    return FUNCTIONS + functions + workflows


def workflow(steps: str, settings: str = "", name: str = "approve-loan") -> str:
    """`workflows:` with one workflow of `steps` (each line indented by six) and `settings` (by four)."""
    return f"workflows:\n  {name}:\n{settings}    steps:\n{steps}"


PAUSE = "      - pause: review\n        timeout: {timeout}\n{extra}"


def pause(timeout: str, extra: str = "", settings: str = "") -> str:
    return loans(workflow(PAUSE.format(timeout=timeout, extra=extra), settings))


APPLICATIONS = """\
service: applications
owner: team-applications
description: Takes applications.
publishes: [ApplicationSubmitted]
events:
  ApplicationSubmitted:
    fields:
      application_id: {type: string}
      applicant_name: {type: string, sensitive: true}
      amount: {type: integer}
      note: {type: string, required: false}
functions:
  submit: {}
"""


def started(ids: str = "[application_id]", entry: str = "event: ApplicationSubmitted") -> str:
    return loans(workflow("      - call: check\n",
                          f"    started_by:\n      - {entry}\n        from: applications\n" +
                          (f"    ids: {ids}\n" if ids else "")))


# --- SVC1401 / SVC2401: started workflows exist ---------------------------------------------------

def test_starting_a_missing_own_workflow_fails_also_when_qualified():
    for ref in ("no-such", "loans.no-such"):
        found = fails("SVC1401", loans(functions=f"  starter: {{starts: [{ref}]}}\n"))
        assert where(found) == [("loans.yaml", 10, "functions.starter.starts[0]")]
        assert found[0].message == f"must name a workflow of this service, got {ref!r}"
    typo = loans(functions="  starter: {starts: [approve-lone]}\n")
    assert "did you mean `approve-loan`?" in fails("SVC1401", typo)[0].hint


def test_starting_an_own_workflow_passes():
    for ref in ("approve-loan", "loans.approve-loan", "other.approve-loan"):  # another service's: SVC2401
        passes("SVC1401", loans(functions=f"  starter: {{starts: [{ref}]}}\n"))


def test_starting_another_services_workflow_needs_it_in_the_build():
    spec = loans(functions="  starter: {starts: [applications.review]}\n")
    assert fails("SVC2401", spec)[0].hint == "no service 'applications' in this build"
    found = fails("SVC2401", spec, APPLICATIONS)
    assert found[0].message == "must name a workflow of applications, got 'applications.review'"
    passes("SVC2401", spec, APPLICATIONS + workflow("      - call: submit\n", name="review"))


def test_a_service_starts_one_workflow_of_each_name():
    spec = loans(functions="  starter: {starts: [approve-loan]}\n  other-starter: {starts: [lending.approve-loan]}\n")
    found = fails("SVC1409", spec)
    assert where(found) == [("loans.yaml", 11, "functions.other-starter.starts[0]")]
    assert found[0].message == ("starts lending.approve-loan and loans.approve-loan: both would be "
                                "WORKFLOW_APPROVE_LOAN_ARN")
    passes("SVC1409", loans(functions="  starter: {starts: [approve-loan, loans.approve-loan]}\n"))  # one workflow
    passes("SVC1409", loans(functions="  starter: {starts: [approve-loan, lending.approve-credit]}\n"))


# --- SVC1402, SVC1407, SVC1408: event starts --------------------------------------------------

def test_a_workflow_is_not_started_by_store_events():
    found = fails("SVC1402", started(entry="store: ApplicationSubmitted"), APPLICATIONS)
    assert where(found) == [("loans.yaml", 13, "workflows.approve-loan.started_by[0].store")]
    passes("SVC1402", started(), APPLICATIONS)


def test_an_event_started_workflow_names_its_ids():
    found = fails("SVC1407", started(ids=""), APPLICATIONS)
    assert where(found) == [("loans.yaml", 12, "workflows.approve-loan.started_by")]
    passes("SVC1407", started(), APPLICATIONS)


@pytest.mark.parametrize("ids", ["[applicant_name]", "[amount]", "[note]", "[missing]"])
def test_ids_are_required_non_sensitive_strings(ids):
    found = fails("SVC1408", started(ids=ids), APPLICATIONS)
    assert where(found) == [("loans.yaml", 15, "workflows.approve-loan.ids[0]")]


def test_a_required_string_id_passes():
    passes("SVC1408", started(), APPLICATIONS)


# --- SVC1403–SVC1405: steps ------------------------------------------------------------------------

@pytest.mark.parametrize("key, line", [("call", 13), ("compensate", 14), ("reviewer", 17)])
def test_step_functions_must_exist(key, line):
    spec = loans(REVIEWED.replace({"call": "call: check", "compensate": "compensate: undo-check",
                                   "reviewer": "reviewer: decide"}[key], f"{key}: chek"))
    found = fails("SVC1403", spec)
    assert [(e.line, e.path.rsplit(".", 1)[1]) for e in found] == [(line, key)]
    assert found[0].hint.startswith("did you mean `check`?")


def test_existing_step_functions_pass():
    passes("SVC1403", loans())


def test_a_call_timeout_covers_the_functions_own():
    found = fails("SVC1404", loans(workflow("      - call: check\n        timeout: 19\n")))
    assert where(found) == [("loans.yaml", 14, "workflows.approve-loan.steps[0].timeout")]
    passes("SVC1404", loans(workflow("      - call: check\n        timeout: 20\n")))


def test_a_call_timeout_covers_the_platform_default_too():
    platform = "org: acme\ndefaults:\n  function: {timeout: 60}\n"
    spec = loans(workflow("      - call: grant\n        timeout: 30\n"))
    assert "(60 s, its default)" in fails("SVC1404", spec, platform=platform)[0].message
    passes("SVC1404", spec)  # svcgen's own default is 10 s


def test_pause_and_choose_names_are_unique():
    steps = PAUSE.format(timeout="1d", extra="") + PAUSE.format(timeout="2d", extra="")
    found = fails("SVC1405", loans(workflow(steps)))
    assert where(found) == [("loans.yaml", 15, "workflows.approve-loan.steps[1]")]
    passes("SVC1405", loans())


# --- SVC1406, SVC1410–SVC1412: durations -------------------------------------------------------

def test_a_heartbeat_equal_to_the_timeout_in_other_units_fails():
    found = fails("SVC1406", pause("1m", "        heartbeat: 60\n"))
    assert where(found) == [("loans.yaml", 15, "workflows.approve-loan.steps[0].heartbeat")]
    assert found[0].message == "must be shorter than the pause's timeout (1m = 60 s), got 60 s"
    assert fails("SVC1406", pause("1h", "        heartbeat: 2h\n"))
    assert fails("SVC1406", pause("86400", "        heartbeat: 1d\n"))


def test_a_one_second_pause_leaves_no_room_for_its_default_heartbeat():
    found = fails("SVC1406", pause("1"))
    assert where(found) == [("loans.yaml", 14, "workflows.approve-loan.steps[0].timeout")]
    assert fails("SVC1406", pause("1s"))


def test_a_heartbeat_below_the_timeout_passes():
    passes("SVC1406", pause("1m", "        heartbeat: 59\n"))
    passes("SVC1406", pause("2"))  # default heartbeat 1 s
    passes("SVC1406", loans())


def test_a_workflow_runs_at_most_a_year():
    found = fails("SVC1410", pause("1d", settings="    timeout: 366d\n"))
    assert where(found) == [("loans.yaml", 12, "workflows.approve-loan.timeout")]
    assert found[0].message == "must be at most one year (365d, 31536000 s), got 366d = 31622400 s"
    assert fails("SVC1410", pause("1d", settings="    timeout: 8761h\n"))
    passes("SVC1410", pause("1d", settings="    timeout: 365d\n"))
    passes("SVC1410", pause("1d"))


def test_a_pause_is_shorter_than_the_default_workflow_timeout():
    found = fails("SVC1411", pause("7d"))
    assert where(found) == [("loans.yaml", 14, "workflows.approve-loan.steps[0].timeout")]
    assert found[0].message == ("must be shorter than the workflow's timeout (7d = 604800 s, the default), "
                                "got 7d = 604800 s")
    passes("SVC1411", pause("6d"))


def test_a_pause_is_shorter_than_an_explicit_workflow_timeout():
    assert fails("SVC1411", pause("240h", settings="    timeout: 10d\n"))  # equal: the execution ends first
    assert fails("SVC1411", pause("2d", settings="    timeout: 1d\n"))
    passes("SVC1411", pause("10d", settings="    timeout: 11d\n"))


def test_a_pause_inside_a_branch_is_judged_too():
    branch = ("      - choose: route\n        field: ids.kind\n        when:\n          big:\n"
              "            - pause: review\n              timeout: 8d\n")
    found = fails("SVC1411", loans(workflow(branch)))
    assert [e.path for e in found] == ["workflows.approve-loan.steps[0].when.big[0].timeout"]


def test_a_pause_longer_than_its_review_message_is_a_warning():
    found = fails("SVC1412", pause("13d", settings="    timeout: 30d\n"))
    assert [e.severity for e in found] == ["warning"]
    assert where(found) == [("loans.yaml", 15, "workflows.approve-loan.steps[0].timeout")]
    assert fails("SVC1412", pause("289h", settings="    timeout: 30d\n"))  # 12 days and an hour
    passes("SVC1412", pause("12d", settings="    timeout: 30d\n"))
    passes("SVC1412", pause("288h", settings="    timeout: 30d\n"))


def test_validate_prints_the_warning_and_succeeds(tmp_path, monkeypatch, capsys):
    from generator.cli import main

    (tmp_path / "platform.yaml").write_text("org: acme\n")
    (tmp_path / "loans.yaml").write_text(pause("20d", settings="    timeout: 30d\n"))
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "loans.yaml", "--platform", "platform.yaml"]) == 0
    err = capsys.readouterr().err
    assert ("loans.yaml:15:9: workflows.approve-loan.steps[0].timeout: warning: outlives its review message: the "
            "review queue keeps messages at most 13 days (SQS: 14), got 20d = 1728000 s") in err
    assert err.rstrip().endswith("[SVC1412]")


def test_the_review_message_limit_follows_the_review_queue_retention():
    """A pause within the limit gets a review queue that keeps its message longer than it lasts."""
    spec = validate_document(*_doc(pause("12d", settings="    timeout: 30d\n")))
    svc = resolve_service(spec, PlatformSpec(org="acme"), Stage("dev", True, "dev"))
    (p,) = svc.workflows[0].pauses
    assert p.queue.retention_seconds > p.timeout_seconds
    assert p.queue.retention_seconds == workflow_rules.REVIEW_RETENTION_DAYS * 86400


# --- SVC1413, SVC1414: what a `choose` reads --------------------------------------------------------

def test_review_decisions_are_what_the_reviewer_helper_sends():
    from svcgen_runtime import workflows as runtime

    assert workflow_rules.DECISIONS == (runtime.APPROVED, runtime.REJECTED)
    # ... and a pause puts them in `review`, where `review.decision` reads them
    pauses = [s for s in _demo_definition()["States"].values() if s.get("Resource") == workflow_asl.SQS_SEND_AND_WAIT]
    assert pauses and all(s["ResultPath"] == "$.review" for s in pauses)


def test_a_choose_on_the_decision_with_other_values_fails():
    spec = loans(REVIEWED.replace("approved:", "approve:").replace("rejected:", "denied:"))
    found = fails("SVC1413", spec)
    assert where(found) == [("loans.yaml", 21, "workflows.approve-loan.steps[2].when.approve"),
                            ("loans.yaml", 22, "workflows.approve-loan.steps[2].when.denied")]
    assert found[0].hint.startswith("did you mean `approved`?")


def test_a_choose_on_the_decision_with_its_values_passes():
    passes("SVC1413", loans())
    passes("SVC1413", loans(REVIEWED.replace("rejected:", "approved-with-conditions:").replace(
        "review.decision", "steps.check.result.risk")))  # another field may have any values


@pytest.mark.parametrize("field, words", [
    ("decision", "must be a field of the workflow's state"),
    ("review", "an object that never equals a string"),
    ("steps.check", "must read the call's result"),
    ("steps.grant.result", "must name a call that may have run before this step"),
])
def test_a_choose_on_a_field_the_state_never_has_fails(field, words):
    found = fails("SVC1414", loans(REVIEWED.replace("field: review.decision", f"field: {field}")))
    assert where(found) == [("loans.yaml", 19, "workflows.approve-loan.steps[2].field")]
    assert words in found[0].message


def test_a_choose_on_the_decision_before_any_pause_fails():
    steps = ("      - choose: outcome\n        field: review.decision\n        when:\n"
             "          approved: [{call: grant}]\n" + PAUSE.format(timeout="1d", extra=""))
    found = fails("SVC1414", loans(workflow(steps)))
    assert found[0].message == "must be set by a pause before this step, got 'review.decision' with no pause before it"


def test_a_choose_on_what_may_have_run_passes():
    passes("SVC1414", loans())
    passes("SVC1414", loans(REVIEWED.replace("field: review.decision", "field: steps.check.result.risk")))
    passes("SVC1414", loans(REVIEWED.replace("field: review.decision", "field: ids.application_id")))
    # a pause in one branch, a call repeated (its second state is `check 2`): both may have run after it
    steps = ("      - choose: first\n        field: ids.kind\n        when:\n"
             "          manual:\n            - pause: review\n              timeout: 1d\n"
             "          auto:\n            - call: check\n            - call: check\n"
             "      - choose: second\n        field: review.decision\n        when: {approved: []}\n"
             "      - choose: third\n        field: steps.check_2.result.risk\n        when: {high: []}\n")
    passes("SVC1414", loans(workflow(steps)))


def test_state_names_are_the_ones_the_definition_uses():
    steps = ("      - call: check\n      - choose: first\n        field: ids.kind\n        when:\n"
             "          a: [{call: check}, {pause: check, timeout: 1d}]\n"
             "        otherwise: [{call: grant}, {call: check}]\n")
    spec = validate_document(*_doc(loans(workflow(steps))))
    svc = resolve_service(spec, PlatformSpec(org="acme"), Stage("dev", True, "dev"))
    definition = workflow_asl.definition(svc.workflows[0], {fn.key: fn.timeout for fn in svc.functions})
    names = workflow_rules.state_names(spec.workflows["approve-loan"].steps)
    assert set(names.values()) <= set(definition["States"])
    assert sorted(names.values()) == ["check", "check 2", "check 3", "check 4", "first", "grant"]


# --- SVC1415: definition size ---------------------------------------------------------------------

def test_a_workflow_whose_definition_exceeds_the_limit_fails(monkeypatch):
    monkeypatch.setattr(rules_steps, "DEFINITION_MAX_BYTES", 20_000)
    steps = "".join("      - {call: check, compensate: undo-check}\n" for _ in range(30))
    found = fails("SVC1415", loans(workflow(steps)))
    assert where(found) == [("loans.yaml", 12, "workflows.approve-loan.steps")]
    assert found[0].message.startswith("the generated state machine must be at most 20000 characters, got about ")
    assert found[0].message.endswith(" for 30 steps")
    passes("SVC1415", loans(workflow("      - call: check\n")))


def test_a_workflow_of_reasonable_size_passes():
    passes("SVC1415", loans())
    passes("SVC1415", loans(workflow("".join("      - {call: check, compensate: undo-check}\n" for _ in range(100)))))
    passes("SVC1415", loans(workflow("      - call: missing\n")))  # SVC1403's; never a crash


def test_some_hundreds_of_steps_reach_a_megabyte():
    """The real limit, without YAML (parsing 1000 lines takes seconds): a spec can reach it."""
    def size(count: int) -> int:
        spec = ServiceSpec.model_validate({
            "service": "loans", "owner": "team-loans", "description": "Grants loans.",
            "functions": {f"step-{i:02}": {} for i in range(50)},
            "workflows": {"long": {"steps": [{"call": f"step-{i % 50:02}", "compensate": f"step-{(i + 1) % 50:02}"}
                                             for i in range(count)]}}})
        svc = resolve_service(spec, PlatformSpec(org="acme"), Stage("dev", True, "dev"))
        return rules_steps.definition_size(svc.workflows[0], {fn.key: fn.timeout for fn in svc.functions})

    assert size(500) < workflow_rules.DEFINITION_MAX_BYTES < size(1000)


def test_the_size_counts_every_placeholder_at_its_longest():
    spec = validate_document(*_doc(loans()))
    svc = resolve_service(spec, PlatformSpec(org="acme"), Stage("dev", True, "dev"))
    wf = svc.workflows[0]
    text = json.dumps(workflow_asl.definition(wf, {fn.key: fn.timeout for fn in svc.functions}), separators=(",", ":"))
    size = rules_steps.definition_size(wf, {fn.key: fn.timeout for fn in svc.functions})
    assert size > len(text) and size - len(text) >= text.count("${") * 50


# --- SVC1416, SVC1417: queues and reviewers -------------------------------------------------------

def test_review_queues_of_two_workflows_must_differ():
    workflows = ("workflows:\n  aa-bb:\n    steps:\n      - {pause: cc, timeout: 1d}\n"
                 "  aa:\n    steps:\n      - {pause: bb-cc, timeout: 1d}\n")
    found = fails("SVC1416", loans(workflows))
    assert where(found) == [("loans.yaml", 16, "workflows.aa.steps[0].pause")]
    assert found[0].message == ("its queue 'aa-bb-cc' must differ from every other queue of the service, got the "
                                "queue of pause 'cc' of 'aa-bb' again")


def test_a_start_queue_must_differ_from_a_functions_queue():
    spec = started().replace("  refuse: {}\n", "  refuse: {}\n  approve-loan-start:\n    subscribe:\n"
                             "      - {event: ApplicationSubmitted, from: applications}\n")
    found = fails("SVC1416", spec, APPLICATIONS)
    assert [e.path for e in found] == ["workflows.approve-loan.started_by"]
    passes("SVC1416", started(), APPLICATIONS)
    passes("SVC1416", loans())


def test_a_reviewer_reviews_one_pause_of_each_name():
    second = "  other:\n    steps:\n      - {pause: review, timeout: 1d, reviewer: decide}\n"
    found = fails("SVC1417", loans(REVIEWED + second))
    assert where(found) == [("loans.yaml", 25, "workflows.other.steps[0].reviewer")]
    assert "REVIEW_QUEUE_URL" in found[0].message
    passes("SVC1417", loans(REVIEWED + second.replace("decide", "grant")))
    passes("SVC1417", loans(REVIEWED + second.replace("pause: review", "pause: second-review")))


# --- the rules themselves -----------------------------------------------------------------------

def test_rules_are_registered_in_the_workflow_range():
    ids = {r.id for r in registry.all_rules() if r.concern == "workflow"}
    assert ids == set(OWN_IDS)
    for rule in registry.all_rules():
        if rule.id in ids:
            assert rule.source.startswith("https://"), rule.id
            assert rule.severity == ("warning" if rule.id == "SVC1412" else "error")


def _doc(text: str):
    from generator.spec.load import load_text

    return load_text(text, "loans.yaml"), ServiceSpec


def _demo_definition() -> dict:
    fleet = _fleet(ROOT / "specs")
    item = fleet.by_name["accounts"]
    svc = resolve_service(item.spec, fleet.platform, Stage("dev", True, "dev"))
    return workflow_asl.definition(svc.workflows[0], {fn.key: fn.timeout for fn in svc.functions})


def _fleet(directory: pathlib.Path) -> Fleet:
    platform_doc = load_document(directory / "platform.yaml")
    items = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name != "platform.yaml":
            doc = load_document(path)
            items.append(ServiceInput(doc, validate_document(doc, ServiceSpec)))
    return Fleet(platform_doc, validate_document(platform_doc, PlatformSpec), items)


@pytest.mark.parametrize("directory", [ROOT / "specs", *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())],
                         ids=lambda p: p.name)
def test_demo_specs_and_examples_pass_every_workflow_rule(directory):
    fleet = _fleet(directory)
    rules = [r for r in registry.all_rules() if r.id in OWN_IDS]
    found = [e.render() for item in fleet.services for r in rules if r.kind == "spec"
             for e in r.check(SpecContext(item.doc, item.spec, fleet.platform, fleet))]
    found += [e.render() for r in rules if r.kind == "fleet" for e in r.check(fleet)]
    assert found == []


def test_the_harness_builds_fleets():
    assert [s.spec.service for s in fleet_of(loans(), APPLICATIONS).services] == ["loans", "applications"]
