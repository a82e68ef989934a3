"""The platform team's rules (SVC4xxx): policy for every service, configured in platform.yaml's
`rules:` (check/config.py) and run by `svcgen check` over the whole fleet.

Unlike SVC1–3 (what AWS or svcgen needs for the service to work at all), these are the
organisation's choices, so each may be set to `warning` or `off`, and a finding may be waived
by the platform team (check/waivers.py). They judge the fleet as it is declared complete by
`svcgen check`, which is why none of them runs in `build`: a service built alone cannot know who
consumes its events or what the rest of the fleet reserves.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from generator.errors import SpecError
from generator.rules.base import Fleet, Rule, ServiceInput, subscriptions_of

CHECKS_DOC = "docs/checks.md"
LAMBDA_RUNTIMES = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
LAMBDA_CONCURRENCY = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"
SQS_FIFO = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html"


@dataclass
class CheckContext:
    """What a platform rule sees: the fleet (its sound services), the day it is judged on, and
    the contracts of a baseline (the fleet as it was released) for SVC4010."""

    fleet: Fleet
    services: list[ServiceInput]  # the services of the fleet whose specs are sound
    stage: Any  # stages.Stage the values are resolved for
    today: date
    baseline: dict[str, Any] = field(default_factory=dict)  # service -> its released ServiceSpec
    # service -> its ResolvedService; check's render made most of them already (run.py)
    resolutions: dict = field(default_factory=dict)

    def resolved(self, item: ServiceInput):
        """The ResolvedService of `item` (defaults applied), made once per check."""
        from generator.resolve import resolve_service

        name = item.spec.service
        if name not in self.resolutions:
            self.resolutions[name] = resolve_service(item.spec, self.fleet.platform, self.stage)
        return self.resolutions[name]


class PlatformRule(Rule):
    """Base of the platform team's rules: severity and parameters from `rules.<config_key>`."""

    kind = "platform"
    prefix = "SVC4"
    waivable = True
    config_key: ClassVar[str]

    def config(self, ctx: CheckContext):
        return getattr(ctx.fleet.platform.rules, self.config_key)

    def run(self, ctx: CheckContext) -> list[SpecError]:
        """The rule's findings at its configured severity; none when it is `off`."""
        severity = self.config(ctx).severity or self.severity
        if severity == "off":
            return []
        return [dataclasses.replace(e, severity=severity) for e in self.check(ctx)]

    def check(self, ctx: CheckContext) -> Iterable[SpecError]:
        raise NotImplementedError


def _functions(item: ServiceInput) -> Iterator[tuple[str, Any]]:
    yield from sorted(item.spec.functions.items())


class Naming(PlatformRule):
    id = "SVC4001"
    concern = "service"
    config_key = "naming"
    summary = "service and function names match the platform's patterns (`rules.naming`)"
    rationale = ("names become stack, resource, alarm and dashboard names across the fleet; one scheme lets "
                 "operators and IAM policies (name prefixes) find a team's resources")
    source = CHECKS_DOC

    def check(self, ctx):
        config = self.config(ctx)
        for item in ctx.services:
            if config.service and not re.fullmatch(config.service, item.spec.service):
                yield self.error(item.doc, ("service",), f"service names must match {config.service!r}, got "
                                 f"{item.spec.service!r}", "rules.naming.service in platform.yaml")
            for name, _ in _functions(item) if config.function else ():
                if not re.fullmatch(config.function, name):
                    yield self.error(item.doc, ("functions", name), f"function names must match "
                                     f"{config.function!r}, got {name!r}", "rules.naming.function in platform.yaml")


class RuntimeSunset(PlatformRule):
    id = "SVC4002"
    concern = "service"
    config_key = "runtime_sunset"
    summary = "no service runs on a deprecated runtime after its sunset (`runtimes.sunset`; SVC1902 warns before)"
    rationale = ("past the platform's sunset a runtime is out of security support (Lambda then blocks creating "
                 "and updating functions on it): the fleet must have moved")
    source = LAMBDA_RUNTIMES

    def check(self, ctx):
        runtimes = ctx.fleet.platform.runtimes
        for item in ctx.services:
            runtime = item.spec.runtime or runtimes.default
            sunset = runtimes.sunset_of(runtime)
            if sunset is not None and ctx.today > sunset:
                yield self.error(item.doc, ("runtime",), f"runtime must not be past its sunset ({sunset.isoformat()}),"
                                 f" got {runtime!r} on {ctx.today.isoformat()}",
                                 f"move to one of: {', '.join(runtimes.allowed)}")


