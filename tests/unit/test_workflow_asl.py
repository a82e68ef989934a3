"""The generated ASL: the demo onboarding workflow (specs/accounts.yaml) and small focused ones.

Structure is checked on the definition itself (every Task, every path through the state graph);
behaviour by running it in tests/unit/asl_interpreter.py with scripted task outcomes.
"""

from __future__ import annotations

import pytest

from generator.concerns.workflow import asl
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from tests.unit.asl_interpreter import TaskFailed, run
from tests.unit.helpers import resolved

LAMBDA_TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"}


@pytest.fixture(scope="module")
def accounts(demo_workspace):
    item = next(i for i in demo_workspace.services if i.spec.service == "accounts")
    return resolve_service(item.spec, demo_workspace.platform, resolve_stage("dev", demo_workspace.platform))


@pytest.fixture(scope="module")
def onboarding(accounts):
    wf = next(w for w in accounts.workflows if w.key == "onboard-customer")
    return wf, asl.definition(wf, {fn.key: fn.timeout for fn in accounts.functions})


def _tasks(definition: dict) -> dict[str, dict]:
    return {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}


def _edges(state: dict) -> list[str]:
    found = [state[k] for k in ("Next", "Default") if k in state]
    found += [c["Next"] for c in state.get("Choices", [])] + [c["Next"] for c in state.get("Catch", [])]
    return found


def _paths(definition: dict):
    """Every path from StartAt to a terminal state, never visiting a state twice (loops once)."""
    states = definition["States"]
    stack = [[definition["StartAt"]]]
    while stack:
        path = stack.pop()
        state = states[path[-1]]
        if state["Type"] in ("Succeed", "Fail"):
            yield path
            continue
        for target in dict.fromkeys(_edges(state)):
            if target not in path:
                stack.append(path + [target])


def test_every_transition_targets_an_existing_state_and_every_state_is_reachable(onboarding):
    _, definition = onboarding
    states = definition["States"]
    reachable, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name in reachable:
            continue
        reachable.add(name)
        assert all(target in states for target in _edges(states[name])), name
        todo += _edges(states[name])
    assert reachable == set(states)
    assert all(len(name) <= 80 for name in states)  # ASL's limit on state names


def _values(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)
    else:
        yield node


def test_no_null_anywhere_because_cloudformation_rejects_null_values_in_templates(onboarding):
    _, definition = onboarding
    assert None not in list(_values(definition)) and None not in list(_values(asl.cleanup_definition()))
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_")
               for name in definition["States"])  # no ?, :, quotes in state names


def test_every_task_has_a_timeout_and_every_call_retries_lambda_errors_with_full_jitter(onboarding):
    _, definition = onboarding
    for name, task in _tasks(definition).items():
        assert task["TimeoutSeconds"] >= 1, name
        assert task["Catch"], name
        backoffs = [r for r in task["Retry"] if r.get("MaxAttempts", 3) > 0]
        assert backoffs and all(r["JitterStrategy"] == "FULL" and r["MaxDelaySeconds"] > 0 and r["BackoffRate"] > 1
                                for r in backoffs), name
        if task["Resource"] == asl.LAMBDA_INVOKE:
            (lambda_retry,) = task["Retry"]
            assert set(lambda_retry["ErrorEquals"]) == LAMBDA_TRANSIENT, name
            assert lambda_retry["IntervalSeconds"] >= 1 and lambda_retry["MaxAttempts"] >= 3


def test_calls_time_out_after_the_function_plus_a_margin_and_pass_identifiers_only(onboarding, accounts):
    _, definition = onboarding
    timeouts = {fn.key: fn.timeout for fn in accounts.functions}
    check = definition["States"]["check-kyc"]
    assert check["TimeoutSeconds"] == timeouts["check-kyc"] + 5 == 25
    assert check["Parameters"] == {"FunctionName": "${CheckKycArn}",
                                   "Payload": {"ids.$": "$.ids", "execution.$": "$$.Execution.Name", "step": "check-kyc"}}
    assert check["ResultSelector"] == {"result.$": "$.Payload"} and check["ResultPath"] == "$.steps.check_kyc"


def test_every_call_and_pause_catches_everything_into_the_compensation_chain(onboarding):
    _, definition = onboarding
    head = definition["States"]["check-kyc"]["Catch"][0]["Next"]
    assert head == "open-account completed"  # the newest compensable step is undone first
    for name in ("check-kyc", "compliance-review", "open-account", "reject-application", "Acquire slot"):
        catch_all = definition["States"][name]["Catch"][-1]
        assert catch_all == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": head}, name


