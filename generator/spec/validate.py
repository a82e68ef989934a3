"""Document -> typed model, with every pydantic error turned into a SpecError at its key's line.

Messages follow one shape: what must hold, then what was given, plus a hint where one helps
(the closest allowed key for a typo, the allowed values, the valid range).
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import SpecError, SpecErrors
from generator.spec.load import Document

M = TypeVar("M", bound=BaseModel)


def validate_document(doc: Document, model: type[M]) -> M:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = [translate(doc, model, err) for err in exc.errors(include_url=False)]
        raise SpecErrors(errors) from None


def translate(doc: Document, model: type[BaseModel], err: dict[str, Any]) -> SpecError:
    path = _document_path(err["loc"])
    given = _given(err.get("input"))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    hint = ""
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, path[:-1])
        message = f"unknown key {path[-1]!r}"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
    elif kind == "missing":
        message = "is required but missing"
        parent_keys = allowed_keys(model, path[:-1])
        hint = f"add `{path[-1]}:`" if path[-1] in parent_keys else ""
        return doc.error(path[:-1] or (), f"{_dotted_key(path)} {message}", hint)
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        symbol = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()))
        message = f"must be {symbol} {bound}, got {given}"
        hint = _range_hint(model, path)
    elif kind == "string_pattern_mismatch":
        message = f"must match {ctx.get('pattern')}, got {given}"
    elif kind in ("too_short", "string_too_short"):
        message = f"must have at least {ctx.get('min_length')} item(s)/character(s), got {given}"
    elif kind in ("too_long", "string_too_long"):
        message = f"must have at most {ctx.get('max_length')} item(s)/character(s), got {given}"
    elif kind == "value_error":
        message = f"{err['msg'].removeprefix('Value error, ')}"
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        expected = kind.split("_")[0].replace("model", "mapping").replace("dict", "mapping")
        expected = {"int": "an integer", "bool": "true or false", "string": "a string", "list": "a list",
                    "mapping": "a mapping", "float": "a number"}.get(expected, expected)
        message = f"must be {expected}, got {given}"
    else:
        message = f"{err['msg']}, got {given}"
    return doc.error(path, message, hint)


def _document_path(loc: tuple) -> tuple:
    # pydantic appends "[key]" segments for dict keys that failed their own constraint.
    return tuple(p.removesuffix("[key]") if isinstance(p, str) else p for p in loc if p != "[key]")


def _dotted_key(path: tuple) -> str:
    return f"`{path[-1]}`" if path else "value"


def _given(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_by_key(model: type[BaseModel], key: str):
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _inner(annotation: Any) -> Any:
    """Unwrap Optional / list[X] / dict[str, X] to X."""
    args = getattr(annotation, "__args__", None)
    if not args:
        return annotation
    candidates = [a for a in args if a is not type(None)]
    for candidate in reversed(candidates):
        inner = _inner(candidate)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return candidates[-1] if candidates else annotation


def allowed_keys(model: type[BaseModel], path: tuple) -> list[str]:
    target = _resolve_dict_values(model, path)
    if target is None:
        return []
    return sorted(field.alias or name for name, field in target.model_fields.items())


def _resolve_dict_values(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    """Walk `path`, treating keys of free-form dicts (like function names) as transparent."""
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = _field_by_key(current, part)
        if field is None:
            continue  # a user-chosen key of a dict[str, Model]
        inner = _inner(field.annotation)
        current = inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None
    return current


def _range_hint(model: type[BaseModel], path: tuple) -> str:
    parent = _resolve_dict_values(model, path[:-1])
    field = _field_by_key(parent, path[-1]) if parent and isinstance(path[-1], str) else None
    if field is None:
        return ""
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    return f"valid range {low}–{high}" if low is not None and high is not None else ""
