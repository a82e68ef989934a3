"""Sample payloads for the generated tests, built from the contracts.

Valid samples fill every field (optional ones too, so a handler's test sees the full shape);
the invalid variant puts a value of the wrong type into the first field, which fails validation
whether that field is required or not.
"""

from __future__ import annotations

from typing import Any

from generator.codegen.contracts import EventModel, FieldModel

SAMPLE = {
    "integer": 12345,
    "number": 1.5,
    "decimal": "12.34",
    "boolean": True,
    "datetime": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "object": {},
}
WRONG = {
    "string": 12345,
    "integer": "not-a-number",
    "number": "not-a-number",
    "decimal": "not-a-number",
    "boolean": "not-a-boolean",
    "datetime": "not-a-datetime",
    "date": "not-a-date",
    "object": "not-an-object",
    "list": "not-a-list",
}


def value(field: FieldModel) -> Any:
    if field.type == "list":
        return [_scalar(field.items, field.wire)]
    return _scalar(field.type, field.wire)


def _scalar(kind: str, name: str) -> Any:
    if kind == "string":
        return f"{name}-1"
    if name == "revision" and kind == "integer":
        return 1
    return SAMPLE[kind]


def sample_detail(model: EventModel, base: EventModel | None = None) -> dict[str, Any]:
    """A valid `detail` for `model` (a Stored variant also needs its base's fields)."""
    fields = (base.fields if base else ()) + model.fields
    detail = {f.wire: value(f) for f in fields}
    detail["schema_version"] = model.version
    return detail


def invalid_field(model: EventModel, base: EventModel | None = None) -> tuple[str, Any]:
    first = (base or model).fields[0]
    return first.wire, WRONG[first.type]