def test_pause_sends_the_token_and_ids_waits_with_heartbeat_and_stores_the_decision(onboarding):
    _, definition = onboarding
    pause = definition["States"]["compliance-review"]
    assert pause["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert pause["Parameters"]["QueueUrl"] == "${ComplianceReviewQueueUrl}"
    assert pause["Parameters"]["MessageBody"] == {"task_token.$": "$$.Task.Token", "execution.$": "$$.Execution.Id",
                                                  "step": "compliance-review", "ids.$": "$.ids"}
    assert pause["TimeoutSeconds"] == 3 * 86400 and pause["HeartbeatSeconds"] == 86400
    assert pause["HeartbeatSeconds"] < pause["TimeoutSeconds"]
    assert pause["ResultPath"] == "$.review"
    # only sending is retried: a rejection (SendTaskFailure) or a timeout must not resend the review
    assert {e for r in pause["Retry"] for e in r["ErrorEquals"]} == {"SQS.SdkClientException", "SQS.AmazonSQSException"}


def test_choose_branches_on_the_field_and_fails_through_compensation_when_nothing_matches(onboarding):
    _, definition = onboarding
    choice = definition["States"]["decision"]
    assert [c.get("StringEquals") for c in choice["Choices"][1:]] == ["approved", "rejected"]
    assert all(c.get("Variable", "$.review.decision") == "$.review.decision" for c in choice["Choices"][1:])
    no_branch = definition["States"][choice["Default"]]
    assert no_branch["Result"]["Error"] == "NoBranchMatched" and no_branch["Next"] == "open-account completed"
    # both branches continue after the choose: here, the end of the workflow
    assert definition["States"]["open-account"]["Next"] == definition["States"]["reject-application"]["Next"]


def test_every_path_that_acquires_the_semaphore_releases_it(onboarding):
    _, definition = onboarding
    paths = list(_paths(definition))
    assert len(paths) > 10
    releases = {asl.RELEASE, asl.RELEASE_AFTER_FAILURE}
    acquiring = [p for p in paths if asl.ACQUIRE in p]
    assert acquiring
    for path in acquiring:
        assert releases & set(path), " -> ".join(path)
        last_release = max(i for i, s in enumerate(path) if s in releases)
        assert all(definition["States"][s]["Type"] != "Task" for s in path[last_release + 1:]), path
    # and the only paths without a release never acquired: invalid input
    assert {p[-1] for p in paths if asl.ACQUIRE not in p} == {asl.INVALID_INPUT}


def test_logging_never_includes_execution_data(accounts):
    from generator.render import render_service

    resources = render_service(accounts).template.to_dict()["Resources"]
    machines = [r for r in resources.values() if r["Type"] == "AWS::StepFunctions::StateMachine"]
    assert len(machines) == 2  # the workflow and the semaphore cleanup
    for machine in machines:
        logging = machine["Properties"]["LoggingConfiguration"]
        assert logging["IncludeExecutionData"] is False and logging["Level"] == "ERROR"
        assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}


# --- behaviour, in the interpreter -----------------------------------------------------------

def _script(outcomes: dict[str, object], log: list):
    """A task callback: `outcomes[state]` is an error name to fail with, or a result."""
    def task(name, state, params):
        log.append((name, params.get("Payload", {}).get("step")))
        outcome = outcomes.get(name, {})
        if isinstance(outcome, str):
            raise TaskFailed(outcome)
        return {"Payload": outcome} if state["Resource"] == asl.LAMBDA_INVOKE else outcome
    return task


def _run(definition, outcomes, execution_input=None):
    log: list = []
    result = run(definition, execution_input or {"ids": {"application_id": "a-1"}}, _script(outcomes, log),
                 context={"Execution": {"Id": "arn:exec:1", "Name": "1"}, "StateMachine": {"Id": "arn:sm"}})
    return result, [name for name, _ in log]


def test_approved_onboarding_runs_kyc_review_open_and_releases(onboarding):
    _, definition = onboarding
    result, tasks = _run(definition, {"compliance-review": {"decision": "approved"}, "check-kyc": {"risk": "low"}},
                         {"version": "0", "source": "acme.onboarding", "detail": {"application_id": "a-1"}})
    assert result.status == "SUCCEEDED"
    assert tasks == ["Acquire slot", "check-kyc", "compliance-review", "open-account", "Release slot"]
    assert result.output["ids"] == {"application_id": "a-1"}  # the envelope is not carried along
    assert result.output["steps"]["check_kyc"] == {"result": {"risk": "low"}}


