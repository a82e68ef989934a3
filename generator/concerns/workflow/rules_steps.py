"""Rules of a workflow's steps: calls, pauses, choices, their timeouts and the definition's size."""

from __future__ import annotations

import difflib
import json

from generator.concerns.workflow import asl as workflow_asl
from generator.concerns.workflow.resolve import WORKFLOW_TIMEOUT_SECONDS, seconds
from generator.rules.base import SpecRule
from generator.concerns.workflow.spec import CallStep, ChooseStep, PauseStep
from generator.concerns.workflow.steps import CHOICE_STATE, DECISIONS, DECISION_FIELD, DEFINITION_MAX_BYTES, FUNCTION_ARN_MAX, PAUSE_WITHIN_RETENTION_SECONDS, QUEUE_URL_MAX, REVIEW_FIELD, REVIEW_RETENTION_DAYS, STANDARD_MAX_SECONDS, STATE_ROOTS, STEP_FUNCTIONS, STEP_FUNCTIONS_QUOTAS, TABLE_NAME_MAX, all_steps, function_timeout, in_seconds, resolved_workflows, steps_before, walk_steps


class StepFunctionsExist(SpecRule):
    id = "SVC1403"
    concern = "workflow"
    summary = "a step's `call`, `compensate` and `reviewer` name functions of this service"
    rationale = "each becomes a Lambda ARN in the state machine and a grant: a missing function cannot be invoked"
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html"

    def check(self, ctx):
        functions = ctx.spec.functions
        for _, here, step in all_steps(ctx.spec):
            keys = ("call", "compensate") if isinstance(step, CallStep) else \
                ("reviewer",) if isinstance(step, PauseStep) else ()
            for key in keys:
                fn = getattr(step, key)
                if fn is not None and fn not in functions:
                    close = difflib.get_close_matches(fn, list(functions), n=1)
                    hint = (f"did you mean `{close[0]}`? " if close else "") + f"functions: {', '.join(functions)}"
                    yield self.error(ctx.doc, here + (key,), f"must name a function of this service, got {fn!r}", hint)


class StepTimeoutCoversFunction(SpecRule):
    id = "SVC1404"
    concern = "workflow"
    summary = "a call step's timeout is at least its function's own timeout (as rendered, defaults included)"
    rationale = "a shorter task timeout abandons invocations that are still running (and retries them)"
    source = STEP_FUNCTIONS

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if isinstance(step, CallStep) and step.timeout is not None and step.call in ctx.spec.functions:
                limit = function_timeout(ctx, step.call)
                if step.timeout < limit:
                    own = "" if ctx.spec.functions[step.call].timeout else ", its default"
                    yield self.error(ctx.doc, here + ("timeout",),
                                     f"must be ≥ the function's own timeout ({limit} s{own}), got {step.timeout}",
                                     "a shorter task timeout abandons invocations that are still running")


class StepNamesUnique(SpecRule):
    id = "SVC1405"
    concern = "workflow"
    summary = "pause and choose step names are unique within a workflow"
    rationale = "they become state names, which Step Functions requires to be unique in a state machine"
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html"

    def check(self, ctx):
        for wf_name in ctx.spec.workflows:
            names: dict[str, tuple] = {}
            for owner, here, step in all_steps(ctx.spec):
                if owner != wf_name or isinstance(step, CallStep):
                    continue
                step_name = step.pause if isinstance(step, PauseStep) else step.choose
                if step_name in names:
                    yield self.error(ctx.doc, here, f"step names must be unique in a workflow, got {step_name!r} twice")
                names.setdefault(step_name, here)


class HeartbeatBelowTimeout(SpecRule):
    id = "SVC1406"
    concern = "workflow"
    summary = "a pause's heartbeat (explicit or its default) is shorter than its timeout, both compared in seconds"
    rationale = ("Step Functions requires HeartbeatSeconds < TimeoutSeconds (both positive integers) and refuses "
                 "the definition otherwise; `heartbeat: 60` and `timeout: 1m` are equal, and a 1-second pause "
                 "gets a 1-second default heartbeat")
    source = STEP_FUNCTIONS

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if not isinstance(step, PauseStep):
                continue
            timeout = seconds(step.timeout)
            if step.heartbeat is not None and seconds(step.heartbeat) >= timeout:
                yield self.error(ctx.doc, here + ("heartbeat",), f"must be shorter than the pause's timeout "
                                 f"({in_seconds(step.timeout)}), got {in_seconds(step.heartbeat)}",
                                 "Step Functions requires HeartbeatSeconds < TimeoutSeconds")
            elif step.heartbeat is None and timeout < 2:
                yield self.error(ctx.doc, here + ("timeout",), f"must be at least 2 s, so that the default heartbeat "
                                 f"(half the timeout, at least 1 s) is shorter, got {in_seconds(step.timeout)}",
                                 "Step Functions requires HeartbeatSeconds < TimeoutSeconds")


