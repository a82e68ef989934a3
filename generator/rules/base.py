"""Rules: one class per check, with a stable ID, a description, a rationale and a source.

IDs tell the kind of rule (cfn-lint's convention, where the ID tells what a finding is):
- `SVC1xxx` spec rules: one service's spec (with the fleet at hand to look things up);
- `SVC2xxx` fleet rules: need every spec of the build at once (uniqueness, budgets, contracts);
- `SVC3xxx` template rules: what svcgen rendered, checked against limits AWS enforces at deploy
  time that cfn-lint does not.

A rule never raises: it yields `SpecError`s made by `self.error(...)`, which carry its ID and
severity, so a user can look the rule up (`svcgen rules ID`) and the platform team can waive it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from generator.errors import SpecError
from generator.spec.load import shown

if TYPE_CHECKING:
    from generator.spec.load import Document
    from generator.spec.model import ServiceSpec
    from generator.spec.platform import PlatformSpec

SEVERITIES = ("error", "warning")
# The source of a rule whose fact is svcgen's own design rather than an AWS limit.
DESIGN_NOTES = "docs/design.md"
# A word of a message longer than this is user input (a runtime, a key, a reference): quoted in
# full it would turn one line into thousands of characters.
LONGEST_WORD = 60


def _cut(text: str) -> str:
    """`text` with every over-long word cut (spec.load.shown), so a finding stays one short line."""
    return " ".join(shown(word, LONGEST_WORD) for word in text.split(" "))


class Rule:
    """Base of every rule; subclasses set the class attributes and implement `check`."""

    id: ClassVar[str]
    concern: ClassVar[str]  # the concern that owns the rule (function, queue, workflow ...)
    summary: ClassVar[str]  # one line: what must hold
    rationale: ClassVar[str]  # why: what goes wrong on AWS (or for the bank) when it does not
    source: ClassVar[str]  # where the fact comes from: AWS docs URL, or the svcgen design note
    severity: ClassVar[str] = "error"
    kind: ClassVar[str] = ""  # "spec" | "fleet" | "template", set by the kind's base class
    # Whether the platform team's waivers file may accept a finding of it: only its own policy
    # rules (check/platform_rules.py). What AWS or svcgen needs cannot be waived into working.
    waivable: ClassVar[bool] = False
    prefix: ClassVar[str] = ""

    def error(self, doc: "Document", path: tuple, message: str, hint: str = "") -> SpecError:
        return dataclasses.replace(doc.error(tuple(path), _cut(message), _cut(hint)), rule=self.id,
                                   severity=self.severity)


class SpecRule(Rule):
    """Checks one service's spec. `ctx.fleet` is there to look up other services (contracts,
    publishers); a rule that judges the fleet as a whole is a `FleetRule`."""

    kind = "spec"
    prefix = "SVC1"

    def check(self, ctx: "SpecContext") -> Iterable[SpecError]:
        raise NotImplementedError


class FleetRule(Rule):
    """Checks every spec of the build at once."""

    kind = "fleet"
    prefix = "SVC2"

    def check(self, fleet: "Fleet") -> Iterable[SpecError]:
        raise NotImplementedError


class TemplateRule(Rule):
    """Checks what svcgen rendered for one service, pointing back at the spec."""

    kind = "template"
    prefix = "SVC3"

    def check(self, ctx: "TemplateContext") -> Iterable[SpecError]:
        raise NotImplementedError


@dataclass(frozen=True)
class Subscription:
    """One subscription of a spec, wherever it is written: a function's `subscribe` entry or a
    workflow's `started_by` entry. Both deliver events into a queue, so every rule about
    subscriptions sees both through `SpecContext.subscriptions()`."""

    path: tuple  # key path of the entry, e.g. ("workflows", "onboard", "started_by", 0)
    sub: Any  # spec.base.Subscription
    owner_kind: str  # "function" | "workflow"
    owner: str  # the function's or workflow's name
    owner_spec: Any  # FunctionSpec | WorkflowSpec

    @property
    def publisher(self) -> str | None:
        """The service that publishes the event (a store event without `from` is the spec's own)."""
        return self.sub.from_

    @property
    def event(self) -> str | None:
        return self.sub.event or self.sub.store

    @property
    def is_store(self) -> bool:
        return self.sub.store is not None


@dataclass(frozen=True)
class ServiceInput:
    doc: "Document"
    spec: "ServiceSpec"


@dataclass
class Fleet:
    """Every spec of the build (targets and the context they reference) and the platform."""

    platform_doc: "Document"
    platform: "PlatformSpec"
    services: list[ServiceInput]
    # Services whose spec file is there but invalid (its own errors say why): a rule that would
    # report them as missing stays silent, so one mistake does not cascade into a wrong message.
    broken: frozenset[str] = frozenset()
    # `(service, stage) -> physical names` of its template, as concerns/service/names.physical_names
    # derives them, for SVC2910; a build hands its service cache's (service_cache.py), so a service
    # whose inputs did not change is not rendered again. None: derive them here.
    physical_names: Callable[[ServiceInput, Any], list] | None = None

    def __post_init__(self) -> None:
        self.by_name: dict[str, ServiceInput] = {}
        for item in self.services:
            self.by_name.setdefault(item.spec.service, item)

    def contract(self, publisher: str | None, event: str | None):
        """The contract of `event` owned by `publisher`, or None when either is unknown."""
        item = self.by_name.get(publisher or "")
        return item.spec.events.get(event or "") if item else None


@dataclass
class SpecContext:
    doc: "Document"
    spec: "ServiceSpec"
    platform: "PlatformSpec"
    fleet: Fleet

    def subscriptions(self) -> Iterator[Subscription]:
        yield from subscriptions_of(self.spec)

    def contract_of(self, site: Subscription):
        """The contract of the event a subscription receives (own store events included)."""
        return self.fleet.contract(site.publisher or self.spec.service, site.event)


@dataclass
class TemplateContext:
    doc: "Document"
    spec: "ServiceSpec"
    platform: "PlatformSpec"
    template: dict  # the rendered template as data
    text: str  # the serialized template, as it is written and uploaded
    origins: dict[str, tuple]  # logical id -> spec key path
    # Logical IDs rendered twice (render_context.Collision): RenderContext.collisions. Rendering
    # keeps the first and goes on; SVC3001 reports each at the spec key that made it.
    collisions: tuple = ()


def subscriptions_of(spec) -> Iterator[Subscription]:
    for name, fn in spec.functions.items():
        for i, sub in enumerate(fn.subscribe):
            yield Subscription(("functions", name, "subscribe", i), sub, "function", name, fn)
    for name, wf in spec.workflows.items():
        for i, sub in enumerate(wf.started_by):
            yield Subscription(("workflows", name, "started_by", i), sub, "workflow", name, wf)
