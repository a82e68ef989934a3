"""Python literals for generated source: strings in double quotes, like the templates' code."""

from __future__ import annotations

import json


def py(value) -> str:
    """A Python literal, strings in double quotes (like the templates' own code)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{py(k)}: {py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(py(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(py(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)  # int, float, bool, None