class WorkflowTimeoutWithinYear(SpecRule):
    id = "SVC1410"
    concern = "workflow"
    summary = "a workflow's timeout is at most one year (365 days), the longest a Standard execution runs"
    rationale = ("Step Functions ends every Standard execution after one year (States.Timeout, no compensation): "
                 "a longer timeout promises a wait that never happens")
    source = STEP_FUNCTIONS_QUOTAS

    def check(self, ctx):
        for name, wf in ctx.spec.workflows.items():
            if wf.timeout is not None and seconds(wf.timeout) > STANDARD_MAX_SECONDS:
                yield self.error(ctx.doc, ("workflows", name, "timeout"),
                                 f"must be at most one year (365d, {STANDARD_MAX_SECONDS} s), got "
                                 f"{in_seconds(wf.timeout)}",
                                 "a Standard execution runs at most one year; split a longer process into workflows "
                                 "that start each other")


class PauseShorterThanWorkflow(SpecRule):
    id = "SVC1411"
    concern = "workflow"
    summary = "a pause's timeout is shorter than its workflow's timeout (explicit, or the 7-day default)"
    rationale = ("the execution's own timeout ends it first, and an execution that times out runs no Catch: the "
                 "pause's timeout never fires and completed steps are never compensated")
    source = STEP_FUNCTIONS_QUOTAS

    def check(self, ctx):
        for wf_name, here, step in all_steps(ctx.spec):
            if not isinstance(step, PauseStep):
                continue
            wf = ctx.spec.workflows[wf_name]
            limit = seconds(wf.timeout) if wf.timeout is not None else WORKFLOW_TIMEOUT_SECONDS
            if seconds(step.timeout) >= limit:
                whose = in_seconds(wf.timeout) if wf.timeout is not None else f"7d = {limit} s, the default"
                yield self.error(ctx.doc, here + ("timeout",),
                                 f"must be shorter than the workflow's timeout ({whose}), got "
                                 f"{in_seconds(step.timeout)}",
                                 f"raise `workflows.{wf_name}.timeout` or shorten the pause: a timed-out execution "
                                 "is not compensated")


class PauseWithinReviewRetention(SpecRule):
    id = "SVC1412"
    concern = "workflow"
    severity = "warning"
    summary = f"a pause lasts at most {REVIEW_RETENTION_DAYS - 1} days, so its review message outlives it"
    rationale = ("the task token travels only in the review message, and SQS keeps a message at most 14 days "
                 f"(the review queue {REVIEW_RETENTION_DAYS}, below its DLQ): a review nobody took by then is gone "
                 "while the execution still waits. A warning, not an error: AWS accepts it, and reviewer tooling "
                 "that keeps the token once it receives the message (the heartbeat makes it receive within "
                 "`heartbeat`) still decides in time; a review the tooling lost fails the pause at its next missed "
                 "heartbeat, compensated and alarmed, not silently")
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html"

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if isinstance(step, PauseStep) and seconds(step.timeout) > PAUSE_WITHIN_RETENTION_SECONDS:
                yield self.error(ctx.doc, here + ("timeout",),
                                 f"outlives its review message: the review queue keeps messages at most "
                                 f"{REVIEW_RETENTION_DAYS} days (SQS: 14), got {in_seconds(step.timeout)}",
                                 f"keep pauses within {REVIEW_RETENTION_DAYS - 1}d, or have the reviewer store the "
                                 "task token when it receives the message")


class ReviewDecisionValues(SpecRule):
    id = "SVC1413"
    concern = "workflow"
    summary = f"a `choose` on `{DECISION_FIELD}` branches on decisions a reviewer can send: {', '.join(DECISIONS)}"
    rationale = ("a pause's decision is what the generated approve()/reject() send (SendTaskSuccess with "
                 "`decision` approved or rejected), put in `review`; Choice compares with StringEquals, so any "
                 "other `when` value silently never matches")
    source = CHOICE_STATE

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if not isinstance(step, ChooseStep) or step.field != DECISION_FIELD:
                continue
            for value in step.when:
                if value not in DECISIONS:
                    close = difflib.get_close_matches(value, DECISIONS, n=1, cutoff=0.5)
                    hint = f"did you mean `{close[0]}`? " if close else ""
                    yield self.error(ctx.doc, here + ("when", value),
                                     f"must be a decision a reviewer can send ({', '.join(DECISIONS)}), got {value!r}",
                                     hint + "approve() sends `approved`, reject() sends `rejected`")


