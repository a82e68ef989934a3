"""The base of a registered concern (generator/concerns/registry.py says what each hook is for).

Its own module so that a concern can subclass it and the registry can import the concerns at its
top: no module imports the registry that a concern imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
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
    # A module with `render(ctx)`: its resources for every function that has its resolved value.
    render_module: ClassVar[str | None] = None  # e.g. "generator.concerns.schedule.render"
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
