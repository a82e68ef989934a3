"""Amazon States Language for a workflow, from its declarative steps: pure functions over resolved
values, returning plain dicts. Nobody writes ASL by hand; every state machine comes out of here.

The shape of every definition:

    Read input ─▶ Ids from event / Ids from request ─▶ [Acquire slot] ─▶ steps… ─▶ [Release slot] ─▶ Succeeded
                  (anything else: InvalidInput)          │ full: retry, then "Slot already held"
    any failure after the start ─▶ compensation chain (undo completed calls, newest first)
                                  ─▶ [Release slot after failure] ─▶ Failed

Function ARNs, review queue URLs and the semaphore table are `${Placeholder}`s that the state
machine's DefinitionSubstitutions fill in: the definition stays a plain object that cfn-lint
validates against the ASL schema (E3601), and CloudFormation resolves the references.

The workflow's state is small on purpose: `ids` (identifiers only), each call's result under
`steps.<step>`, a pause's decision under `review`, the first failure under `error`.
"""

from __future__ import annotations

from generator.concerns.workflow import defaults

# The building blocks, re-exported: callers and tests use them through this module.
from generator.concerns.workflow.asl_blocks import (  # noqa: F401
    ACQUIRE,
    ALREADY_HELD,
    CLEANUP_RELEASE,
    DYNAMODB_UPDATE,
    FAILED,
    LOCK_KEY,
    RELEASE,
    RELEASE_AFTER_FAILURE,
    RELEASE_FAILED,
    SLOT,
    SUCCEEDED,
    TABLE,
    cleanup_definition,
    placeholder,
    release_parameters,
    release_state,
    retry,
    semaphore_states,
    transient_retry,
)
from generator.naming import logical
from generator.concerns.workflow.spec import CallStep, ChooseStep, PauseStep

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
SQS_SEND_AND_WAIT = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"

READ_INPUT, FROM_EVENT, FROM_REQUEST, INVALID_INPUT = "Read input", "Ids from event", "Ids from request", "InvalidInput"
NO_BRANCH = "NoBranchMatched"

SQS_ERRORS = ("SQS.SdkClientException", "SQS.AmazonSQSException")


def function_placeholder(function: str) -> str:
    return logical(function, "arn")


def queue_placeholder(pause: str) -> str:
    return logical(pause, "queue-url")


def step_key(state: str) -> str:
    """`check-kyc 2` -> `check_kyc_2`: a key that plain JSONPath (`$.steps.<key>`) can address."""
    return state.replace("-", "_").replace(" ", "_")


def definition(wf, function_timeouts: dict[str, int]) -> dict:
    """The state machine of resolved workflow `wf`; `function_timeouts` holds each function's timeout."""
    return _Builder(wf, function_timeouts).build()


def substitutions(wf) -> dict[str, tuple[str, str]]:
    """Placeholder -> ("function", key) | ("queue", pause step) | ("table", ""), for the renderer."""
    found: dict[str, tuple[str, str]] = {}
    for fn in sorted(functions_called(wf.steps)):
        found[function_placeholder(fn)] = ("function", fn)
    for pause in wf.pauses:
        found[queue_placeholder(pause.step)] = ("queue", pause.step)
    if wf.max_concurrent:
        found[TABLE] = ("table", "")
    return found


def functions_called(steps) -> set[str]:
    """Every function a workflow invokes: its calls and their compensations."""
    found: set[str] = set()
    for step in steps:
        if isinstance(step, CallStep):
            found |= {step.call} | ({step.compensate} if step.compensate else set())
        elif isinstance(step, ChooseStep):
            for branch in [*step.when.values(), step.otherwise or []]:
                found |= functions_called(branch)
    return found


