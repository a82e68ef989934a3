"""How a generated handler calls the user's function."""

from __future__ import annotations

import inspect
from collections.abc import Callable


def wants_context(fn: Callable) -> bool:
    """`handle(event)` or `handle(event, context)`: the Lambda context only when asked for, so a
    function that does not need it does not carry an unused parameter."""
    positional = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in positional)
