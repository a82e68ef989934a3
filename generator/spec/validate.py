"""Document -> typed model, with every pydantic error turned into a SpecError at its key's line.

Messages follow one shape: what must hold, then what was given, plus a hint where one helps
(the closest allowed key for a typo, the allowed values, the valid range, a corrected name).
Named patterns are explained in words; a raw regex is only shown for patterns nobody named.
"""

from __future__ import annotations

import difflib
import enum
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import SpecError, SpecErrors, dotted
from generator.spec import model as m
from generator.spec import platform as p
from generator.spec.load import Document

M = TypeVar("M", bound=BaseModel)

KEBAB = "kebab-case (lowercase letters, digits and '-', starting with a letter)"
# What each named pattern means, in the words a user needs to fix the value.
PATTERN_WORDS = {
    m.SERVICE_NAME: KEBAB,
    m.EVENT_NAME: "PascalCase (letters and digits, starting with an uppercase letter, like AccountOpened)",
    m.ENV_NAME: "letters, digits and '_' only, starting with a letter",
    m.HANDLER: "module.function (Python names joined by '.', like handlers.charge.handler)",
    m.EMAIL: "an e-mail address like name@example.com",
    m.TAG_KEY: "1–128 letters, digits, spaces or _ . : / = + - @",
    r"^[a-z0-9][a-z0-9-]*$": "lowercase letters, digits and '-', starting with a letter or digit",
    p.ORG: "2–10 lowercase letters and digits, starting with a letter",
    p.STAGE: "lowercase letters, digits and '-', starting with a letter, at most 20 characters",
    p.RUNTIME: "a Lambda runtime identifier like python3.12",
    r"^[a-z]{2}(-[a-z]+)+-\d$": "an AWS region like eu-west-1",
    r"^[a-z][a-z0-9-]{1,40}$": "2–41 lowercase letters, digits and '-', starting with a letter",
}
# What a value is called, by the key it sits under (for a dict key: the dict's key).
VALUE_NOUNS = {"service": "service names", "from": "service names", "event": "event names",
               "publishes": "event names", "handler": "handlers",
               "owner": "owner names", "org": "org names", "region": "regions",
               "persistent": "stage names", "ephemeral_parent": "stage names",
               "default": "runtimes", "allowed": "runtimes", "deprecated": "runtimes"}
KEY_NOUNS = {"functions": "function names", "environment": "environment variable names",
             "tags": "tag keys", "workflows": "workflow names"}
# Why a bound exists, where the range alone does not say it.
RANGE_UNITS = {"timeout": "seconds", "memory": "MB", "batching_window": "seconds", "retention_days": "days",
               "archive_retention_days": "days", "queue_age_seconds": "seconds"}
RANGE_REASONS = {
    "max_receive_count": "with 1, a throttled message goes straight to the DLQ",
    "max_concurrency": "the limits of Lambda's ScalingConfig.MaximumConcurrency",
}
TYPE_WORDS = {"int": "an integer", "bool": "true or false", "string": "a string", "str": "a string",
              "list": "a list", "dict": "a mapping", "model": "a mapping", "dataclass": "a mapping",
              "float": "a number", "set": "a list", "tuple": "a list"}
_COMPARE = {"greater_than_equal": "≥", "less_than_equal": "≤", "greater_than": ">", "less_than": "<"}


def validate_document(doc: Document, model: type[M]) -> M:
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecErrors(translate_all(doc, model, exc.errors(include_url=False))) from None


def translate_all(doc: Document, model: type[BaseModel], errs: list[dict[str, Any]]) -> list[SpecError]:
    """All of pydantic's errors, with the alternatives of a union folded into one message."""
    located = [(_place(doc.data, err), err) for err in errs]
    singles = [(place, err) for place, err in located if place.union_root is None]
    unions: dict[tuple, list] = {}
    for place, err in located:
        if place.union_root is not None:
            unions.setdefault(place.union_root, []).append((place, err))
    out = [_safe_translate(doc, model, err, place) for place, err in singles]
    for group in unions.values():
        out.extend(_fold_union(doc, model, group))
    return out


def translate(doc: Document, model: type[BaseModel], err: dict[str, Any]) -> SpecError:
    return _safe_translate(doc, model, err, _place(doc.data, err))


@dataclass(frozen=True)
class _Place:
    path: tuple  # keys and indexes into the document (union member tags removed)
    is_key: bool  # the error is about a dict key itself, not its value
    union_root: tuple | None  # path of the union this error came from, if any


