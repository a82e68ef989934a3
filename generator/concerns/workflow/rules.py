"""Rules of workflows as a whole: what starts them (events, functions), the ids they take, and the
names their queues and variables get."""

from __future__ import annotations

import difflib

from generator.codegen.functions import snake
from generator.naming import logical
from generator.rules.base import FleetRule, SpecRule
from generator.concerns.workflow.spec import PauseStep
from generator.concerns.workflow.steps import LAMBDA_ENVIRONMENT, LOGICAL_IDS, all_steps, walk_steps


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
                    if not owner or owner == item.spec.service or owner in fleet.broken:
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
