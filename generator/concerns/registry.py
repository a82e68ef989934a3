"""Concerns as plugins: what a concern contributes to each stage of the pipeline, and the ordered
tuple of the registered ones.

A concern is one folder under generator/concerns/ with a `Concern` subclass; registering it is
one line in `CONCERNS`. It may contribute, each optional:

- a spec fragment (`function_fragment`): a `Strict` mixin whose fields every `FunctionSpec`
  gains (`class FunctionSpec(*function_fragments(), Strict)` in spec/model.py);
- `resolve(...)`: a frozen value per function, kept on `ResolvedFunction.extensions` under the
  concern's `name` (`fn.extension(name)`), filled by resolve.py's `_function`;
- `render_module`: a module whose `render(ctx)` render.py calls in this tuple's order, after the functions, their queues,
  subscriptions, alarms and workflows are rendered and before IAM roles are assembled (so it
  may `ctx.grant` to a function and use the alerts topic);
- a trigger (`kind` set): `trigger(fn_spec)` says whether a function is invoked this way; the
  one-trigger rule (SVC1005) counts it and codegen gives such a function the entry
  `generator/templates/plumbing/<kind>.py.j2`, handler stub `handlers/<kind>.py.j2`, test
  `tests/<kind>.py.j2` (importing `test_helpers` from plumbing.testing and `test_imports`), with
  `template_context(fn)` as extra template variables, `plumbing_files` adds the owned modules
  its entries need (e.g. plumbing/runtime/<module>.py), and `invoke_event` builds the event
  `svcgen invoke` runs it with;
- its rules (`rules_module`), which the rule registry collects like every concern's.

This module imports only the concerns' light modules (their spec fragments): spec/model.py
imports it. Whatever needs resolve/render/codegen code imports it inside the hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.concerns.concern import Concern
from generator.concerns.schedule.concern import ScheduleConcern

if TYPE_CHECKING:
    from generator.naming import Names
    from generator.spec.base import Strict
    from generator.spec.platform import PlatformSpec
    from generator.stages import Stage


class BuiltIn(Concern):
    """A concern svcgen has always had: its spec fragment is part of spec/model.py, its rules are
    listed in rules/registry.py; in the registry it contributes its render phase."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.render_module = f"generator.concerns.{name}.render"


# The render phase runs in this order, then iam.py assembles the roles from every grant:
# the KMS key first (queues and topics use it), the functions (later concerns grant to them and
# add to their environment), the event store after the functions (it adds store access to them),
# alarms after everything that has something to alarm on, workflows after alarms (they add their
# own, and the alerts topic exists), registered plugins last.
CONCERNS: tuple[Concern, ...] = (
    BuiltIn("encryption"), BuiltIn("function"), BuiltIn("queue"), BuiltIn("subscription"), BuiltIn("events"),
    BuiltIn("http"), BuiltIn("event_store"), BuiltIn("idempotency"), BuiltIn("alarms"), BuiltIn("workflow"),
    ScheduleConcern(),
)


def function_fragments() -> tuple[type["Strict"], ...]:
    """The spec mixins FunctionSpec inherits, in registry order."""
    return tuple(c.function_fragment for c in CONCERNS if c.function_fragment is not None)


def rule_modules() -> tuple[str, ...]:
    return tuple(c.rules_module for c in CONCERNS if c.rules_module)


def triggers() -> tuple[Concern, ...]:
    """The registered concerns that invoke functions (each a codegen kind)."""
    return tuple(c for c in CONCERNS if c.kind)


def trigger_of(fn_spec: Any) -> Concern | None:
    """The registered concern that invokes this function, if any (a validated spec has one
    trigger at most: SVC1005)."""
    return next((c for c in triggers() if c.trigger(fn_spec)), None)


def by_kind(kind: str) -> Concern | None:
    return next((c for c in triggers() if c.kind == kind), None)


def resolve_function(names: "Names", platform: "PlatformSpec", stage: "Stage", spec: Any, key: str,
                     fn: Any) -> tuple[tuple[str, Any], ...]:
    """Every concern's resolved value for one function, in registry order (None: left out)."""
    values = ((c.name, c.resolve(names, platform, stage, spec, key, fn)) for c in CONCERNS)
    return tuple((name, value) for name, value in values if value is not None)


def render_modules() -> tuple[str, ...]:
    """The modules whose `render(ctx)` render.py calls, in registry order. Named, not imported:
    rendering code depends on resolve (ResolvedService), and resolve and the spec model depend on
    this registry, so only render.py, the render phase itself, may import them."""
    return tuple(c.render_module for c in CONCERNS if c.render_module)
