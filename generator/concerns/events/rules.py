"""Rules of the events a service owns (`publishes`, `event_store.events`) and their contracts
(`events:`), and of the contracts its subscriptions rely on.

Contracts live in the owning service's spec: the publisher owns the payload, and a subscriber's
typed models are generated from the publisher's contract.
"""

from __future__ import annotations

import difflib
import keyword

from generator.codegen.contracts import build_models, reserved_field, wanted
from generator.rules.base import DESIGN_NOTES, FleetRule, SpecRule, subscriptions_of

EVENTBRIDGE_EVENTS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html"


def owned(spec):
    """(key path, event) of every event the service owns."""
    result = [(("publishes", i), e) for i, e in enumerate(spec.publishes)]
    if spec.event_store is not None:
        result += [(("event_store", "events", i), e) for i, e in enumerate(spec.event_store.events)]
    return result


class PublishOnce(SpecRule):
    id = "SVC1701"
    concern = "events"
    summary = "`publishes` lists each event once"
    rationale = "a repeated entry is a copy-paste slip; it hides which events the service really owns"
    source = DESIGN_NOTES

    def check(self, ctx):
        seen: dict[str, int] = {}
        for i, event in enumerate(ctx.spec.publishes):
            if event in seen:
                yield self.error(ctx.doc, ("publishes", i), f"must list each event once, got {event} again",
                                 f"already at publishes[{seen[event]}]; remove one")
            seen.setdefault(event, i)


class EventNamesNotKeywords(SpecRule):
    id = "SVC1702"
    concern = "events"
    summary = "event names are not Python keywords"
    rationale = "each event becomes a class in the generated models: a keyword does not parse"
    source = "https://docs.python.org/3/reference/lexical_analysis.html#keywords"

    def check(self, ctx):
        for path, event in owned(ctx.spec):
            if keyword.iskeyword(event):
                yield self.error(ctx.doc, path, f"event names must not be a Python keyword, got {event!r}",
                                 "it becomes a class in the generated models; rename it")


class OwnedEventHasContract(SpecRule):
    id = "SVC1703"
    concern = "events"
    summary = "every event a service owns has a contract under `events:`"
    rationale = "subscribers' models, validation and masking of sensitive fields are generated from the contract"
    source = DESIGN_NOTES

    def check(self, ctx):
        for path, event in owned(ctx.spec):
            if event not in ctx.spec.events:
                yield self.error(ctx.doc, path, f"every event a service owns needs a contract, got none for {event}",
                                 f"add `events: {{{event}: {{version: 1, fields: {{...}}}}}}`")


class ContractIsUsed(SpecRule):
    id = "SVC1704"
    concern = "events"
    summary = "a contract is for an event the service publishes or stores"
    rationale = "a contract for an event nobody owns is a typo or a leftover, and misleads subscribers"
    source = DESIGN_NOTES

    def check(self, ctx):
        names = {event for _, event in owned(ctx.spec)}
        for event in ctx.spec.events:
            if event not in names:
                yield self.error(ctx.doc, ("events", event), f"a contract must be for an event this service publishes "
                                 f"or stores, got {event}", "add it to `publishes` or `event_store.events`")


class ListFieldItems(SpecRule):
    id = "SVC1705"
    concern = "events"
    summary = "a list field says its item type; `items` only on list fields"
    rationale = "the generated model validates every element against that type"
    source = DESIGN_NOTES

    def check(self, ctx):
        for event, contract in ctx.spec.events.items():
            for name, field in contract.fields.items():
                path = ("events", event, "fields", name)
                if field.type == "list" and field.items is None:
                    yield self.error(ctx.doc, path, "a list field must say the type of its items, got no `items`",
                                     "add `items: string`, or another element type")
                if field.type != "list" and field.items is not None:
                    yield self.error(ctx.doc, path + ("items",), f"is only allowed on a list field, got type {field.type}")


class FieldNamesNotReserved(SpecRule):
    id = "SVC1706"
    concern = "events"
    summary = "contract field names are not `schema_version` nor pydantic's `model_*`"
    rationale = "svcgen adds schema_version to every event, and pydantic reserves model_* attributes: the "\
                "generated model would not load"
    source = "https://docs.pydantic.dev/latest/concepts/models/"

    def check(self, ctx):
        for event, contract in ctx.spec.events.items():
            for name in contract.fields:
                if reserved_field(name):
                    yield self.error(ctx.doc, ("events", event, "fields", name),
                                     f"field names must not be reserved, got {name!r}",
                                     "svcgen adds schema_version; pydantic reserves model_*; rename the field")


class SubscribedContractKnown(SpecRule):
    id = "SVC1707"
    concern = "events"
    summary = "a subscription's publisher is in the build (a target or loaded as context), so its contract is known"
    rationale = "the subscriber's typed model is generated from the publisher's contract"
    source = DESIGN_NOTES

    def check(self, ctx):
        for site in ctx.subscriptions():
            publisher = site.publisher or ctx.spec.service
            # A publisher in the build lists the event with its contract, or other rules say why not.
            if site.event is not None and publisher not in ctx.fleet.by_name and publisher not in ctx.fleet.broken:
                yield self.error(ctx.doc, site.path, f"needs the contract of {site.event} from {publisher}, got no "
                                 f"spec for {publisher} in this build",
                                 f"put {publisher}.yaml beside platform.yaml, or pass the manifest its build wrote with "
                                 f"--manifests PATH")


