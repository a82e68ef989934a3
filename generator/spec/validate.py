"""Document -> typed model, with every pydantic error turned into a SpecError at its key's line.

Messages follow one shape: what must hold, then what was given, plus a hint where one helps
(the closest allowed key for a typo, the allowed values, the valid range, a corrected name).
Named patterns are explained in words; a raw regex is only shown for patterns nobody named.
"""

from __future__ import annotations

import difflib
import enum
import functools
import re
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.concerns.workflow import spec as wm
from generator.errors import SpecError, SpecErrors
from generator.spec import model as m
from generator.spec import platform as p
from generator.spec.load import Document, shown, shown_path

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
    wm.DURATION: "a duration like 90s, 30m, 12h or 3d (or a number of seconds)",
    wm.FIELD: "a field of the workflow's state, like review.decision",
    m.FIELD_NAME: "lower_snake_case (lowercase letters, digits and '_', starting with a letter)",
    m.HTTP_ROUTE: "an HTTP API route key like `GET /accounts/{id}` (METHOD, a space, a path)",
    m.WORKFLOW_REF: "a workflow of this service (kebab-case) or service.workflow of another",
    p.SENSITIVE_FIELD: "letters, digits, '_' and '-', starting with a letter",
    p.ISSUER: "an https:// URL",
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
    located = [(_place(doc.data, model, err), err) for err in errs]
    singles = [(place, err) for place, err in located if place.union_root is None]
    unions: dict[tuple, list] = {}
    for place, err in located:
        if place.union_root is not None:
            unions.setdefault(place.union_root, []).append((place, err))
    out = [_safe_translate(doc, err, place) for place, err in singles]
    for group in unions.values():
        out.extend(_fold_union(doc, group))
    return out


@dataclass(frozen=True)
class _Place:
    path: tuple  # keys and indexes into the document (union member labels and step tags removed)
    is_key: bool  # the error is about a dict key itself, not its value
    union_root: tuple | None  # path of the (untagged) union this error came from, if any
    owner: type[BaseModel] | None = None  # the model whose field (or unknown key) path[-1] is


def _place(data: Any, model: type[BaseModel], err: dict[str, Any]) -> _Place:
    """Map pydantic's `loc` onto the document. The loc is walked along the model's core schema,
    which knows which segments are union member labels (`str`, `QueueSpec`, ...) and which are
    the tags of a tagged union: a workflow step's loc is `steps, 0, call, timeout` where the
    document has `steps[0].timeout` — read as data, `call` would be taken for a key."""
    schema = model.__pydantic_core_schema__
    place = _walk(schema, tuple(err["loc"]), 0, _Place((), False, None), _refs(model), None)
    return place if place is not None else _place_by_data(data, err)


_WRAPPED = {"default": "schema", "nullable": "schema", "function-after": "schema", "function-before": "schema",
            "function-wrap": "schema", "lax-or-strict": "strict_schema", "json-or-python": "python_schema"}


def _walk(schema: dict, loc: tuple, i: int, at: _Place, refs: dict, model) -> _Place | None:
    """`at` after loc[:i]; None when the loc does not fit the schema (then the data decides)."""
    kind = schema.get("type")
    while kind in _WRAPPED or kind in ("definitions", "definition-ref", "model"):
        if kind == "definition-ref":
            schema = refs.get(schema.get("schema_ref"), {})
        elif kind == "model":
            schema, model = schema["schema"], schema["cls"]
        else:
            schema = schema["schema"] if kind == "definitions" else schema[_WRAPPED[kind]]
        kind = schema.get("type")
    if i == len(loc):
        return at
    seg, rest = loc[i], loc[i + 1:]

    def step(sub: dict, path: tuple, skip: int = 1, **changes) -> _Place | None:
        return _walk(sub, loc, i + skip, replace(at, path=path, **changes), refs, model)

    if kind == "model-fields":
        for name, field in schema["fields"].items():
            alias = field.get("validation_alias")
            if (alias if isinstance(alias, str) else name) == seg:
                return step(field["schema"], at.path + (seg,), owner=model)
        return replace(at, path=at.path + (seg,), owner=model) if not rest else None  # an unknown key
    if kind == "list" and isinstance(seg, int):
        return step(schema.get("items_schema", {}), at.path + (seg,), owner=None)
    if kind == "dict" and rest[:1] == ("[key]",):
        return step(schema.get("keys_schema", {}), at.path + (seg,), 2, is_key=True, owner=None)
    if kind == "dict":
        return step(schema.get("values_schema", {}), at.path + (seg,), owner=None)
    if kind == "tagged-union":  # the tag is not in the document: the step's own key says it
        choice = schema["choices"].get(seg)
        return step(choice, at.path) if isinstance(choice, dict) else None
    if kind == "union":
        root = at.path if at.union_root is None else at.union_root
        for choice in schema["choices"]:
            sub, label = choice if isinstance(choice, tuple) else (choice, None)
            found = step(sub, at.path, union_root=root) if label in (None, seg) else None
            if found is not None:
                return found
    return None


