"""A service's AsyncAPI 3.0.0 document: the events it sends and receives, payloads from contracts.

Channels (one per event, named `<publisher>.<Event>`, or `<publisher>.store.<Event>` for an
event store's fan-out, so the same event name of two publishers or of the bus and a store never
clash):
- each milestone the service publishes on the bus (operation `send.<channel>`);
- each event of its store when the store fans out (to its SNS store topic; `send.<channel>`);
- each bus event and fanned-out store event it subscribes to (`receive.<channel>.<subscriber>`,
  one per subscribing function or workflow, with its filter as `x-filter`).

Payloads are the event's `detail` as JSON Schema (draft-07, which AsyncAPI 3 schemas extend),
made from the publisher's contract plus the `schema_version` svcgen puts in every event (and the
fan-out's `aggregate_id` and `revision` for a stored event). A received event's contract is its
publisher's: when the publisher is not in the fleet, the channel has no message and says so.

AsyncAPI has no EventBridge binding (its bindings list has sns and sqs, not eventbridge), and a
server needs a host a bus does not have, so there is no `servers`; where the events travel is in
`x-eventbridge` (the platform's bus and region, the service's `source`) and each channel's
`x-envelope` (the `source` and `detail-type` its events carry; a store's fan-out publishes the
same EventBridge-style envelope to SNS).
"""

from __future__ import annotations

from typing import Any

ASYNCAPI_VERSION = "3.0.0"
CONTENT_TYPE = "application/json"
# A decimal travels as a JSON string (exact; a JSON number would become a float): what Python's
# str(Decimal) writes for a finite value, e.g. "12.34", "-0.5", "1E+3".
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$"
SCALARS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "object": {"type": "object"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "decimal": {"type": "string", "pattern": DECIMAL_PATTERN},
}
STORED_IDENTITY = {
    "aggregate_id": {"type": "string", "description": "the aggregate the event belongs to (the store's partition key)"},
    "revision": {"type": "integer", "minimum": 1,
                 "description": "the event's position in its aggregate: 1, 2, 3, ..."},
}


def asyncapi_document(view, views_by_name: dict[str, Any], platform) -> dict[str, Any]:
    """The AsyncAPI document of `view`, its received events' contracts looked up in `views_by_name`."""
    channels: dict[str, dict[str, Any]] = {}
    operations: dict[str, dict[str, Any]] = {}
    messages: dict[str, dict[str, Any]] = {}

    for event in view.publishes:
        senders = [f.name for f in view.functions if event in f.publishes]
        channel = _channel(view.service, event, False, view, platform, channels, messages)
        operations[f"send.{channel}"] = _operation(
            "send", channel, channels, f"{view.service} publishes {event} on the bus",
            f"Published by {_names(senders, 'function')}." if senders else None)
    if view.store_fan_out:
        for event in view.stores:
            channel = _channel(view.service, event, True, view, platform, channels, messages)
            operations[f"send.{channel}"] = _operation(
                "send", channel, channels, f"{view.service} stores {event}; its event store fans it out",
                "Appended to the service's event store; the store's fan-out publishes each new event to "
                "its SNS store topic.")
    for sub in view.subscriptions:
        publisher = views_by_name.get(sub.publisher)
        channel = _channel(sub.publisher, sub.event, sub.kind == "store", publisher, platform, channels, messages)
        op = _operation("receive", channel, channels,
                        f"{sub.subscriber} ({sub.subscriber_kind}) receives {sub.event} from {sub.publisher}"
                        + (" (stored)" if sub.kind == "store" else ""), None)
        if sub.filter:
            op["x-filter"] = sub.filter
        key = base = f"receive.{channel}.{sub.subscriber}"
        n = 2
        while key in operations:  # a function and a workflow of one name, or two filters on one event
            key, n = f"{base}.{n}", n + 1
        operations[key] = op

    info: dict[str, Any] = {
        "title": f"{view.service} events",
        "version": api_version(view),
        "description": view.description or f"The events of {view.service}.",
        "contact": {"name": view.owner, **({"email": view.alert_emails[0]} if view.alert_emails else {})},
        "x-owner": view.owner,
        "x-system": view.system,
    }
    doc: dict[str, Any] = {
        "asyncapi": ASYNCAPI_VERSION,
        "id": f"urn:{platform.org}:{view.service}",
        "info": info,
        "defaultContentType": CONTENT_TYPE,
        "x-eventbridge": {"bus": platform.bus.name, "region": platform.region,
                          "source": event_source(platform.org, view.service)},
    }
    doc["channels"] = dict(sorted(channels.items()))
    doc["operations"] = dict(sorted(operations.items()))
    if messages:
        doc["components"] = {"messages": dict(sorted(messages.items()))}
    return doc