def _place(data: Any, err: dict[str, Any]) -> _Place:
    """Map pydantic's `loc` onto the document: segments that are not in the data are union
    member tags (`str`, `QueueSpec`, `constrained-str`, ...), except a missing key at the end."""
    loc, path, node = err["loc"], [], data
    is_key, union_root = False, None
    for i, seg in enumerate(loc):
        if seg == "[key]" or (isinstance(seg, str) and seg.endswith("[key]")):
            is_key = True
            continue
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        elif i == len(loc) - 1 and err["type"] in ("missing", "extra_forbidden"):
            node = None
        else:
            union_root = tuple(path) if union_root is None else union_root
            continue
        path.append(seg)
    return _Place(tuple(path), is_key, union_root)


def _fold_union(doc: Document, model, group: list) -> list[SpecError]:
    """One message per union: if the value had the shape of one alternative, that alternative's
    complaint; otherwise 'must be A or B, got X'."""
    root = group[0][0].union_root
    shaped = [(pl, e) for pl, e in group if pl.path != root or not _is_type_error(e["type"])]
    chosen = shaped or group
    errors = [_safe_translate(doc, model, e, pl) for pl, e in chosen]
    if shaped:
        return errors
    wants, got = [], None
    for error in errors:
        match = re.fullmatch(r"must be (.+), got (.+)", error.message)
        if not match or (got is not None and match[2] != got):
            return errors[:1]
        if match[1] not in wants:
            wants.append(match[1])
        got = match[2]
    wanted = ", ".join(wants[:-1]) + f" or {wants[-1]}" if len(wants) > 1 else wants[0]
    return [SpecError(errors[0].file, errors[0].line, errors[0].col, errors[0].path, f"must be {wanted}, got {got}")]


def _is_type_error(kind: str) -> bool:
    return kind.endswith("_type") or kind in ("is_instance_of", "model_attributes_type")


def _safe_translate(doc: Document, model, err: dict[str, Any], place: _Place) -> SpecError:
    try:
        return _translate(doc, model, err, place)
    except Exception:  # noqa: BLE001 — a gap in the translation must not become a traceback
        return doc.error(place.path, f"{err.get('msg', 'invalid value')}, got {_given(err.get('input'))}")


def _translate(doc: Document, model, err: dict[str, Any], place: _Place) -> SpecError:
    path, kind, ctx = place.path, err["type"], err.get("ctx") or {}
    value = err.get("input")
    given = _given(value)
    noun = _noun(path, place.is_key)
    hint = ""
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, path[:-1])
        message = f"unknown key {path[-1]!r}"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
    elif kind == "missing":
        # the key is not in the file, so point at the mapping that should hold it
        line, col = doc.locate(path[:-1])
        return SpecError(doc.file, line, col, _dotted(path), f"is required, got no `{path[-1]}` key",
                         f"add `{path[-1]}:`")
    elif kind in _COMPARE:
        bound = next(iter(ctx.values()))
        message = f"must be {_COMPARE[kind]} {bound}, got {given}"
        hint = _range_hint(model, path)
    elif kind == "string_pattern_mismatch":
        message, hint = _pattern_message(ctx.get("pattern", ""), noun, value, given)
    elif kind in ("too_short", "string_too_short", "too_long", "string_too_long"):
        message = _length_message(kind, ctx, value, noun, given)
    elif kind == "literal_error" or kind == "enum":
        message, hint = _choice_message(str(ctx.get("expected", "")), value, given)
    elif kind == "is_instance_of" and _enum_of(model, path):
        values = [repr(member.value) for member in _enum_of(model, path)]
        message, hint = _choice_message(", ".join(values[:-1]) + f" or {values[-1]}", value, given)
    elif kind == "value_error":
        path, message = _value_error_message(err["msg"].removeprefix("Value error, "), path)
    elif _is_type_error(kind) or kind.endswith("_parsing"):
        expected = TYPE_WORDS.get(kind.split("_")[0], kind.split("_")[0])
        message = f"must be {expected}, got {given}"
        hint = _type_hint(expected, value, path)
    else:
        message = f"{err['msg'][0].lower()}{err['msg'][1:]}, got {given}"
    return SpecError(*_where(doc, path), _dotted(path), message, hint)


def _where(doc: Document, path: tuple) -> tuple[str, int, int]:
    line, col = doc.locate(path)
    return doc.file, line, col


def _dotted(path: tuple) -> str:
    return dotted(path)


def _noun(path: tuple, is_key: bool) -> str:
    """What the value is called ("function names"), or "" when there is no better word than the key."""
    if is_key:
        return KEY_NOUNS.get(path[-2], "keys here") if len(path) >= 2 else "keys"
    last = path[-1] if path else ""
    if isinstance(last, int) and len(path) >= 2:
        last = path[-2]
    return VALUE_NOUNS.get(last, "") if isinstance(last, str) else ""


