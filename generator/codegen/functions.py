"""What kind of Lambda entry each function gets, and what its plumbing needs to know.

A function's kind is the codegen kind of the concern that invokes it (generator/concerns/
registry.py `trigger_of`), exactly one:
- `queue`:    it subscribes (bus or store events through its SQS queue): a batch consumer;
- `http`:     it serves a route: an API Gateway HTTP API resolver;
- `task`:     a workflow `call` step (or its `compensate`) invokes it with the workflow's ids;
- `schedule`: EventBridge Scheduler invokes it;
- `direct`:   none of these (invoked by hand or by something svcgen does not know).
Starting workflows (`starts:`), reviewing a pause (`reviewer:`), publishing and the event store
are capabilities on top of the kind: helper modules, not entries (the entry only says which
events its function may publish).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from generator.concerns import registry as concerns
from generator.concerns.workflow.participants import workflow_roles

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
    kind: str  # the invoking concern's kind (generator/concerns/registry.py): queue, http, task, schedule, direct
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
    # The invoking concern's template variables (Concern.template_context), as pairs.
    extra: tuple[tuple[str, Any], ...] = ()
    # Events it may publish (concerns/events/resolve.py); None when its service publishes nothing.
    publishes: tuple[str, ...] | None = None

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


def plan_functions(item, svc, models: dict) -> list[FunctionPlan]:
    """One plan per function. The spec was validated first (its rules, e.g. SVC1005 one trigger,
    SVC1601 idempotency key, SVC1503 route parameters), so every plan here can be generated."""
    spec = item.spec
    _, reviews = workflow_roles(spec)
    plans = []
    for fn in svc.functions:
        trigger = concerns.trigger_of(spec, fn.key)
        module, function = handler_target(fn.handler)
        consumes = tuple(_consumed(fn, models))
        plans.append(FunctionPlan(
            key=fn.key, snake=snake(fn.key), kind=trigger.kind,
            description=fn.description, handler_module=module, handler_function=function,
            consumes=consumes, fifo=bool(fn.queue and fn.queue.fifo),
            message_group=fn.queue.message_group if fn.queue else None,
            idempotency_key=_idempotency_key(spec.functions[fn.key], consumes, models),
            route=_route(fn.http) if fn.http else None,
            starts=tuple((s.service, s.workflow) for s in fn.starts),
            reviews=tuple(reviews.get(fn.key, ())), store_access=tuple(fn.store_access),
            extra=tuple(trigger.template_context(fn).items()),
            publishes=fn.publishes if svc.publishes else None,
        ))
    return plans


def _consumed(fn, models: dict):
    seen = set()
    for sub in fn.subscriptions:
        stored = sub.kind == "store"
        model = models.get((sub.publisher, sub.event, stored))
        if model is None or (sub.source, sub.event) in seen:
            continue  # a repeated event (two filters) is one entry
        seen.add((sub.source, sub.event))
        yield Consumed(sub.source, sub.event, model.class_name, sub.publisher, stored)


def _idempotency_key(fn_spec, consumes, models) -> str | None:
    """The Python attribute of `idempotency: {key: <field>}`, a required field of every consumed
    event (SVC1601)."""
    if fn_spec.idempotency is None or not consumes:
        return None
    c = consumes[0]
    model = models[(c.publisher, c.event, c.stored)]
    fields = {f.wire: f for f in model.fields}
    if c.stored:
        base = next(m for m in models.values() if m.class_name == model.base)
        fields.update({f.wire: f for f in base.fields})
    return fields[fn_spec.idempotency.key].name


def _route(route) -> Route:
    params = tuple(PARAM.findall(route.path))  # Python names (SVC1503)
    return Route(route.method, route.path, PARAM.sub(r"<\1>", route.path), params, route.method in BODY_METHODS)
