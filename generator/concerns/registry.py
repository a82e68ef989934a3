"""Concerns as plugins: what a concern contributes to each stage of the pipeline, and the ordered
tuple of the registered ones.

A concern is one folder under generator/concerns/ with a `Concern` subclass in its concern.py;
registering it is one line in `CONCERNS`. Every concern svcgen has (function, queue,
subscription, events, HTTP, event store, idempotency, alarms, workflow, encryption, service) is
one, declared the same way as the first one added as a plugin (schedule). It may contribute,
each optional:

- a spec fragment (`function_fragment`): a `Strict` mixin whose fields every `FunctionSpec`
  gains (`class FunctionSpec(*function_fragments(), Strict)` in spec/model.py);
- its rules (`rules_modules`), which rules/registry.py collects;
- resolution (`resolve_module`): `function_fields(given, so_far)` and `service_fields(given)`
  return the fields of ResolvedFunction / ResolvedService it decides (resolve.py runs them in
  this tuple's order, `so_far` holding what earlier concerns resolved for the function, e.g. the
  timeout the queue's visibility follows); a plugin's `extension(given)` is kept on
  `ResolvedFunction.extensions` under the concern's `name` (`fn.extension(name)`);
- `render_module`: a module whose `render(ctx)` render.py calls in this tuple's order;
- a trigger (`kind` set): `trigger(spec, key)` says whether a function is invoked this way; the
  one-trigger rule (SVC1005) counts them and codegen gives such a function the entry
  `generator/templates/plumbing/<kind>.py.j2`, handler stub `handlers/<kind>.py.j2` and test
  `tests/<kind>.py.j2` (importing `test_helpers` from svcgen_runtime.testing and `test_imports`), with
  `template_context(fn)` (all three) and `test_context(plan)` (the test) as extra variables;
  `plumbing_files` adds the owned modules its entries need, and `invoke_request` builds what
  `svcgen invoke` runs the function with. The `fallback` concern's kind (`direct`) is the kind
  of a function no trigger claims.

This module imports only the concerns' light modules (their spec fragments): spec/model.py
imports it. The resolve and render modules are named, not imported: they depend on the spec
model, so only the phases that run them (resolve.py, render.py) import them.
"""

from __future__ import annotations

from typing import Any

from generator.concerns.alarms.concern import AlarmsConcern
from generator.concerns.concern import Concern
from generator.concerns.encryption.concern import EncryptionConcern
from generator.concerns.event_store.concern import EventStoreConcern
from generator.concerns.events.concern import EventsConcern
from generator.concerns.function.concern import FunctionConcern
from generator.concerns.http.concern import HttpConcern
from generator.concerns.idempotency.concern import IdempotencyConcern
from generator.concerns.queue.concern import QueueConcern
from generator.concerns.schedule.concern import ScheduleConcern
from generator.concerns.service.concern import ServiceConcern
from generator.concerns.subscription.concern import SubscriptionConcern
from generator.concerns.workflow.concern import WorkflowConcern

# Every phase runs them in this order:
# - resolve: the function's own settings first (the queue's visibility follows its timeout);
# - render, then iam.py assembles the roles from every grant: the KMS key first (queues and
#   topics use it), the functions (later concerns grant to them and add to their environment),
#   the event store after the functions (it adds store access to them), alarms after everything
#   that has something to alarm on, workflows after alarms (they add their own, and the alerts
#   topic exists), plugins last;
# - triggers: the order SVC1005 names them in when a function has two.
CONCERNS: tuple[Concern, ...] = (
    EncryptionConcern(), FunctionConcern(), QueueConcern(), SubscriptionConcern(), EventsConcern(),
    HttpConcern(), EventStoreConcern(), IdempotencyConcern(), AlarmsConcern(), WorkflowConcern(),
    ServiceConcern(), ScheduleConcern(),
)


def function_fragments() -> tuple[type, ...]:
    """The spec mixins FunctionSpec inherits, in registry order."""
    return tuple(c.function_fragment for c in CONCERNS if c.function_fragment is not None)


def rule_modules() -> tuple[str, ...]:
    return tuple(module for c in CONCERNS for module in c.rules_modules)


def triggers() -> tuple[Concern, ...]:
    """The concerns that invoke functions (each a codegen kind), the fallback `direct` excluded."""
    return tuple(c for c in CONCERNS if c.kind and not c.fallback)


def trigger_of(spec: Any, key: str) -> Concern:
    """The concern that invokes function `key` of `spec` (a validated spec has one trigger at
    most: SVC1005), else the fallback (kind `direct`)."""
    found = next((c for c in triggers() if c.trigger(spec, key)), None)
    return found if found is not None else next(c for c in CONCERNS if c.fallback)


def by_kind(kind: str) -> Concern:
    return next(c for c in CONCERNS if c.kind == kind)


def render_modules() -> tuple[str, ...]:
    """The modules whose `render(ctx)` render.py calls, in registry order."""
    return tuple(c.render_module for c in CONCERNS if c.render_module)
