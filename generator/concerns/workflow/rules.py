"""Rules of workflows: steps, pauses, event starts and the workflows functions start.

Durations are judged in seconds as the state machine gets them (`60` and `1m` are the same
pause), and a pause's heartbeat as it is rendered (explicit, or the default that
concerns/workflow/resolve.py derives from the timeout).
"""

from __future__ import annotations

import difflib
import json

from generator.concerns.function import defaults as function_defaults
from generator.concerns.queue import defaults as queue_defaults
from generator.codegen.functions import snake
from generator.concerns.workflow import asl as workflow_asl
from generator.naming import Names, logical
from generator.concerns.workflow.resolve import DAY, WORKFLOW_TIMEOUT_SECONDS, resolve_workflows, seconds
from generator.rules.base import FleetRule, SpecRule
from generator.concerns.workflow.spec import CallStep, ChooseStep, PauseStep
from generator.stages import Stage

STEP_FUNCTIONS = "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html"
STEP_FUNCTIONS_QUOTAS = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"
CHOICE_STATE = "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html"
LOGICAL_IDS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html"
LAMBDA_ENVIRONMENT = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"

# Step Functions quotas: a Standard execution runs at most one year, then ends with States.Timeout.
STANDARD_MAX_SECONDS = 365 * DAY
# CreateStateMachine: `definition` is at most 1,048,576 characters (quota: 1 MB, hard).
DEFINITION_MAX_BYTES = 1_048_576
# The longest value a DefinitionSubstitutions placeholder can stand for: a Lambda ARN
# (`arn:aws-us-gov:lambda:<region>:<account>:function:` + a 64-character name), a queue URL
# (`https://sqs.<region>.amazonaws.com/<account>/` + an 80-character name), a table name.
LONGEST_REGION = 14  # ap-southeast-4
FUNCTION_ARN_MAX = len("arn:aws-us-gov:lambda:") + LONGEST_REGION + len(":123456789012:function:") + 64
QUEUE_URL_MAX = len("https://sqs.") + LONGEST_REGION + len(".amazonaws.com/123456789012/") + 80
TABLE_NAME_MAX = 255
# A pause's review message is the only delivery of its task token. SQS keeps a message at most
# 14 days; the review queue keeps it at most 13, below its DLQ (resolve_workflows._pause), and a
# day longer than the pause: so a pause of more than 12 days outlives its message.
REVIEW_RETENTION_DAYS = queue_defaults.DLQ_RETENTION_DAYS - 1
PAUSE_WITHIN_RETENTION_SECONDS = (REVIEW_RETENTION_DAYS - 1) * DAY
# What a pause's decision can be: runtime/workflows.py's approve() and reject() send
# `{"decision": "approved" | "rejected", ...}` (SendTaskSuccess), which the pause puts in `review`
# (workflow_asl.py: ResultPath `$.review`). tests/rules/test_workflow_rules.py pins both to the runtime.
REVIEW_FIELD = "review"
DECISION_FIELD = "review.decision"
DECISIONS = ("approved", "rejected")
# The workflow's state at a `choose` (workflow_asl.py): `ids`, each completed call's result under
# `steps.<state key>.result`, the last pause's decision under `review`. Nothing else is a string
# there (`error`, `undone`, `undo_errors` only exist on the failure path, `slot` is a boolean).
STATE_ROOTS = ("ids", "steps", REVIEW_FIELD)


def walk_steps(path: tuple, steps):
    """Every step of a workflow with its key path, branches of `choose` included."""
    for i, step in enumerate(steps):
        here = path + (i,)
        yield here, step
        if isinstance(step, ChooseStep):
            for value, branch in step.when.items():
                yield from walk_steps(here + ("when", value), branch)
            if step.otherwise:
                yield from walk_steps(here + ("otherwise",), step.otherwise)


def all_steps(spec):
    for wf_name, wf in spec.workflows.items():
        for path, step in walk_steps(("workflows", wf_name, "steps"), wf.steps):
            yield wf_name, path, step


def step_base(step) -> str:
    return step.call if isinstance(step, CallStep) else step.pause if isinstance(step, PauseStep) else step.choose


def state_names(steps) -> dict[tuple, str]:
    """Step path (below `steps`) -> its state name, exactly as workflow_asl._Builder._plan names
    them: document order, branches depth-first, a repeated name numbered (`check-kyc 2`)."""
    names: dict[tuple, str] = {}
    # Step names have no spaces, so `check 2` can only come from `check`: counting each base's
    # uses gives the same names as the builder's search for a free one.
    uses: dict[str, int] = {}

    def plan(steps, path: tuple) -> None:
        for i, step in enumerate(steps):
            here = path + (i,)
            base = step_base(step)
            uses[base] = uses.get(base, 0) + 1
            names[here] = base if uses[base] == 1 else f"{base} {uses[base]}"
            if isinstance(step, ChooseStep):
                for value, branch in step.when.items():
                    plan(branch, here + ("when", value))
                plan(step.otherwise or [], here + ("otherwise",))

    plan(steps, ())
    return names