def _pattern_message(pattern: str, noun: str, value: Any, given: str) -> tuple[str, str]:
    words = PATTERN_WORDS.get(pattern)
    if words is None:
        return f"must match the pattern {pattern}, got {given}", ""
    hint = ""
    if pattern == m.SERVICE_NAME:
        fixed = _kebab(str(value))
        hint = f"for example `{fixed}`" if fixed and re.match(pattern, fixed) else ""
    elif pattern == m.EVENT_NAME:
        fixed = _pascal(str(value))
        hint = f"for example `{fixed}`" if fixed and re.match(pattern, fixed) else ""
    subject = f"{noun} must be" if noun else "must be"
    return f"{subject} {words}, got {given}", hint


def _kebab(text: str) -> str:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-").lstrip("0123456789-")


def _pascal(text: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", text)
    return "".join(w[:1].upper() + w[1:] for w in words if w).lstrip("0123456789")


def _length_message(kind: str, ctx: dict, value: Any, noun: str, given: str) -> str:
    short = "short" in kind
    bound = ctx.get("min_length" if short else "max_length")
    least = "at least" if short else "at most"
    if isinstance(value, str):
        subject = f"{noun} must" if noun else "must"
        if short and bound == 1:
            return f"{subject} not be empty, got an empty string"
        unit = "character" if bound == 1 else "characters"
        got = given if short else f"{len(value)} ({given})"
        return f"{subject} have {least} {bound} {unit}, got {got}"
    unit = "entry" if bound == 1 else "entries"
    if isinstance(value, (list, dict)) and not value:
        given = "an empty list" if isinstance(value, list) else "an empty mapping"
    elif isinstance(value, (list, dict)):
        given = f"{len(value)}"
    return f"must have {least} {bound} {unit}, got {given}"


def _choice_message(expected: str, value: Any, given: str) -> tuple[str, str]:
    """`expected` is pydantic's "'a', 'b' or 'c'"; the hint lists the choices, closest first."""
    choices = re.findall(r"'((?:[^'\\]|\\.)*)'", expected) or [expected]
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6) if isinstance(value, str) else []
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"must be one of the allowed values, got {given}", f"{hint}allowed: {', '.join(choices)}"


def _value_error_message(text: str, path: tuple) -> tuple[tuple, str]:
    """A model validator's `"<key> <given> must ..."` becomes `<key>: must ..., got <given>`."""
    prefix = _dotted(path) + "." if path else ""
    match = re.fullmatch(rf"{re.escape(prefix)}([A-Za-z_]+) ('[^']*'|\S+) (must .+)", text)
    if match:
        return path + (match[1],), f"{match[3]}, got {match[2]}"
    return path, text


def _type_hint(expected: str, value: Any, path: tuple) -> str:
    key = path[-1] if path and isinstance(path[-1], str) else ""
    if expected == "an integer" and isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return f"write the number without quotes: `{key}: {value.strip()}`" if key else "write the number without quotes"
    if expected == "true or false" and isinstance(value, str):
        return "YAML 1.2 booleans are only true and false"
    if expected == "a string" and isinstance(value, (int, float, bool)):
        return "quote the value to make it text"
    if expected == "a mapping" and key:
        return f"write `key: value` lines indented under `{key}:`"
    if expected == "a list" and isinstance(value, dict):
        return "start each entry with `- `"
    if expected == "a list" and key and not isinstance(value, (dict, list)) and value is not None:
        return f"write `{key}: [{value}]` or one `- item` line per entry"
    return ""


def _given(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return str(value).lower()
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


def _field_at(model: type[BaseModel], path: tuple):
    if not path or not isinstance(path[-1], str):
        return None
    parent = _resolve_dict_values(model, path[:-1])
    return _field_by_key(parent, path[-1]) if parent else None


def _enum_of(model: type[BaseModel], path: tuple) -> list:
    field = _field_at(model, path)
    if field is None:
        return []
    for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return list(candidate)
    return []


def _range_hint(model: type[BaseModel], path: tuple) -> str:
    field = _field_at(model, path)
    if field is None:
        return ""
    low = high = None
    for meta in field.metadata:
        low = getattr(meta, "ge", low)
        high = getattr(meta, "le", high)
    if low is None or high is None:
        return ""
    unit, reason = RANGE_UNITS.get(path[-1], ""), RANGE_REASONS.get(path[-1], "")
    return f"valid range {low}–{high}" + (f" {unit}" if unit else "") + (f"; {reason}" if reason else "")
