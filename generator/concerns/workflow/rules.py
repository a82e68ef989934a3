"""Rules of workflows: steps, pauses, event starts and the workflows functions start."""

from __future__ import annotations

from generator.codegen.functions import snake
from generator.resolve_workflows import seconds
from generator.rules.base import FleetRule, SpecRule
from generator.spec.workflow_model import CallStep, ChooseStep, PauseStep

STEP_FUNCTIONS = "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html"
DESIGN = "docs/design.md"


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


class OwnWorkflowExists(SpecRule):
    id = "SVC1401"
    concern = "workflow"
    summary = "`starts: name` names a workflow of this service"
    rationale = "the grant and the environment variable name the state machine; a missing one cannot be started"
    source = DESIGN

    def check(self, ctx):
        for name, fn in ctx.spec.functions.items():
            for i, ref in enumerate(fn.starts):
                owner, _, workflow = ref.rpartition(".")
                if owner in ("", ctx.spec.service) and workflow not in ctx.spec.workflows:
                    yield self.error(ctx.doc, ("functions", name, "starts", i),
                                     f"must name a workflow of this service, got {ref!r}",
                                     f"workflows: {', '.join(ctx.spec.workflows) or 'none'}; another service's as "
                                     "`service.name`")


class StartedByBusEvents(SpecRule):
    id = "SVC1402"
    concern = "workflow"
    summary = "a workflow is started by milestones on the bus, not by store events"
    rationale = "starts go through an EventBridge rule and a Pipe; a store event never reaches them"
    source = DESIGN

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
    source = DESIGN

    def check(self, ctx):
        functions = ctx.spec.functions
        for _, here, step in all_steps(ctx.spec):
            keys = ("call", "compensate") if isinstance(step, CallStep) else \
                ("reviewer",) if isinstance(step, PauseStep) else ()
            for key in keys:
                fn = getattr(step, key)
                if fn is not None and fn not in functions:
                    yield self.error(ctx.doc, here + (key,), f"must name a function of this service, got {fn!r}",
                                     f"functions: {', '.join(functions)}")


class StepTimeoutCoversFunction(SpecRule):
    id = "SVC1404"
    concern = "workflow"
    summary = "a call step's timeout is at least its function's own timeout"
    rationale = "a shorter task timeout abandons invocations that are still running (and retries them)"
    source = STEP_FUNCTIONS

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if isinstance(step, CallStep) and step.timeout is not None and step.call in ctx.spec.functions:
                limit = ctx.spec.functions[step.call].timeout
                if limit is not None and step.timeout < limit:
                    yield self.error(ctx.doc, here + ("timeout",),
                                     f"must be ≥ the function's own timeout ({limit} s), got {step.timeout}",
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
    summary = "a pause's heartbeat is shorter than its timeout"
    rationale = "Step Functions requires HeartbeatSeconds < TimeoutSeconds and refuses the definition otherwise"
    source = STEP_FUNCTIONS

    def check(self, ctx):
        for _, here, step in all_steps(ctx.spec):
            if isinstance(step, PauseStep) and step.heartbeat is not None \
                    and seconds(step.heartbeat) >= seconds(step.timeout):
                yield self.error(ctx.doc, here + ("heartbeat",), f"must be shorter than the pause's timeout "
                                 f"({step.timeout}), got {step.heartbeat}",
                                 "Step Functions requires HeartbeatSeconds < TimeoutSeconds")


class StartedWorkflowNamesIds(SpecRule):
    id = "SVC1407"
    concern = "workflow"
    summary = "a workflow started by events names the identifier fields (`ids`) it takes from them"
    rationale = "only declared ids are copied into the execution, so personal data never enters execution history"
    source = DESIGN

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
    source = DESIGN

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
    source = DESIGN

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


class OtherWorkflowExists(FleetRule):
    id = "SVC2401"
    concern = "workflow"
    summary = "`starts: service.name` names a workflow of a service in the build"
    rationale = "the start imports that workflow's exported ARN: without it the stack cannot be created"
    source = DESIGN

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
                        yield self.error(item.doc, path, f"must name a workflow of a service in this build, got {ref!r}",
                                         f"no service {owner!r} in this build")
                    elif workflow not in other.spec.workflows:
                        yield self.error(item.doc, path, f"must name a workflow of {owner}, got {ref!r}",
                                         f"{other.doc.file} has: {', '.join(other.spec.workflows) or 'no workflows'}")
