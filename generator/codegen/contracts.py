"""Event contracts -> descriptions of the pydantic models a service's plumbing needs.

A service gets models for exactly the events it subscribes to (from each publisher's contract),
publishes and stores. A subscription to an event store's fan-out gets a `Stored<Event>` variant
that adds `aggregate_id` and `revision`, which the fan-out puts next to the event's fields.

Field names are lower_snake_case (spec/model.py FIELD_NAME), so the CamelCase names the models
module uses for types (`Date`, `List`, `StrictStr`, …) can never be shadowed by a field; a field
that is a Python keyword (`from`) becomes `from_` with the wire name as its alias.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass

from generator.codegen.literals import py
from generator.concerns.events.spec import EventContract, FieldSpec

# Contract type -> (annotation in models.py, annotation in publish.py's signatures).
# Strict where lax parsing would change meaning: "5" is not an amount, "yes" not a boolean.
# Datetimes must carry a time zone: a naive time is ambiguous in a bank's records.
# Decimals travel as JSON strings, which keeps them exact (JSON numbers become floats).
TYPES = {
    "string": ("StrictStr", "str"),
    "integer": ("StrictInt", "int"),
    "number": ("StrictFloat", "float"),
    "decimal": ("Decimal", "Decimal"),
    "boolean": ("StrictBool", "bool"),
    "datetime": ("AwareDatetime", "datetime"),
    "date": ("Date", "date"),
    "object": ("JsonObject", "dict[str, Any]"),
}
# Added by svcgen, never by a contract: a contract field of the same name would be ambiguous.
RESERVED_FIELDS = ("schema_version",)


def reserved_field(name: str) -> bool:
    """svcgen adds schema_version; pydantic reserves every `model_` attribute of a model."""
    return name in RESERVED_FIELDS or name.startswith("model_")


# Names models.py defines or imports: an event class must not take one of them.
MODULE_NAMES = frozenset({"Any", "AwareDatetime", "BaseModel", "ClassVar", "ConfigDict", "Date", "Decimal",
                          "Envelope", "Event", "Field", "InvalidEvent", "JsonObject", "List", "Literal",
                          "StrictBool", "StrictFloat", "StrictInt", "StrictStr", "SUBSCRIBED", "parse",
                          "parse_envelope", "SENSITIVE_FIELDS"})


@dataclass(frozen=True)
class FieldModel:
    name: str  # the Python attribute (and publish keyword)
    wire: str  # the JSON key
    type: str  # contract type
    items: str | None
    required: bool
    sensitive: bool
    description: str | None

    @property
    def annotation(self) -> str:
        if self.type == "list":
            base = f"List[{TYPES[self.items][0]}]"
        else:
            base = TYPES[self.type][0]
        return base if self.required else f"{base} | None"

    @property
    def python_type(self) -> str:
        base = f"list[{TYPES[self.items][1]}]" if self.type == "list" else TYPES[self.type][1]
        return base if self.required else f"{base} | None"

    @property
    def declaration(self) -> str:
        """`name: annotation[ = Field(...)]`: what follows the name in the class body."""
        args = [] if self.required else ["None"]
        if self.wire != self.name:
            args.append(f"alias={py(self.wire)}")
        if self.sensitive:
            args.append("repr=False")  # never in a repr, an f-string or a traceback's locals
            args.append('json_schema_extra={"sensitive": True}')
        if self.description:
            args.append(f"description={py(self.description)}")
        if args == ["None"]:
            return f"{self.annotation} = None"
        return f"{self.annotation} = Field({', '.join(args)})" if args else self.annotation


@dataclass(frozen=True)
class EventModel:
    class_name: str
    event: str  # EventBridge detail-type / stored event type
    publisher: str  # the service whose contract this is
    version: int
    description: str | None
    fields: tuple[FieldModel, ...]
    base: str | None = None  # set on a Stored<Event> variant: the class it extends

    @property
    def sensitive_fields(self) -> tuple[str, ...]:
        return tuple(f.wire for f in self.fields if f.sensitive)


@dataclass(frozen=True)
class Wanted:
    """An event a service needs a model for; `stored` when it arrives from a store's fan-out."""

    publisher: str
    event: str
    stored: bool
    path: tuple  # where in the spec it is asked for (for errors)


