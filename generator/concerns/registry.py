"""Concerns as plugins: what a concern contributes to each stage of the pipeline, and the ordered
tuple of the registered ones.

A concern is one folder under generator/concerns/ with a `Concern` subclass; registering it is
one line in `CONCERNS`. It may contribute, each optional:

- a spec fragment (`function_fragment`): a `Strict` mixin whose fields every `FunctionSpec`
  gains (`class FunctionSpec(*function_fragments(), Strict)` in spec/model.py);
- `resolve(...)`: a frozen value per function, kept on `ResolvedFunction.extensions` under the
  concern's `name` (`fn.extension(name)`), filled by resolve.py's `_function`;
- `render(ctx)`: called by render.py in this tuple's order, after the functions, their queues,
  subscriptions, alarms and workflows are rendered and before IAM roles are assembled (so it
  may `ctx.grant` to a function and use the alerts topic);
- a trigger (`kind` set): `trigger(fn_spec)` says whether a function is invoked this way; the
  one-trigger rule (SVC1005) counts it and codegen gives such a function the entry
  `templates/plumbing/<kind>.py.j2`, handler stub `handlers/<kind>.py.j2`, test
  `tests/<kind>.py.j2` (importing `test_helpers` from plumbing.testing and `test_imports`), with
  `template_context(fn)` as extra template variables, `plumbing_files` adds the owned modules
  its entries need (e.g. plumbing/runtime/<module>.py), and `invoke_event` builds the event
  `svcgen invoke` runs it with;
- its rules (`rules_module`), which the rule registry collects like every concern's.

This module imports only the concerns' light modules (their spec fragments): spec/model.py
imports it. Whatever needs resolve/render/codegen code imports it inside the hook.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from generator.components.base import RenderContext
    from generator.naming import Names
    from generator.resolve import ResolvedFunction
    from generator.spec.base import Strict
    from generator.spec.platform import PlatformSpec
    from generator.stages import Stage


class Concern:
    """Base of a registered concern: every hook is optional and does nothing here."""

    name: ClassVar[str]  # the key of its resolved value, e.g. "schedule"
    function_fragment: ClassVar[type["Strict"] | None] = None
    rules_module: ClassVar[str | None] = None  # e.g. "generator.concerns.schedule.rules"
    # Trigger: the codegen kind (entry/handler/test templates), how SVC1005 names it, and the
    # names the generated test imports from plumbing.testing.
    kind: ClassVar[str | None] = None
    trigger_words: ClassVar[str] = ""
    test_helpers: ClassVar[tuple[str, ...]] = ("lambda_context",)
    # Other imports of the generated test: (module, names), e.g. a builder from its runtime module.
    test_imports: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()

    def resolve(self, names: "Names", platform: "PlatformSpec", stage: "Stage", spec: Any, key: str,
                fn: Any) -> Any:
        """The frozen resolved value of this concern for function `key`, or None (nothing)."""
        return None

    def render(self, ctx: "RenderContext") -> None:
        """Add this concern's resources for every function that has its resolved value."""

    def trigger(self, fn_spec: Any) -> bool:
        """Whether this concern invokes the function (a `FunctionSpec`)."""
        return False

    def template_context(self, fn: "ResolvedFunction") -> dict[str, Any]:
        """Extra variables for this kind's entry, handler stub and test templates."""
        return {}

    def invoke_event(self, fn: "ResolvedFunction", event: Any) -> tuple[Any, str]:
        """`svcgen invoke`: the event to run the function with (`event`: the --event file's JSON,
        or None) and words saying what it is."""
        return ({} if event is None else event), "invocation by its trigger"

    def plumbing_files(self, kinds: set[str]) -> dict[str, str]:
        """Owned files this concern adds to a service's code (path under the code directory ->
        text), given the kinds of the service's functions; e.g. its module of plumbing/runtime/."""
        return {}


def _registered() -> tuple[Concern, ...]:
    from generator.concerns.schedule.concern import ScheduleConcern

    return (ScheduleConcern(),)


CONCERNS: tuple[Concern, ...] = _registered()


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


def render(ctx: "RenderContext") -> None:
    for concern in CONCERNS:
        concern.render(ctx)