@functools.cache
def _refs(model: type[BaseModel]) -> dict:
    """Every schema in the model's core schema that others refer to by `ref`."""
    refs, todo = {}, [model.__pydantic_core_schema__]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if isinstance(node.get("ref"), str):
                refs[node["ref"]] = node
            todo.extend(v for k, v in node.items() if k not in ("metadata", "cls", "serialization"))
        elif isinstance(node, (list, tuple)):
            todo.extend(node)
    return refs


def _place_by_data(data: Any, err: dict[str, Any]) -> _Place:
    """Fallback for a schema `_walk` does not know: segments that are not in the data are union
    member labels, except a missing or unknown key at the end."""
    loc, path, node = err["loc"], [], data
    is_key, union_root = False, None
    for i, seg in enumerate(loc):
        if isinstance(seg, str) and seg.endswith("[key]"):
            is_key = True
            continue
        if isinstance(node, dict) and seg in node:
            node = node[seg]
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        elif not (i == len(loc) - 1 and err["type"] in ("missing", "extra_forbidden")):
            union_root = tuple(path) if union_root is None else union_root
            continue
        path.append(seg)
    return _Place(tuple(path), is_key, union_root)


def _fold_union(doc: Document, group: list) -> list[SpecError]:
    """One message per union: if the value had the shape of one alternative, that alternative's
    complaint; otherwise 'must be A or B, got X'."""
    root = group[0][0].union_root
    shaped = [(pl, e) for pl, e in group if pl.path != root or not _is_type_error(e["type"])]
    chosen = shaped or group
    errors = [_safe_translate(doc, e, pl) for pl, e in chosen]
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


def _safe_translate(doc: Document, err: dict[str, Any], place: _Place) -> SpecError:
    try:
        return _translate(doc, err, place)
    except Exception:  # noqa: BLE001 — a gap in the translation must not become a traceback
        return doc.error(place.path, f"must be a valid value here, got {_given(err.get('input'))}",
                         shown(str(err.get("msg", ""))))


