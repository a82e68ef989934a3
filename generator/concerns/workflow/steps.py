"""What the workflow rules share: walking a workflow's steps (branches included), the state names
and what the state holds at each step, durations in seconds, and the limits they are judged by.

Durations are judged in seconds as the state machine gets them (`60` and `1m` are the same
pause), and a pause's heartbeat as it is rendered (explicit, or the default that
concerns/workflow/resolve.py derives from the timeout).
"""

from __future__ import annotations


from generator.concerns.function import defaults as function_defaults
from generator.concerns.queue import defaults as queue_defaults
from generator.naming import Names
from generator.concerns.workflow.resolve import DAY, resolve_workflows, seconds
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