class ModelNamesDistinct(SpecRule):
    id = "SVC1708"
    concern = "events"
    summary = "the generated model classes of a service's events have distinct names"
    rationale = "all of a service's models live in one module; e.g. a published `StoredPayment` and the stored "\
                "form of `Payment` would be one class"
    source = DESIGN_NOTES

    def check(self, ctx):
        contracts = {(s.spec.service, name): c for s in ctx.fleet.services for name, c in s.spec.events.items()}
        clashes: list = []
        build_models(wanted(ctx.spec), contracts, clashes)
        for path, message, hint in clashes:
            yield self.error(ctx.doc, path, message, hint)


class SubscribedEventPublished(FleetRule):
    id = "SVC2701"
    concern = "events"
    summary = "a bus subscription to a service in the build names an event that service publishes"
    rationale = "an event nobody publishes never arrives: the subscriber silently waits forever"
    source = EVENTBRIDGE_EVENTS

    def check(self, fleet):
        for item in fleet.services:
            for site in subscriptions_of(item.spec):
                sub = site.sub
                if sub.event is None or sub.store is not None or sub.from_ not in fleet.by_name:
                    continue  # publisher outside this build: nothing to check against
                publisher = fleet.by_name[sub.from_]
                events = publisher.spec.publishes
                if sub.event not in events:
                    close = difflib.get_close_matches(sub.event, events, n=1, cutoff=0.6)
                    listed = f"{publisher.doc.file} publishes: {', '.join(events) or 'nothing'}"
                    hint = (f"did you mean `{close[0]}`? {listed}" if close
                            else f"{listed}; add {sub.event} there if {sub.from_} should publish it")
                    yield self.error(item.doc, site.path + ("event",),
                                     f"must be an event that {sub.from_} publishes, got {sub.event}", hint)


EVENTBRIDGE_IAM = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html"


def function_publishes(spec):
    """(function, its `publishes` list) of every function that declares one."""
    return [(name, fn.publishes) for name, fn in spec.functions.items() if fn.publishes is not None]


class FunctionPublishesOwnEvents(SpecRule):
    id = "SVC1710"
    concern = "events"
    summary = "a function's `publishes` names only events of its service's `publishes`"
    rationale = "a function's PutEvents permission and publish helpers come from the service's events and their " \
                "contracts: an event outside them has neither, and publishing it would be denied"
    source = EVENTBRIDGE_IAM

    def check(self, ctx):
        events = ctx.spec.publishes
        for name, declared in function_publishes(ctx.spec):
            for i, event in enumerate(declared):
                if event in events:
                    continue
                close = difflib.get_close_matches(event, events, n=1, cutoff=0.6)
                listed = f"the service publishes: {', '.join(events) or 'nothing'}"
                hint = (f"did you mean `{close[0]}`? {listed}" if close
                        else f"{listed}; add {event} to the service's `publishes` (with a contract) first")
                yield self.error(ctx.doc, ("functions", name, "publishes", i),
                                 f"must be an event the service publishes, got {event}", hint)


class FunctionPublishesOnce(SpecRule):
    id = "SVC1711"
    concern = "events"
    summary = "a function's `publishes` lists each event once"
    rationale = "a repeated entry is a copy-paste slip; it hides which events the function really publishes"
    source = DESIGN_NOTES

    def check(self, ctx):
        for name, declared in function_publishes(ctx.spec):
            seen: dict[str, int] = {}
            for i, event in enumerate(declared):
                if event in seen:
                    yield self.error(ctx.doc, ("functions", name, "publishes", i),
                                     f"must list each event once, got {event} again",
                                     f"already at functions.{name}.publishes[{seen[event]}]; remove one")
                seen.setdefault(event, i)


class PublishedEventHasPublisher(SpecRule):
    id = "SVC1712"
    concern = "events"
    severity = "warning"
    summary = "once functions declare `publishes`, each event of the service's `publishes` is declared by one"
    rationale = "once any function declares `publishes`, a function that declares nothing may publish nothing; " \
                "an event no function declares is never published, and its subscribers wait forever"
    source = EVENTBRIDGE_IAM

    def check(self, ctx):
        declared = function_publishes(ctx.spec)
        if not declared:
            return  # every function may publish every event (the service-wide default)
        covered = {event for _, events in declared for event in events}
        silent = sorted(name for name, fn in ctx.spec.functions.items() if fn.publishes is None)
        for i, event in enumerate(ctx.spec.publishes):
            if event in covered:
                continue
            others = (f"; {', '.join(silent)} declare{'s' if len(silent) == 1 else ''} no `publishes`, so may "
                      f"publish nothing" if silent else "")
            yield self.error(ctx.doc, ("publishes", i),
                             f"must be published by some function, got {event}, which no function's `publishes` "
                             f"lists{others}",
                             f"add {event} to `publishes` of the function that publishes it, or remove it here")