def state_key(name: str) -> str:
    """A call's key under `steps` (workflow_asl.step_key): `check-kyc 2` -> `check_kyc_2`."""
    return name.replace("-", "_").replace(" ", "_")


def steps_before(steps):
    """(path below `steps`, step, what may have run before it): the calls' state keys and
    whether a pause may have run, on any path that reaches the step."""
    names = state_names(steps)
    found = []

    def visit(steps, path: tuple, calls: frozenset, paused: bool):
        """Visits `steps`; returns what may have run once they are done."""
        for i, step in enumerate(steps):
            here = path + (i,)
            found.append((here, step, calls, paused))
            if isinstance(step, CallStep):
                calls = calls | {state_key(names[here])}
            elif isinstance(step, PauseStep):
                paused = True
            else:
                branches = [(here + ("when", v), b) for v, b in step.when.items()]
                branches.append((here + ("otherwise",), step.otherwise or []))
                after = [visit(branch, at, calls, paused) for at, branch in branches]
                calls = frozenset().union(*(c for c, _ in after))
                paused = any(p for _, p in after)
        return calls, paused

    visit(steps, (), frozenset(), False)
    return found


def function_timeout(ctx, name: str) -> int:
    """A function's timeout as rendered: its own, else the platform's default, else svcgen's."""
    fn = ctx.spec.functions[name]
    return fn.timeout or ctx.platform.defaults.function.timeout or function_defaults.FUNCTION_TIMEOUT


def resolved_workflows(ctx) -> dict:
    """The spec's workflows resolved as they are rendered (durations in seconds, pause
    heartbeats with their defaults). `started_by` is left out: it does not change the state
    machine, and its own mistakes belong to other rules."""
    spec = ctx.spec.model_copy(update={"workflows": {
        key: wf.model_copy(update={"started_by": []}) for key, wf in ctx.spec.workflows.items()}})
    names = Names(ctx.platform.org, "dev", ctx.spec.service)
    return {wf.key: wf for wf in resolve_workflows(names, ctx.platform, Stage("dev", True, "dev"), spec)}


def in_seconds(duration) -> str:
    """`60` -> `60 s`; `1m` -> `1m = 60 s`: both forms, so equal values in other units show."""
    return f"{duration} s" if isinstance(duration, int) else f"{duration} = {seconds(duration)} s"


class OwnWorkflowExists(SpecRule):
    id = "SVC1401"
    concern = "workflow"
    summary = "`starts: name` (or `starts: <this service>.name`) names a workflow of this service"
    rationale = "the grant and the environment variable name the state machine; a missing one cannot be started"
    source = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html"

    def check(self, ctx):
        for name, fn in ctx.spec.functions.items():
            for i, ref in enumerate(fn.starts):
                owner, _, workflow = ref.rpartition(".")
                if owner in ("", ctx.spec.service) and workflow not in ctx.spec.workflows:
                    close = difflib.get_close_matches(workflow, list(ctx.spec.workflows), n=1)
                    known = ", ".join(ctx.spec.workflows) or "none"
                    hint = f"did you mean `{close[0]}`? " if close else ""
                    hint += f"{ctx.spec.service} has workflows: {known}"
                    if not owner:
                        hint += "; another service's as `service.name`"
                    yield self.error(ctx.doc, ("functions", name, "starts", i),
                                     f"must name a workflow of this service, got {ref!r}", hint)


class StartedByBusEvents(SpecRule):
    id = "SVC1402"
    concern = "workflow"
    summary = "a workflow is started by milestones on the bus, not by store events"
    rationale = "starts go through an EventBridge rule and a Pipe; a store event never reaches them"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes.html"

    def check(self, ctx):
        for site in ctx.subscriptions():
            if site.owner_kind == "workflow" and site.sub.store is not None:
                yield self.error(ctx.doc, site.path + ("store",),
                                 "a workflow is started by milestones on the bus, got a store event",
                                 "use `event:` + `from:`; or let a function subscribe to the store and `starts:` it")


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


class StartedWorkflowNamesIds(SpecRule):
    id = "SVC1407"
    concern = "workflow"
    summary = "a workflow started by events names the identifier fields (`ids`) it takes from them"
    rationale = "only declared ids are copied into the execution, so personal data never enters execution history"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html"

    def check(self, ctx):
        for name, wf in ctx.spec.workflows.items():
            if wf.started_by and not wf.ids:
                yield self.error(ctx.doc, ("workflows", name, "started_by"),
                                 "a workflow started by events must name the identifier fields it takes from them, "
                                 "got no `ids`", "add `ids: [application_id]`")


