"""What kind of Lambda entry each function gets, and what its plumbing needs to know.

A function is exactly one of:
- `queue`:  it subscribes (bus or store events through its SQS queue): a batch consumer;
- `http`:   it serves a route: an API Gateway HTTP API resolver;
- `task`:   a workflow `call` step (or its `compensate`) invokes it with the workflow's ids;
- `direct`: none of these (invoked by hand or by something svcgen does not know).
Starting workflows (`starts:`), reviewing a pause (`reviewer:`), publishing and the event store
are capabilities on top of the kind: helper modules, not entries.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from generator.errors import SpecError
from generator.spec.workflow_model import CallStep, ChooseStep, PauseStep

# Modules of plumbing/ that svcgen writes besides one entry per function: a function whose
# snake_case name is one of these would overwrite it.
SUPPORT_MODULES = frozenset({"models", "observability", "publish", "store", "workflow", "testing", "runtime"})
BODY_METHODS = ("POST", "PUT", "PATCH")
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
PARAM = re.compile(r"\{([^}]*)\}")


@dataclass(frozen=True)
class Route:
    method: str  # as in the spec; ANY for every method
    path: str  # `/accounts/{id}/balance`, as API Gateway sees it
    rule: str  # `/accounts/<id>/balance`, as Powertools routes it
    params: tuple[str, ...]
    has_body: bool

    @property
    def methods(self) -> tuple[str, ...]:
        return ALL_METHODS if self.method == "ANY" else (self.method,)


@dataclass(frozen=True)
class Consumed:
    source: str  # envelope `source`
    event: str  # `detail-type`
    class_name: str
    publisher: str
    stored: bool


@dataclass(frozen=True)
class FunctionPlan:
    key: str
    snake: str
    kind: str  # queue | http | task | direct
    description: str
    handler_module: str
    handler_function: str
    consumes: tuple[Consumed, ...] = ()
    fifo: bool = False
    message_group: str | None = None
    idempotency_key: str | None = None
    route: Route | None = None
    starts: tuple[tuple[str, str], ...] = ()  # (service, workflow)
    reviews: tuple[str, ...] = ()  # pause steps it decides
    store_access: tuple[str, ...] = ()

    @property
    def entry(self) -> str:
        """The Lambda Handler setting: `plumbing.<function>.handler`."""
        return f"plumbing.{self.snake}.handler"

    @property
    def pascal(self) -> str:
        return "".join(p.capitalize() for p in self.key.split("-"))


def snake(name: str) -> str:
    return name.replace("-", "_")


def event_snake(name: str) -> str:
    """`TransactionPosted` -> `transaction_posted`."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def handler_target(resolved: str) -> tuple[str, str]:
    """(module, function) of the user's code: resolve gives `handler:` or its default
    `handlers.<function_snake>.handle`, always module.function (the spec's pattern)."""
    module, _, function = resolved.rpartition(".")
    return module, function


def workflow_roles(spec) -> tuple[set[str], dict[str, list[str]]]:
    """Functions that `call` steps (and their compensations) invoke, and pause -> reviewer."""
    tasks: set[str] = set()
    reviews: dict[str, list[str]] = {}

    def walk(steps) -> None:
        for step in steps:
            if isinstance(step, CallStep):
                tasks.add(step.call)
                if step.compensate:
                    tasks.add(step.compensate)
            elif isinstance(step, PauseStep) and step.reviewer:
                reviews.setdefault(step.reviewer, []).append(step.pause)
            elif isinstance(step, ChooseStep):
                for branch in step.when.values():
                    walk(branch)
                walk(step.otherwise or [])

    for wf in spec.workflows.values():
        walk(wf.steps)
    return tasks, reviews