def wanted(spec) -> list[Wanted]:
    """The events a service's models.py needs: those it owns (published or stored) and those its
    functions consume (a store subscription also needs the stored form)."""
    result = [Wanted(spec.service, e, False, ("publishes", i)) for i, e in enumerate(spec.publishes)]
    if spec.event_store:
        result += [Wanted(spec.service, e, False, ("event_store", "events", i))
                   for i, e in enumerate(spec.event_store.events)]
    for name, fn in spec.functions.items():
        for i, sub in enumerate(fn.subscribe):
            if sub.store is not None or sub.event is not None:
                result.append(Wanted(sub.from_ or spec.service, sub.store or sub.event, sub.store is not None,
                                     ("functions", name, "subscribe", i)))
    return result


def field_model(name: str, spec: FieldSpec) -> FieldModel:
    attr = f"{name}_" if keyword.iskeyword(name) else name
    return FieldModel(attr, name, spec.type, spec.items, spec.required, spec.sensitive, spec.description)


def build_models(wanted: list[Wanted], contracts: dict[tuple[str, str], EventContract],
                 clashes: list[tuple[tuple, str, str]]) -> dict[tuple[str, str, bool], EventModel]:
    """(publisher, event, stored) -> model, for every wanted event whose contract is known and valid.

    An event name used by two publishers gets the publisher's name as a prefix, so both fit in
    one module; any other clash is appended to `clashes` as (spec key path that asked for the
    event, what must hold, hint): rule SVC1708 reports them before any code is generated.
    """
    keys = sorted({(w.publisher, w.event) for w in wanted})
    by_event: dict[str, list[str]] = {}
    for publisher, event in keys:
        by_event.setdefault(event, []).append(publisher)
    result: dict[tuple[str, str, bool], EventModel] = {}
    taken: dict[str, tuple[str, str, bool]] = {}
    for w in sorted(wanted, key=lambda w: (w.publisher, w.event, w.stored)):
        key = (w.publisher, w.event, w.stored)
        if key in result:
            continue
        contract = contracts.get((w.publisher, w.event))
        if contract is None or any(reserved_field(n) for n in contract.fields):
            continue  # reported by the contract rules (concerns/events): validation runs before codegen
        name = w.event if len(by_event[w.event]) == 1 else _pascal(w.publisher) + w.event
        if name in MODULE_NAMES:
            name = _pascal(w.publisher) + w.event
        plain = EventModel(name, w.event, w.publisher, contract.version, contract.description,
                           tuple(field_model(n, f) for n, f in contract.fields.items()))
        for model, stored in ((plain, False), (_stored(plain), True)):
            if stored and not w.stored:
                continue
            owner = taken.setdefault(model.class_name, (w.publisher, w.event, stored))
            if owner != (w.publisher, w.event, stored):
                clashes.append((w.path, f"the model name {model.class_name} is taken by {owner[1]} of {owner[0]}",
                                "rename one of the events"))
                continue
            result[(w.publisher, w.event, stored)] = model
    return result


def _stored(model: EventModel) -> EventModel:
    identity = (FieldModel("aggregate_id", "aggregate_id", "string", None, True, False,
                           "the aggregate the event belongs to (the store's partition key)"),
                FieldModel("revision", "revision", "integer", None, True, False,
                           "the event's position in its aggregate: 1, 2, 3, ..."))
    return EventModel(f"Stored{model.class_name}", model.event, model.publisher, model.version,
                      model.description, identity, base=model.class_name)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def imports(models: list[EventModel]) -> dict[str, list[str]]:
    """module -> names that models.py must import for `models` (exactly those: no unused import)."""
    heads = set()
    for field in (f for m in models for f in m.fields):
        heads.add(field.annotation.split("[")[0].split(" ")[0])
        if field.items:
            heads.add(TYPES[field.items][0])
    pydantic = {"BaseModel", "ConfigDict"} | (heads & {"AwareDatetime", "StrictBool", "StrictFloat", "StrictInt",
                                                        "StrictStr"})
    if any("Field(" in f.declaration for m in models for f in m.fields):
        pydantic.add("Field")
    typing = {"Any"} | ({"ClassVar", "Literal"} if models else set())
    result = {"pydantic": sorted(pydantic), "typing": sorted(typing)}
    if "Decimal" in heads:
        result["decimal"] = ["Decimal"]
    return result