def test_a_failing_step_is_not_undone_but_the_completed_ones_are(onboarding):
    _, definition = onboarding
    result, tasks = _run(definition, {"compliance-review": {"decision": "approved"}, "open-account": "Lambda.Unknown"})
    assert result.status == "FAILED" and result.error == "Lambda.Unknown"
    assert tasks[-2:] == ["undo check-kyc", "Release slot after failure"]
    assert "undo open-account" not in tasks  # it did not complete


def test_rejection_by_the_reviewer_compensates_and_a_failing_undo_does_not_stop_the_rest():
    svc = resolved(SAGA)
    wf = svc.workflows[0]
    definition = asl.definition(wf, {fn.key: fn.timeout for fn in svc.functions})
    result, tasks = _run(definition, {"quote": {"kind": "charge-first"}, "approval": "Review.Rejected",
                                      "undo reserve": "Lambda.Unknown"})
    assert result.status == "FAILED" and result.error == "Review.Rejected"
    assert [t for t in tasks if t.startswith("undo")] == ["undo charge", "undo reserve", "undo quote"]
    assert list(result.output["undo_errors"]) == ["reserve"]
    assert sorted(result.output["undone"]) == ["charge", "quote"]


def test_no_matching_branch_fails_with_no_branch_matched_after_compensating(onboarding):
    _, definition = onboarding
    result, tasks = _run(definition, {"compliance-review": {"decision": "maybe"}})
    assert result.status == "FAILED" and result.error == "NoBranchMatched"
    assert tasks[-2:] == ["undo check-kyc", "Release slot after failure"]
    result, _ = _run(definition, {"compliance-review": {}})  # no decision at all: same, not a runtime error
    assert result.error == "NoBranchMatched"


def test_input_without_ids_fails_before_taking_a_slot(onboarding):
    _, definition = onboarding
    result, tasks = _run(definition, {}, {"something": "else"})
    assert result.status == "FAILED" and result.error == "InvalidInput" and tasks == []


SAGA = """
service: trips
owner: team-trips
description: test
functions:
  quote: {}
  reserve: {timeout: 30}
  charge: {}
  confirm: {}
  unquote: {}
  unreserve: {}
  refund: {}
  reviewer: {}
workflows:
  book:
    steps:
      - call: quote
        compensate: unquote
      - call: reserve
        compensate: unreserve
        timeout: 40
      - choose: route
        field: steps.quote.result.kind
        when:
          charge-first:
            - call: charge
              compensate: refund
        otherwise:
          - call: charge
      - pause: approval
        timeout: 2h
        reviewer: reviewer
      - call: confirm
"""


def test_a_function_called_twice_gets_distinct_states_and_the_spec_timeout_wins():
    svc = resolved(SAGA)
    definition = asl.definition(svc.workflows[0], {fn.key: fn.timeout for fn in svc.functions})
    states = definition["States"]
    assert {"charge", "charge 2"} <= set(states) and states["charge 2"]["ResultPath"] == "$.steps.charge_2"
    assert states["reserve"]["TimeoutSeconds"] == 40
    assert asl.ACQUIRE not in states and states["confirm"]["Next"] == asl.SUCCEEDED  # no semaphore asked for
    assert states["approval"]["HeartbeatSeconds"] == 3600  # default: half of a 2 h pause
    assert states["route"]["Default"] == "charge 2"
    assert asl.functions_called(svc.workflows[0].steps) == {"quote", "reserve", "charge", "confirm", "unquote",
                                                            "unreserve", "refund"}


def test_cleanup_definition_releases_the_ended_executions_slot_only():
    definition = asl.cleanup_definition()
    (release,) = _tasks(definition).values()
    params = release["Parameters"]
    assert params["ExpressionAttributeNames"]["#owner.$"] == "$.detail.executionArn"
    assert params["Key"] == {"lock": {"S.$": "$.detail.stateMachineArn"}}
    assert params["ConditionExpression"] == "attribute_exists(#owner)"
    assert definition["TimeoutSeconds"] <= 300  # EXPRESS executions run at most 5 minutes


def test_definitions_are_deterministic(accounts, onboarding):
    wf, definition = onboarding
    again = asl.definition(wf, {fn.key: fn.timeout for fn in accounts.functions})
    assert again == definition and list(again["States"]) == list(definition["States"])