def plan_functions(item, svc, models: dict, errors: list[SpecError]) -> list[FunctionPlan]:
    spec, doc = item.spec, item.doc
    tasks, reviews = workflow_roles(spec)
    plans, modules = [], {}
    for fn in svc.functions:
        path = ("functions", fn.key)
        fn_spec = spec.functions[fn.key]
        kinds = [k for k, on in (("queue", bool(fn.subscriptions)), ("http", fn.http is not None),
                                 ("task", fn.key in tasks)) if on]
        if len(kinds) > 1:
            errors.append(doc.error(path, f"a function has one trigger, got {' and '.join(kinds)}",
                                    "split it into one function per trigger"))
            continue
        module, function = handler_target(fn.handler)
        problems = _naming_problems(fn.key, module, modules)
        errors.extend(doc.error(path + where, message, hint) for where, message, hint in problems)
        modules.setdefault(module, fn.key)
        consumes = tuple(_consumed(fn, models))
        idempotency = _idempotency_key(doc, path, fn_spec, consumes, models, errors)
        route = _route(doc, path, fn.http, errors) if fn.http else None
        plans.append(FunctionPlan(
            key=fn.key, snake=snake(fn.key), kind=kinds[0] if kinds else "direct",
            description=fn.description, handler_module=module, handler_function=function,
            consumes=consumes, fifo=bool(fn.queue and fn.queue.fifo),
            message_group=fn.queue.message_group if fn.queue else None,
            idempotency_key=idempotency, route=route,
            starts=tuple((s.service, s.workflow) for s in fn.starts),
            reviews=tuple(reviews.get(fn.key, ())), store_access=tuple(fn.store_access),
        ))
    return plans


def _naming_problems(key: str, module: str, modules: dict[str, str]):
    if snake(key) in SUPPORT_MODULES:
        yield (), f"would overwrite svcgen's plumbing/{snake(key)}.py, got function name {key!r}", \
            f"rename the function (reserved: {', '.join(sorted(SUPPORT_MODULES))})"
    if module.split(".")[0] == "plumbing":
        yield ("handler",), f"must not be inside plumbing/ (svcgen regenerates it), got {module!r}", \
            "use handlers.<module>.<function>"
    if module in modules:
        yield ("handler",), f"each function has its own handler module, got {module!r} also used by " \
            f"{modules[module]!r}", "svcgen creates one module per function"


def _consumed(fn, models: dict):
    seen = set()
    for sub in fn.subscriptions:
        stored = sub.kind == "store"
        model = models.get((sub.publisher, sub.event, stored))
        if model is None or (sub.source, sub.event) in seen:
            continue  # a missing contract is already an error; a repeated event (two filters) is one entry
        seen.add((sub.source, sub.event))
        yield Consumed(sub.source, sub.event, model.class_name, sub.publisher, stored)


def _idempotency_key(doc, path, fn_spec, consumes, models, errors) -> str | None:
    """`idempotency: {key: <field>}`. The key must be a required field of every event the
    function consumes: a missing key would make all such events one duplicate."""
    if fn_spec.idempotency is None:
        return None
    key = fn_spec.idempotency.key
    where = path + ("idempotency", "key")
    if not consumes:
        errors.append(doc.error(where, "idempotency is for queue consumers, got a function without `subscribe`"))
        return None
    for c in consumes:
        model = models[(c.publisher, c.event, c.stored)]
        fields = {f.wire: f for f in model.fields}
        if c.stored:
            base = next(m for m in models.values() if m.class_name == model.base)
            fields.update({f.wire: f for f in base.fields})
        if key not in fields or not fields[key].required:
            errors.append(doc.error(where, f"must be a required field of every consumed event, got {key!r} "
                                    f"which {c.event} of {c.publisher} does not require"))
            return None
    return fields[key].name


def _route(doc, path, route, errors) -> Route | None:
    params = tuple(PARAM.findall(route.path))
    # `request` is the body's parameter in the generated route function.
    bad = [p for p in params if not p.isidentifier() or keyword.iskeyword(p) or p.startswith("_") or p == "request"]
    if bad:
        errors.append(doc.error(path + ("http",), f"path parameters must be Python names, got {', '.join(bad)}",
                                "use {account_id}, not {account-id} or {proxy+}"))
        return None
    return Route(route.method, route.path, PARAM.sub(r"<\1>", route.path), params, route.method in BODY_METHODS)