class ChooseFieldIsSet(SpecRule):
    id = "SVC1414"
    concern = "workflow"
    summary = ("a `choose` reads a field the workflow's state can hold there: `ids.<id>`, "
               "`steps.<call>.result…` of a call that may have run before it, `review.…` after a pause")
    rationale = ("the state holds only the ids, each completed call's result and the last pause's decision; an "
                 "absent field takes the Choice's default, so a `choose` on anything else silently never matches")
    source = "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html"

    def check(self, ctx):
        for wf_name, wf in ctx.spec.workflows.items():
            base = ("workflows", wf_name, "steps")
            for here, step, calls, paused in steps_before(wf.steps):
                if isinstance(step, ChooseStep):
                    problem = self._problem(step.field, calls, paused)
                    if problem:
                        message, hint = problem
                        yield self.error(ctx.doc, base + here + ("field",), message, hint)

    @staticmethod
    def _problem(field: str, calls: frozenset, paused: bool):
        parts = field.split(".")
        root = parts[0]
        if root not in STATE_ROOTS:
            close = difflib.get_close_matches(field, [DECISION_FIELD], n=1, cutoff=0.6) or \
                difflib.get_close_matches(root, STATE_ROOTS, n=1)
            hint = f"did you mean `{close[0]}`?" if close else \
                "a pause's decision is `review.decision`, a call's result `steps.<call>.result`"
            return (f"must be a field of the workflow's state (`ids.…`, `steps.<call>.result…`, `review.…`), "
                    f"got {field!r}", hint)
        if len(parts) == 1:
            return (f"must name a value inside `{root}`, got {field!r}, an object that never equals a string",
                    "e.g. `review.decision`, `steps.check_kyc.result.risk`, `ids.application_id`")
        if root == REVIEW_FIELD and not paused:
            return (f"must be set by a pause before this step, got {field!r} with no pause before it",
                    "`review` holds the decision of the last pause; put the `choose` after the pause")
        if root == "steps":
            key = parts[1]
            if key not in calls:
                known = ", ".join(sorted(calls)) or "none"
                return (f"must name a call that may have run before this step, got {field!r}",
                        f"calls before it: {known} (a call's key is its state name with `_` for `-` and spaces)")
            if len(parts) == 2 or parts[2] != "result":
                return (f"must read the call's result, `steps.{key}.result…`, got {field!r}",
                        f"a call's output is under `steps.{key}.result`")
        return None


class DefinitionWithinLimit(SpecRule):
    id = "SVC1415"
    concern = "workflow"
    summary = f"a workflow's generated definition stays within Step Functions' {DEFINITION_MAX_BYTES} characters"
    rationale = ("CreateStateMachine refuses a definition over 1 MB (a hard quota), so the stack fails at deploy; "
                 "each call takes about a kilobyte (task, retry, catch, and its compensation), so some hundreds "
                 "of steps reach it. Judged on the generated ASL with every ARN at its longest")
    source = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"

    def check(self, ctx):
        runnable = [key for key, wf in ctx.spec.workflows.items()
                    if workflow_asl.functions_called(wf.steps) <= set(ctx.spec.functions)]  # else SVC1403
        if not runnable:
            return
        resolved = resolved_workflows(ctx)
        timeouts = {name: function_timeout(ctx, name) for name in ctx.spec.functions}
        for key in runnable:
            size = definition_size(resolved[key], timeouts)
            if size > DEFINITION_MAX_BYTES:
                steps = sum(1 for _ in walk_steps((), ctx.spec.workflows[key].steps))
                yield self.error(ctx.doc, ("workflows", key, "steps"),
                                 f"the generated state machine must be at most {DEFINITION_MAX_BYTES} characters, got "
                                 f"about {size} for {steps} steps",
                                 "split the workflow: a call's function can start the next part (`starts:`)")


def definition_size(wf, timeouts: dict[str, int]) -> int:
    """Characters of the definition as Step Functions receives it: compact JSON, each
    `${Placeholder}` replaced by the longest value it can stand for."""
    text = json.dumps(workflow_asl.definition(wf, timeouts), separators=(",", ":"), ensure_ascii=False)
    longest = {"function": FUNCTION_ARN_MAX, "queue": QUEUE_URL_MAX, "table": TABLE_NAME_MAX}
    size = len(text)
    for placeholder, (kind, _) in workflow_asl.substitutions(wf).items():
        size += text.count("${" + placeholder + "}") * (longest[kind] - len(placeholder) - 3)
    return size