class _Builder:
    """Names every state first (document order), then emits the states front to back."""

    def __init__(self, wf, function_timeouts: dict[str, int]):
        self.wf = wf
        self.timeouts = function_timeouts
        self.pauses = {p.step: p for p in wf.pauses}
        self.states: dict[str, dict] = {}
        self.names: dict[tuple, str] = {}  # step path -> state name
        self.compensable: list[tuple[str, str]] = []  # (state name, compensate fn), document order
        self._plan(wf.steps, ())
        self.compensation = self._compensation_chain()

    def build(self) -> dict:
        first = self.names[(0,)]
        end = RELEASE if self.wf.max_concurrent else SUCCEEDED
        self._input(ACQUIRE if self.wf.max_concurrent else first)
        if self.wf.max_concurrent:
            self.states.update(semaphore_states(self.wf.max_concurrent, first, self._to_compensation()))
        self._steps(self.wf.steps, (), end)
        self.states[SUCCEEDED] = {"Type": "Succeed"}
        self.states[FAILED] = {
            "Type": "Fail",
            # The first failure's error name (e.g. States.Timeout, NoBranchMatched); its cause
            # stays in the execution history only, it may quote data.
            "ErrorPath": "$.error.Error",
            "Cause": "a step failed; completed steps were compensated (see the execution history)",
        }
        return {"Comment": self.wf.description, "StartAt": READ_INPUT,
                "TimeoutSeconds": self.wf.timeout_seconds, "States": self.states}

    # --- naming -------------------------------------------------------------------------------

    def _plan(self, steps, path: tuple) -> None:
        for i, step in enumerate(steps):
            here = path + (i,)
            base = step.call if isinstance(step, CallStep) else step.pause if isinstance(step, PauseStep) else step.choose
            name, n = base, 1
            while name in self.names.values():  # the same function called twice
                n += 1
                name = f"{base} {n}"
            self.names[here] = name
            if isinstance(step, CallStep) and step.compensate:
                self.compensable.append((name, step.compensate))
            if isinstance(step, ChooseStep):
                for value, branch in step.when.items():
                    self._plan(branch, here + ("when", value))
                self._plan(step.otherwise or [], here + ("otherwise",))

    def _first(self, steps, path: tuple, continuation: str) -> str:
        return self.names[path + (0,)] if steps else continuation

    # --- states -------------------------------------------------------------------------------

    def _input(self, next_state: str) -> None:
        """Event starts (the EventBridge envelope, through the start queue) carry the ids in
        `detail`; direct starts (StartExecution by a function) send `{"ids": {...}}`."""
        self.states[READ_INPUT] = {
            "Type": "Choice",
            "Choices": [{"Variable": "$.detail", "IsPresent": True, "Next": FROM_EVENT},
                        {"Variable": "$.ids", "IsPresent": True, "Next": FROM_REQUEST}],
            "Default": INVALID_INPUT,
        }
        self.states[FROM_EVENT] = {"Type": "Pass", "Parameters": {"ids.$": "$.detail"}, "Next": next_state}
        self.states[FROM_REQUEST] = {"Type": "Pass", "Parameters": {"ids.$": "$.ids"}, "Next": next_state}
        self.states[INVALID_INPUT] = {"Type": "Fail", "Error": INVALID_INPUT,
                                      "Cause": 'expected an EventBridge event or {"ids": {...}}'}

    def _steps(self, steps, path: tuple, continuation: str) -> None:
        for i, step in enumerate(steps):
            here = path + (i,)
            next_state = self.names[path + (i + 1,)] if i + 1 < len(steps) else continuation
            if isinstance(step, CallStep):
                self._call(self.names[here], step, next_state)
            elif isinstance(step, PauseStep):
                self._pause(self.names[here], step, next_state)
            else:
                self._choose(self.names[here], step, here, next_state)

    def _invoke(self, function: str, step: str, timeout: int) -> dict:
        """Identifiers only: the ids, the execution's name (an idempotency key) and the step."""
        return {
            "Type": "Task",
            "Resource": LAMBDA_INVOKE,
            "Parameters": {"FunctionName": placeholder(function_placeholder(function)),
                           "Payload": {"ids.$": "$.ids", "execution.$": "$$.Execution.Name", "step": step}},
            "TimeoutSeconds": timeout,
            "Retry": [transient_retry(defaults.WORKFLOW_LAMBDA_RETRY_ERRORS)],
        }

    def _task_timeout(self, function: str) -> int:
        return self.timeouts[function] + defaults.WORKFLOW_TASK_TIMEOUT_MARGIN_SECONDS

    def _call(self, name: str, step: CallStep, next_state: str) -> None:
        self.states[name] = {
            **self._invoke(step.call, name, step.timeout or self._task_timeout(step.call)),
            # The result, for later steps and choices to read; not the invoke's HTTP metadata.
            "ResultSelector": {"result.$": "$.Payload"},
            "ResultPath": f"$.steps.{step_key(name)}",
            "Catch": [self._to_compensation()],
            "Next": next_state,
        }

    def _pause(self, name: str, step: PauseStep, next_state: str) -> None:
        """The task token goes to the review queue; the reviewer's SendTaskSuccess output (the
        decision) lands in `$.review`, SendTaskFailure or a timeout goes to compensation."""
        pause = self.pauses[step.pause]
        self.states[name] = {
            "Type": "Task",
            "Resource": SQS_SEND_AND_WAIT,
            "Parameters": {
                "QueueUrl": placeholder(queue_placeholder(step.pause)),
                "MessageBody": {"task_token.$": "$$.Task.Token", "execution.$": "$$.Execution.Id",
                                "step": step.pause, "ids.$": "$.ids"},
            },
            "TimeoutSeconds": pause.timeout_seconds,
            "HeartbeatSeconds": pause.heartbeat_seconds,
            "ResultPath": "$.review",
            # Only sending the message is retried: a decision or a timeout is final.
            "Retry": [transient_retry(SQS_ERRORS)],
            "Catch": [self._to_compensation()],
            "Next": next_state,
        }

    def _choose(self, name: str, step: ChooseStep, path: tuple, next_state: str) -> None:
        variable = f"$.{step.field}"
        if step.otherwise is not None:  # `otherwise: []` continues after the choose
            default = self._first(step.otherwise, path + ("otherwise",), next_state)
        else:
            # No branch: fail, but only after compensating and releasing the slot like any failure.
            default = f"{name} {NO_BRANCH}"
            self.states[default] = {
                "Type": "Pass",
                "Result": {"Error": NO_BRANCH, "Cause": f"no branch of {step.choose!r} matches {variable}"},
                "ResultPath": "$.error",
                "Next": self.compensation,
            }
        choices = [{"Not": {"Variable": variable, "IsPresent": True}, "Next": default}]  # absent: not a runtime error
        for value, branch in step.when.items():
            choices.append({"Variable": variable, "StringEquals": value,
                            "Next": self._first(branch, path + ("when", value), next_state)})
            self._steps(branch, path + ("when", value), next_state)
        self._steps(step.otherwise or [], path + ("otherwise",), next_state)
        self.states[name] = {"Type": "Choice", "Choices": choices, "Default": default}

    # --- failure: compensation, then the slot, then Fail --------------------------------------

    def _to_compensation(self) -> dict:
        return {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": self.compensation}

    def _compensation_chain(self) -> str:
        """Undo every completed compensable call, newest first. Document order is execution order
        on every path (branches of a choice exclude each other), so one chain serves all paths:
        each undo is guarded by "did this step complete?" (its result is in `$.steps`)."""
        if self.wf.max_concurrent:
            tail = RELEASE_AFTER_FAILURE
            # A release error must not replace the step's error that the execution fails with.
            self.states[tail] = release_state(FAILED, release_parameters("$$.StateMachine.Id", "$$.Execution.Id"),
                                              FAILED, SLOT)
        else:
            tail = FAILED
        for name, compensate in self.compensable:  # oldest first: each guard continues to the older ones
            guard, undo = f"{name} completed", f"undo {name}"
            self.states[undo] = {
                **self._invoke(compensate, name, self._task_timeout(compensate)),
                "ResultSelector": {"result.$": "$.Payload"},
                "ResultPath": f"$.undone.{step_key(name)}",
                # A failing undo must not stop the older ones: record it and go on.
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.undo_errors.{step_key(name)}",
                           "Next": tail}],
                "Next": tail,
            }
            self.states[guard] = {"Type": "Choice",
                                  "Choices": [{"Variable": f"$.steps.{step_key(name)}", "IsPresent": True,
                                               "Next": undo}],
                                  "Default": tail}
            tail = guard
        return tail