def api_version(view) -> str:
    """`<highest contract version>.0.0`: a contract's version is bumped on a breaking change only,
    which is what a semver major means; additive changes are not versioned by contracts, so minor
    and patch stay 0. A service without contracts (it only receives) is 1.0.0."""
    versions = [int(c.get("version", 1)) for c in view.contracts.values()]
    return f"{max(versions, default=1)}.0.0"


def payload_schema(contract: dict[str, Any], stored: bool = False) -> dict[str, Any]:
    """The event's `detail` as JSON Schema: the contract's fields, `schema_version` (a const of the
    contract's version), and for a stored event the fan-out's `aggregate_id` and `revision`.
    An optional field may be absent or null; a sensitive one is marked `x-sensitive: true`
    (masked in logs). Unknown fields are allowed: consumers ignore them (models ignore extras)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    if stored:
        properties.update({k: dict(v) for k, v in STORED_IDENTITY.items()})
        required += list(STORED_IDENTITY)
    for name, field in contract["fields"].items():
        properties[name] = field_schema(field)
        if field.get("required", True):
            required.append(name)
    version = int(contract.get("version", 1))
    properties["schema_version"] = {"type": "integer", "const": version,
                                    "description": "the contract's version; svcgen adds it to every event"}
    required.append("schema_version")
    schema: dict[str, Any] = {"type": "object"}
    if contract.get("description"):
        schema["description"] = contract["description"]
    schema["required"] = required
    schema["properties"] = properties
    return schema


def field_schema(field: dict[str, Any]) -> dict[str, Any]:
    kind = field["type"]
    if kind == "list":
        schema: dict[str, Any] = {"type": "array", "items": dict(SCALARS[field.get("items") or "string"])}
    else:
        schema = dict(SCALARS[kind])
    if not field.get("required", True):
        schema["type"] = [schema["type"], "null"]
    if field.get("description"):
        schema["description"] = field["description"]
    if field.get("sensitive"):
        schema["x-sensitive"] = True
    return schema


def event_source(org: str, service: str) -> str:
    from generator.concerns.subscription.resolve import event_source as source

    return source(org, service)


def store_source(org: str, service: str) -> str:
    from generator.concerns.subscription.resolve import store_source as source

    return source(org, service)


def channel_id(publisher: str, event: str, stored: bool) -> str:
    return f"{publisher}.store.{event}" if stored else f"{publisher}.{event}"


def _channel(publisher: str, event: str, stored: bool, publisher_view, platform,
             channels: dict[str, dict[str, Any]], messages: dict[str, dict[str, Any]]) -> str:
    """The channel of `event` of `publisher` (created once), its message in `messages` when the
    publisher's contract is known; returns the channel's id."""
    cid = channel_id(publisher, event, stored)
    if cid in channels:
        return cid
    where = f"{publisher}'s event store topic (fan-out)" if stored else "the bus"
    channel: dict[str, Any] = {"address": event, "title": f"{event} ({'stored, ' if stored else ''}from {publisher})"}
    contract = publisher_view.contracts.get(event) if publisher_view is not None else None
    if contract is None:
        why = (f"{publisher} is not in this fleet" if publisher_view is None
               else f"{publisher} has no contract for {event}")
        channel["description"] = f"{event} from {publisher} on {where}; {why}, so its payload is unknown."
    else:
        channel["description"] = f"{event} from {publisher} on {where}" + (
            f": {contract['description']}" if contract.get("description") else ".")
        mid = cid
        messages[mid] = _message(event, publisher, contract, stored)
        channel["messages"] = {event: {"$ref": f"#/components/messages/{mid}"}}
    org = platform.org
    channel["x-envelope"] = {"source": store_source(org, publisher) if stored else event_source(org, publisher),
                             "detail-type": event}
    channels[cid] = channel
    return cid


def _message(event: str, publisher: str, contract: dict[str, Any], stored: bool) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": event,
        "title": f"{'Stored ' if stored else ''}{event} v{contract.get('version', 1)}",
        "contentType": CONTENT_TYPE,
    }
    if contract.get("description"):
        message["summary"] = contract["description"]
    message["payload"] = payload_schema(contract, stored)
    message["x-publisher"] = publisher
    return message


def _operation(action: str, channel: str, channels: dict[str, dict[str, Any]], summary: str,
               description: str | None) -> dict[str, Any]:
    op: dict[str, Any] = {"action": action, "channel": {"$ref": f"#/channels/{channel}"}, "summary": summary}
    if description:
        op["description"] = description
    if channels[channel].get("messages"):
        op["messages"] = [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in channels[channel]["messages"]]
    return op


def _names(names: list[str], kind: str) -> str:
    return f"{kind}{'s' if len(names) > 1 else ''} {', '.join(names)}"