def _translate(doc: Document, err: dict[str, Any], place: _Place) -> SpecError:
    path, kind, ctx = place.path, err["type"], err.get("ctx") or {}
    value = err.get("input")
    given = _given(value)
    noun = _noun(path, place.is_key)
    field = _field_by_key(place.owner, path[-1]) if place.owner and path else None
    hint = ""
    if kind == "extra_forbidden":
        allowed = sorted(f.alias or name for name, f in place.owner.model_fields.items()) if place.owner else []
        message = f"unknown key {shown(str(path[-1]))!r}"
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"allowed keys: {', '.join(allowed)}"
    elif kind == "missing":
        # the key is not in the file, so point at the mapping that should hold it
        line, col = doc.locate(path[:-1])
        return SpecError(doc.file, line, col, shown_path(path), f"is required, got no `{shown(str(path[-1]))}` key",
                         f"add `{shown(str(path[-1]))}:`")
    elif kind in _COMPARE:
        bound = next(iter(ctx.values()))
        message = f"must be {_COMPARE[kind]} {bound}, got {given}"
        hint = _range_hint(field, path)
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") == p.REGION:
        message, hint = p.region_problem(value)
    elif kind == "string_pattern_mismatch":
        message, hint = _pattern_message(ctx.get("pattern", ""), noun, value, given)
    elif kind in ("too_short", "string_too_short", "too_long", "string_too_long"):
        message = _length_message(kind, ctx, value, noun, given)
    elif kind == "literal_error" or kind == "enum":
        message, hint = _choice_message(str(ctx.get("expected", "")), value, given)
    elif kind == "is_instance_of" and _enum_of(field):
        values = [repr(member.value) for member in _enum_of(field)]
        message, hint = _choice_message(", ".join(values[:-1]) + f" or {values[-1]}", value, given)
    elif kind == "spec_problem":  # raised by a model's own validator, already in our words
        path = path + ((ctx["key"],) if ctx.get("key") else ())
        message, hint = ctx["message"], ctx.get("hint", "")
    elif kind == "value_error":
        path, message = _value_error_message(err["msg"].removeprefix("Value error, "), path)
    elif kind == "step_kind":
        message, hint = _step_message(value, given)
    elif _is_type_error(kind) or kind.endswith("_parsing"):
        expected = TYPE_WORDS.get(kind.split("_")[0], kind.split("_")[0])
        message = f"must be {expected}, got {given}"
        hint = _type_hint(expected, value, path)
    else:  # a kind no model produces today: still the one shape, pydantic's words as the hint
        message, hint = f"must be a valid value here, got {given}", shown(str(err["msg"]))
    return doc.error(path, message, hint)


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
        return f"must match the pattern {shown(pattern)}, got {given}", ""
    hint = ""
    if pattern == m.SERVICE_NAME:
        fixed = _kebab(str(value))
        hint = f"for example `{shown(fixed)}`" if fixed and re.fullmatch(pattern, fixed) else ""
    elif pattern == m.EVENT_NAME:
        fixed = _pascal(str(value))
        hint = f"for example `{shown(fixed)}`" if fixed and re.fullmatch(pattern, fixed) else ""
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
    """A validator's `"<key> <given> must ..."` becomes `<key>: must ..., got <given>`; other texts
    (a field validator's "must ..., got ...") are already in shape."""
    prefix = shown_path(path) + "." if path else ""
    match = re.fullmatch(rf"{re.escape(prefix)}([A-Za-z_]+) ('[^']*'|\S+) (must .+)", text, re.S)
    if match:
        return path + (match[1],), shown(f"{match[3]}, got {match[2]}", 400)
    return path, shown(text, 400)


def _step_message(value: Any, given: str) -> tuple[str, str]:
    """A workflow step without `call`, `pause` or `choose`: name the keys it has instead."""
    kinds = "`call`, `pause` or `choose`"
    if not isinstance(value, dict):
        return f"a step must be a mapping with one of {kinds}, got {given}", "for example `- call: <function>`"
    if not value:
        return f"a step must have one of the keys {kinds}, got an empty mapping", "for example `- call: <function>`"
    keys = [str(key) for key in value]
    close = [m for key in keys for m in difflib.get_close_matches(key, ["call", "pause", "choose"], n=1, cutoff=0.6)]
    kinds_hint = "a step is `call: <function>`, `pause: <name>` or `choose: <name>`"
    hint = f"did you mean `{close[0]}`?" if close else kinds_hint
    got = f"the key{'s' if len(keys) > 1 else ''} {shown(', '.join(keys))}"
    return f"a step must have one of the keys {kinds}, got {got}", hint


def _type_hint(expected: str, value: Any, path: tuple) -> str:
    key = path[-1] if path and isinstance(path[-1], str) else ""
    if expected == "an integer" and isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        written = f"{shown(key)}: {shown(value.strip())}"
        return f"write the number without quotes: `{written}`" if key else "write the number without quotes"
    if expected == "true or false" and isinstance(value, str):
        return "YAML 1.2 booleans are only true and false"
    if expected == "a string" and isinstance(value, (int, float, bool)):
        return "quote the value to make it text"
    if expected == "a mapping" and key:
        return f"write `key: value` lines indented under `{shown(key)}:`"
    if expected == "a list" and isinstance(value, dict):
        return "start each entry with `- `"
    if expected == "a list" and key and not isinstance(value, (dict, list)) and value is not None:
        text = str(value).lower() if isinstance(value, bool) else str(value)  # as YAML writes it
        return f"write `{shown(key)}: [{shown(text)}]` or one `- item` line per entry"
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
    return shown(repr(value))


def _field_by_key(model: type[BaseModel], key: Any):
    for name, field in model.model_fields.items():
        if (field.alias or name) == key:
            return field
    return None


def _enum_of(field) -> list:
    if field is None:
        return []
    for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return list(candidate)
    return []


def _range_hint(field, path: tuple) -> str:
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