class Tags(PlatformRule):
    id = "SVC4003"
    concern = "service"
    config_key = "tags"
    summary = "every service has the tags the platform requires, and an owner the platform knows (`rules.tags`)"
    rationale = ("cost reports, data classification and on-call routing read tags and owners; a service "
                 "without them is nobody's and is billed to nobody")
    source = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

    def check(self, ctx):
        config = self.config(ctx)
        for item in ctx.services:
            missing = [t for t in config.required if t not in item.spec.tags]
            if missing:
                yield self.error(item.doc, ("tags",), f"tags must include {', '.join(config.required)}, got no "
                                 f"{', '.join(missing)}", "rules.tags.required in platform.yaml")
            if config.owners is not None and item.spec.owner not in config.owners:
                yield self.error(item.doc, ("owner",), f"owner must be one of the platform's teams, got "
                                 f"{item.spec.owner!r}", f"known: {', '.join(config.owners)} (rules.tags.owners)")


class Limits(PlatformRule):
    id = "SVC4004"
    concern = "function"
    config_key = "limits"
    summary = "a function's timeout and memory (defaults included) stay within the platform's limits (`rules.limits`)"
    rationale = ("long timeouts hide hung calls and hold queue messages invisible for as long; large memory is "
                 "paid per millisecond by every invocation")
    source = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"

    def check(self, ctx):
        config = self.config(ctx)
        for item in ctx.services:
            for fn in sorted(ctx.resolved(item).functions, key=lambda f: f.key):
                where = ("functions", fn.key)
                if config.max_timeout and fn.timeout > config.max_timeout:
                    yield self.error(item.doc, where + ("timeout",), f"timeout must be ≤ {config.max_timeout} s, "
                                     f"got {fn.timeout}", "rules.limits.max_timeout in platform.yaml")
                if config.max_memory and fn.memory > config.max_memory:
                    yield self.error(item.doc, where + ("memory",), f"memory must be ≤ {config.max_memory} MB, "
                                     f"got {fn.memory}", "rules.limits.max_memory in platform.yaml")


def _reserved(item: ServiceInput) -> list[tuple[str, int]]:
    return [(name, fn.reserved_concurrency) for name, fn in _functions(item) if fn.reserved_concurrency]


class ServiceConcurrency(PlatformRule):
    id = "SVC4005"
    concern = "function"
    config_key = "concurrency"
    summary = "one service reserves at most `rules.concurrency.per_service` concurrent executions"
    rationale = ("reserved concurrency is taken from the account's pool whether used or not; one service "
                 "reserving much starves every other")
    source = LAMBDA_CONCURRENCY

    def check(self, ctx):
        limit = self.config(ctx).per_service
        for item in ctx.services if limit else ():
            reserved = _reserved(item)
            total = sum(r for _, r in reserved)
            if total > limit:
                detail = ", ".join(f"{name}={r}" for name, r in reserved)
                yield self.error(item.doc, ("functions", reserved[0][0], "reserved_concurrency"),
                                 f"a service's reserved concurrency must be ≤ {limit}, got {total} ({detail})",
                                 "rules.concurrency.per_service in platform.yaml")


class FleetConcurrency(PlatformRule):
    id = "SVC4006"
    concern = "function"
    config_key = "concurrency"
    summary = "the whole fleet reserves at most `rules.concurrency.fleet_budget` concurrent executions"
    rationale = ("every service's reservation comes out of one account's pool; each service built alone fits, "
                 "so only the whole fleet shows when the sum does not")
    source = LAMBDA_CONCURRENCY

    def check(self, ctx):
        budget = self.config(ctx).fleet_budget
        reserved = [(item, name, r) for item in ctx.services for name, r in _reserved(item)]
        total = sum(r for _, _, r in reserved)
        if budget and total > budget:
            detail = ", ".join(f"{item.spec.service}.{name}={r}" for item, name, r in reserved)
            first: dict[str, tuple] = {}  # each reserving service, at its first reserving function
            for item, name, _ in reserved:
                first.setdefault(item.spec.service, (item, name))
            for item, name in (first[service] for service in sorted(first)):
                yield self.error(item.doc, ("functions", name, "reserved_concurrency"),
                                 f"the fleet's reserved concurrency must be ≤ {budget}, got {total} ({detail})",
                                 "lower reserved_concurrency somewhere, or raise rules.concurrency.fleet_budget")


class AlarmRecipients(PlatformRule):
    id = "SVC4007"
    concern = "alarms"
    config_key = "alarm_recipients"
    summary = "a service that subscribes to events names who is told when its dead-letter queues fill (`alerts.email`)"
    rationale = ("a message in a DLQ is a lost business event until someone replays it; an alarm nobody "
                 "receives is the same as no alarm")
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html"

    def check(self, ctx):
        for item in ctx.services:
            first = next(iter(subscriptions_of(item.spec)), None)
            if first is not None and not item.spec.alerts.email:
                yield self.error(item.doc, ("alerts",), "a subscribing service must name DLQ alarm recipients in "
                                 f"alerts.email, got none ({first.owner} subscribes to {first.event})",
                                 "add `alerts: {email: [team-oncall@example.com]}`")


