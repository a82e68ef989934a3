"""The base of a registered concern (generator/concerns/registry.py says what each hook is for).

Its own module so that a concern can subclass it and the registry can import the concerns at its
top: no module imports the registry that a concern imports. A concern's heavy phases (resolve,
render) are named by module, not imported here: they depend on the spec model, which imports the
registry for its fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from generator.codegen.functions import FunctionPlan
    from generator.naming import Names
    from generator.resolve import ResolvedFunction
    from generator.spec.base import Strict
    from generator.spec.platform import PlatformSpec
    from generator.stages import Stage


@dataclass(frozen=True)
class ServiceGiven:
    """What resolution starts from for one service: its spec, the platform and the stage."""

    names: "Names"
    platform: "PlatformSpec"
    stage: "Stage"
    spec: Any  # ServiceSpec


@dataclass(frozen=True)
class FunctionGiven:
    """What resolution starts from for one function of a service."""

    service: ServiceGiven
    key: str
    fn: Any  # FunctionSpec

    @property
    def names(self) -> "Names":
        return self.service.names

    @property
    def platform(self) -> "PlatformSpec":
        return self.service.platform

    @property
    def stage(self) -> "Stage":
        return self.service.stage

    @property
    def spec(self) -> Any:
        return self.service.spec


class Concern:
    """Base of a registered concern: every hook is optional and does nothing here."""

    name: ClassVar[str]  # its folder under generator/concerns/, and the key of a plugin's resolved value
    function_fragment: ClassVar[type["Strict"] | None] = None
    rules_modules: ClassVar[tuple[str, ...]] = ()  # e.g. ("generator.concerns.schedule.rules",)
    # A module with any of `function_fields(given, so_far)`, `service_fields(given)` (fields of
    # ResolvedFunction / ResolvedService this concern decides) and `extension(given)` (a plugin's
    # value for ResolvedFunction.extensions, None when the function does not use it).
    resolve_module: ClassVar[str | None] = None
    # A module with `render(ctx)`: its resources for every function that has its resolved value.
    render_module: ClassVar[str | None] = None
    # Trigger: the codegen kind (entry/handler/test templates), how SVC1005 names it, and the
    # names the generated test imports from svcgen_runtime.testing.
    kind: ClassVar[str | None] = None
    fallback: ClassVar[bool] = False  # the kind of a function no other concern triggers
    trigger_words: ClassVar[str] = ""
    described_as: ClassVar[str] = "invoked directly"  # `<function> is …` in svcgen invoke's messages
    test_helpers: ClassVar[tuple[str, ...]] = ("lambda_context",)
    # Other imports of the generated test: (module, names), e.g. an exception of its runtime module
    # (svcgen_runtime.<module>) or samples from the service's generated tests/svcgen_support.py.
    test_imports: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = ()

    def trigger(self, spec: Any, key: str) -> bool:
        """Whether this concern invokes function `key` of `spec` (a validated `ServiceSpec`)."""
        return False

    def template_context(self, fn: "ResolvedFunction") -> dict[str, Any]:
        """Extra variables for this kind's entry, handler stub and test templates."""
        return {}

    def test_context(self, plan: "FunctionPlan") -> dict[str, Any]:
        """Extra variables for this kind's generated test (tests/<kind>.py.j2) only."""
        return {}

    def invoke_request(self, fn: "ResolvedFunction", event: Any, sample: str | None) -> tuple[dict[str, Any], str]:
        """`svcgen invoke`: what the child runs the function with (`event`: the --event file's
        JSON, or None; `sample`: --sample, only a subscriber has samples) and words saying what
        it is. The dict holds `event` and `recipe` (how the child wraps the event, see
        invoke.py's child: None, sqs, sqs-detail, http, task) and the recipe's arguments."""
        return {"event": {} if event is None else event, "recipe": None}, "invocation by its trigger"

    def plumbing_files(self, kinds: set[str]) -> dict[str, str]:
        """Owned files this concern adds to a service's code (path under the code directory ->
        text), given the kinds of the service's functions; code every service shares belongs in
        the runtime library (runtime/svcgen_runtime/) instead."""
        return {}
