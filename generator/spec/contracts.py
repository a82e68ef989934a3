"""Event contracts: every event a service owns has one, and every subscription names an event
whose contract is known in this build (its publisher's spec is a target or loaded as context).

Contracts live in the owning service's spec (`events:`), next to `publishes` and `event_store`:
the publisher owns the payload, one file says everything about a service, and a subscriber's
typed models are generated from the publisher's contract.
"""

from __future__ import annotations

from generator.errors import SpecError
from generator.spec.rules_v2 import subscriptions_of


def check_contracts(services) -> list[SpecError]:
    return [*_owned_events_have_contracts(services), *_contracts_are_used(services),
            *_list_items(services), *_subscriptions_have_contracts(services), *check_workflow_ids(services)]


def _owned_events_have_contracts(services):
    for item in services:
        spec = item.spec
        owned = [(("publishes", i), e) for i, e in enumerate(spec.publishes)]
        if spec.event_store:
            owned += [(("event_store", "events", i), e) for i, e in enumerate(spec.event_store.events)]
        for path, event in owned:
            if event not in spec.events:
                yield item.doc.error(path, f"every event a service owns needs a contract, got none for {event}",
                                     f"add `events: {{{event}: {{version: 1, fields: {{...}}}}}}`")


def _contracts_are_used(services):
    for item in services:
        spec = item.spec
        owned = set(spec.publishes) | set(spec.event_store.events if spec.event_store else ())
        for event in spec.events:
            if event not in owned:
                yield item.doc.error(("events", event), f"a contract must be for an event this service publishes "
                                     f"or stores, got {event}", "add it to `publishes` or `event_store.events`")


def _list_items(services):
    for item in services:
        for event, contract in item.spec.events.items():
            for name, field in contract.fields.items():
                path = ("events", event, "fields", name)
                if field.type == "list" and field.items is None:
                    yield item.doc.error(path, "a list field must say the type of its items, got no `items`",
                                         "add `items: string`, or another element type")
                if field.type != "list" and field.items is not None:
                    yield item.doc.error(path + ("items",), f"is only allowed on a list field, got type {field.type}")


def _subscriptions_have_contracts(services):
    specs = {item.spec.service: item.spec for item in services}
    for item in services:
        for path, sub in subscriptions_of(item.spec):
            event = sub.event or sub.store
            publisher = sub.from_ or item.spec.service
            # A publisher in the build either lists the event with its contract or is reported by
            # the owner rules above / subscribed_events_are_published; only an absent one is new.
            if publisher not in specs:
                yield item.doc.error(path, f"needs the contract of {event} from {publisher}, got no spec for "
                                     f"{publisher} in this build", f"put {publisher}.yaml beside platform.yaml")


def check_workflow_ids(services) -> list[SpecError]:
    """A workflow started by events copies `ids` from them: each must be a required, non-sensitive
    string field of every starting event's contract (anything else would leak or be missing)."""
    specs = {item.spec.service: item.spec for item in services}
    errors = []
    for item in services:
        for name, wf in item.spec.workflows.items():
            if wf.started_by and not wf.ids:
                errors.append(item.doc.error(("workflows", name, "started_by"),
                                             "a workflow started by events must name the identifier fields it "
                                             "takes from them, got no `ids`", "add `ids: [application_id]`"))
            for i, field_name in enumerate(wf.ids):
                for sub in wf.started_by:
                    contract = specs.get(sub.from_) and specs[sub.from_].events.get(sub.event or "")
                    field = contract.fields.get(field_name) if contract else None
                    if contract and (field is None or not field.required or field.sensitive
                                     or field.type != "string"):
                        errors.append(item.doc.error(
                            ("workflows", name, "ids", i),
                            f"must be a required, non-sensitive string field of {sub.event}, got {field_name!r}",
                            f"{sub.event} fields: {', '.join(contract.fields)}"))
    return errors