class IdsAreSafeStrings(SpecRule):
    id = "SVC1408"
    concern = "workflow"
    summary = "each workflow id is a required, non-sensitive string field of every starting event"
    rationale = "a missing id starts a broken execution; a sensitive one leaks into execution history"
    source = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html"

    def check(self, ctx):
        for name, wf in ctx.spec.workflows.items():
            for i, field_name in enumerate(wf.ids):
                for sub in wf.started_by:
                    contract = ctx.fleet.contract(sub.from_, sub.event)
                    if contract is None:
                        continue
                    field = contract.fields.get(field_name)
                    if field is None or not field.required or field.sensitive or field.type != "string":
                        yield self.error(ctx.doc, ("workflows", name, "ids", i),
                                         f"must be a required, non-sensitive string field of {sub.event}, got "
                                         f"{field_name!r}", f"{sub.event} fields: {', '.join(contract.fields)}")


class StartedWorkflowsDistinct(SpecRule):
    id = "SVC1409"
    concern = "workflow"
    summary = "the workflows one service starts have distinct names"
    rationale = "each started workflow's ARN is passed as WORKFLOW_<NAME>_ARN: two of one name would collide"
    source = LAMBDA_ENVIRONMENT

    def check(self, ctx):
        by_snake: dict[str, str] = {}
        for name, fn in ctx.spec.functions.items():
            for i, ref in enumerate(fn.starts):
                full = ref if "." in ref else f"{ctx.spec.service}.{ref}"
                key = snake(full.rpartition(".")[2])
                owner = by_snake.setdefault(key, full)
                if owner != full:
                    yield self.error(ctx.doc, ("functions", name, "starts", i),
                                     f"starts {full} and {owner}: both would be WORKFLOW_{key.upper()}_ARN",
                                     "a service can start only one workflow of each name")


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


class QueueNamesDistinct(SpecRule):
    id = "SVC1416"
    concern = "workflow"
    summary = ("the queues of a service are distinct: each subscribing function's (`<function>`), each "
               "event-started workflow's (`<workflow>-start`) and each pause's (`<workflow>-<pause>`)")
    rationale = ("each queue's name and logical ID come from that key: workflow `a-b` with pause `c` and workflow "
                 "`a` with pause `b-c` would both make queue `a-b-c`, a duplicate resource")
    source = LOGICAL_IDS

    def check(self, ctx):
        seen: dict[str, str] = {}
        for key, path, what in self._queues(ctx.spec):
            first = seen.setdefault(logical(key, "queue"), what)
            if first != what:
                yield self.error(ctx.doc, path, f"its queue {key!r} must differ from every other queue of the service, "
                                 f"got the queue of {first} again", "rename the pause or workflow")

    @staticmethod
    def _queues(spec):
        for name, fn in spec.functions.items():
            if fn.subscribe:
                yield name, ("functions", name), f"function {name!r}"
        for wf_name, wf in spec.workflows.items():
            if wf.started_by:
                yield f"{wf_name}-start", ("workflows", wf_name, "started_by"), f"the start of workflow {wf_name!r}"
            for path, step in walk_steps(("workflows", wf_name, "steps"), wf.steps):
                if isinstance(step, PauseStep):
                    yield f"{wf_name}-{step.pause}", path + ("pause",), f"pause {step.pause!r} of {wf_name!r}"


class ReviewerPausesDistinct(SpecRule):
    id = "SVC1417"
    concern = "workflow"
    summary = "the pauses one function reviews have distinct names"
    rationale = ("a reviewer gets each pause's queue as <PAUSE>_QUEUE_URL, named after the pause alone: two pauses "
                 "of one name (in two workflows) would leave it only one of the two queues")
    source = LAMBDA_ENVIRONMENT

    def check(self, ctx):
        seen: dict[tuple[str, str], str] = {}
        for wf_name, here, step in all_steps(ctx.spec):
            if isinstance(step, PauseStep) and step.reviewer is not None:
                variable = step.pause.upper().replace("-", "_") + "_QUEUE_URL"
                first = seen.setdefault((step.reviewer, variable), wf_name)
                if first != wf_name:
                    yield self.error(ctx.doc, here + ("reviewer",),
                                     f"{step.reviewer!r} already reviews a pause {step.pause!r} (in {first!r}), got a "
                                     f"second: both would be its {variable}",
                                     "rename one pause, or give it another reviewer")


class OtherWorkflowExists(FleetRule):
    id = "SVC2401"
    concern = "workflow"
    summary = "`starts: service.name` names a workflow of a service in the build"
    rationale = "the start imports that workflow's exported ARN: without it the stack cannot be created"
    source = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
              "intrinsic-function-reference-importvalue.html")

    def check(self, fleet):
        for item in fleet.services:
            for name, fn in item.spec.functions.items():
                for i, ref in enumerate(fn.starts):
                    owner, _, workflow = ref.rpartition(".")
                    if not owner or owner == item.spec.service:
                        continue
                    other = fleet.by_name.get(owner)
                    path = ("functions", name, "starts", i)
                    if other is None:
                        yield self.error(item.doc, path,
                                         f"must name a workflow of a service in this build, got {ref!r}",
                                         f"no service {owner!r} in this build")
                    elif workflow not in other.spec.workflows:
                        yield self.error(item.doc, path, f"must name a workflow of {owner}, got {ref!r}",
                                         f"{other.doc.file} has: {', '.join(other.spec.workflows) or 'no workflows'}")