class FifoReason(PlatformRule):
    id = "SVC4008"
    concern = "queue"
    config_key = "fifo_reason"
    summary = "a FIFO queue says why it must be FIFO (`queue.fifo_reason`)"
    rationale = ("FIFO queues cap throughput (300 messages/s per API action without high throughput mode) and "
                 "one failing message blocks its group; they are for order that truly matters")
    source = SQS_FIFO

    def check(self, ctx):
        for item in ctx.services:
            for name, fn in _functions(item):
                if fn.queue is not None and fn.queue.fifo and not fn.queue.fifo_reason:
                    yield self.error(item.doc, ("functions", name, "queue", "fifo"),
                                     "a FIFO queue must state why it is FIFO in queue.fifo_reason, got none",
                                     "say which order matters and per what (message group), or use a standard queue")


class UnconsumedEvents(PlatformRule):
    id = "SVC4009"
    concern = "events"
    config_key = "unconsumed_events"
    severity = "warning"
    summary = "every event a service publishes (or fans out from its store) has a subscriber in the fleet"
    rationale = ("an event nobody consumes is code, contract and cost without a reader: often a subscriber "
                 "that names it wrongly, or a leftover")
    source = CHECKS_DOC

    def check(self, ctx):
        consumed = _subscribers(ctx.fleet)
        for item in ctx.services:
            name = item.spec.service
            for i, event in enumerate(item.spec.publishes):
                if (name, event) not in consumed:
                    yield self.error(item.doc, ("publishes", i), f"a published event must have a subscriber in the "
                                     f"fleet, got none for {event!r}", "remove it, or check the subscriber's `event:`")
            store = item.spec.event_store
            for i, event in enumerate(store.events if store and store.fan_out else ()):
                if (name, event) not in consumed:
                    yield self.error(item.doc, ("event_store", "events", i), f"a fanned-out store event must have a "
                                     f"subscriber in the fleet, got none for {event!r}",
                                     "subscribe to it, or leave it out of the fan-out")


class ContractVersions(PlatformRule):
    id = "SVC4010"
    concern = "events"
    config_key = "contract_versions"
    summary = ("a contract with subscribers changes incompatibly (a field removed, retyped, or made optional) only "
               "with a new `version` (compared with `svcgen check --baseline`)")
    rationale = ("subscribers parse the payload with the contract they were built against; a field that "
                 "vanishes or changes type under the same version fails them at run time, and the event "
                 "lands in a DLQ")
    source = CHECKS_DOC

    def check(self, ctx):
        subscribers = _subscribers(ctx.fleet)
        for item in ctx.services:
            before = ctx.baseline.get(item.spec.service)
            for event, contract in sorted(item.spec.events.items()):
                old = before.events.get(event) if before is not None else None
                readers = subscribers.get((item.spec.service, event))
                if old is None or not readers or contract.version != old.version:
                    continue
                for change, path in _breaking(old, contract):
                    yield self.error(item.doc, ("events", event) + path,
                                     f"a contract with subscribers must get a new version for an incompatible change, "
                                     f"got {change} at version {contract.version}",
                                     f"bump events.{event}.version (subscribers: {', '.join(sorted(set(readers)))})")


def _subscribers(fleet: Fleet) -> dict[tuple[str, str], list[str]]:
    """(publisher, event) -> the services of the fleet that subscribe to it (bus or store)."""
    found: dict[tuple[str, str], list[str]] = {}
    for item in fleet.services:
        for site in subscriptions_of(item.spec):
            found.setdefault((site.publisher or item.spec.service, site.event), []).append(item.spec.service)
    return found


def _breaking(old, new) -> Iterator[tuple[str, tuple]]:
    for name, before in sorted(old.fields.items()):
        after = new.fields.get(name)
        if after is None:
            yield f"field {name!r} removed", ("fields",)
        elif (after.type, after.items) != (before.type, before.items):
            shown = lambda f: f.type + (f"[{f.items}]" if f.items else "")  # noqa: E731
            yield f"field {name!r} retyped from {shown(before)} to {shown(after)}", ("fields", name, "type")
        elif before.required and not after.required:  # a reader built on the old contract expects it
            yield f"field {name!r} made optional", ("fields", name, "required")
    # Fields added (required or not) are compatible: generated event models ignore unknown fields.


def platform_rules() -> tuple[PlatformRule, ...]:
    from generator.rules.registry import all_rules

    return tuple(r for r in all_rules() if isinstance(r, PlatformRule))


def check_platform(ctx: CheckContext) -> list[SpecError]:
    return [e for rule in platform_rules() for e in rule.run(ctx)]
