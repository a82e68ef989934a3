"""The operators of the content-filter languages (filter_grammar.py walks a filter's structure and
calls these for each matcher), and how a value is shown in a message. Same sources as
filter_grammar.py; each operator's method is named after it (`op_<operator>`)."""

from __future__ import annotations

import ipaddress
import math
from decimal import Decimal, InvalidOperation
from typing import Any

COMPARISONS = ("=", "<", "<=", ">", ">=")
LOWER_BOUNDS = (">", ">=")
UPPER_BOUNDS = ("<", "<=")


class Operators:
    """Mixin of the filter walker: `self.d` is the dialect, `self.problem` records a problem."""

    def op_prefix(self, operand: Any, path: tuple) -> None:
        self.affix("prefix", operand, path)

    def op_suffix(self, operand: Any, path: tuple) -> None:
        self.affix("suffix", operand, path)

    def affix(self, op: str, operand: Any, path: tuple) -> None:
        if isinstance(operand, str):
            return
        if isinstance(operand, dict) and self.d.prefix_ignore_case:
            if list(operand) == ["equals-ignore-case"]:
                if not isinstance(operand["equals-ignore-case"], str):
                    self.problem(path + ("equals-ignore-case",), f"`{op}: {{equals-ignore-case: ...}}` takes a string, "
                                 f"got {show(operand['equals-ignore-case'])}", "quote it")
                return
            self.problem(path, f"`{op}` takes a string or {{equals-ignore-case: <string>}}, got {show(operand)}")
            return
        if isinstance(operand, dict):
            self.problem(path, f"`{op}` takes a string in {self.d.name} filter policies, got {show(operand)}",
                         f"{self.d.name} has no case-insensitive {op}; use `equals-ignore-case` for whole values")
            return
        self.problem(path, f"`{op}` takes a string, got {show(operand)}",
                     "quote it; a number field is matched with `numeric`" if _is_number(operand) else "quote it")

    def op_equals_ignore_case(self, operand: Any, path: tuple) -> None:
        if not isinstance(operand, str):
            self.problem(path, f"`equals-ignore-case` takes a string, got {show(operand)}", "quote it")

    def op_wildcard(self, operand: Any, path: tuple) -> None:
        if not isinstance(operand, str):
            self.problem(path, f"`wildcard` takes a string, got {show(operand)}", "e.g. `wildcard: 'dir/*.png'`")
            return
        error = _wildcard_error(operand)
        if error:
            self.problem(path, f"`wildcard` {error}, got {show(operand)}",
                         "use single `*`; write a literal `*` as `\\*` and a backslash as `\\\\`")

    def op_exists(self, operand: Any, path: tuple) -> None:
        if not isinstance(operand, bool):
            self.problem(path, f"`exists` takes true or false, got {show(operand)}",
                         "write `exists: true` or `exists: false`, unquoted")

    def op_cidr(self, operand: Any, path: tuple) -> None:
        if not isinstance(operand, str):
            self.problem(path, f"`cidr` takes an IP network such as '10.0.0.0/24', got {show(operand)}")
            return
        try:
            if "/" not in operand:
                raise ValueError
            ipaddress.ip_network(operand, strict=False)
        except ValueError:
            self.problem(path, f"`cidr` takes an IP network in CIDR notation such as '10.0.0.0/24', got {show(operand)}",
                         "an IPv4 or IPv6 address, '/', and the prefix length")

    def op_numeric(self, operand: Any, path: tuple) -> None:
        example = "e.g. `numeric: ['>=', 10000, '<', 1000000]` or `numeric: ['=', 5]`"
        if not isinstance(operand, list):
            self.problem(path, f"`numeric` takes a list of comparison operators and numbers, got {show(operand)}",
                         example)
            return
        if not operand:
            self.problem(path, "`numeric` takes a comparison operator and a number, got []", example)
            return
        for index, element in enumerate(operand):
            here = path + (index,)
            if index % 2 == 0:
                if not isinstance(element, str) or element not in COMPARISONS:
                    self.problem(here, f"`numeric` must alternate comparison operators (=, <, <=, >, >=) and numbers; "
                                 f"element {index + 1} must be an operator, got {show(element)}", example)
                    return
            elif not _is_number(element):
                hint = "write the number unquoted" if isinstance(element, str) else example
                self.problem(here, f"`numeric` must alternate comparison operators and numbers; the value after "
                             f"{show(operand[index - 1])} must be a number, got {show(element)}", hint)
                return
            elif not self.number(element, here, ranged=True):
                return
        if len(operand) % 2:
            self.problem(path, f"`numeric` must end with a number, got {show(operand)}", example)
        elif len(operand) == 4 and (operand[0] not in LOWER_BOUNDS or operand[2] not in UPPER_BOUNDS):
            self.problem(path, f"a `numeric` range is a lower bound (> or >=) then an upper bound (< or <=), "
                         f"got {show(operand)}", example)
        elif len(operand) > 4:
            self.problem(path, f"`numeric` takes one comparison or one range of two, got {len(operand) // 2} "
                         "comparisons", "several ranges are separate matchers in the list (OR-ed)")
        elif len(operand) == 4 and not operand[1] < operand[3]:
            self.problem(path, f"a `numeric` range's lower bound must be below its upper bound, got {show(operand)}",
                         "this range matches no value")

    def op_anything_but(self, operand: Any, path: tuple) -> None:
        if isinstance(operand, str):
            return
        if _is_number(operand):
            self.number(operand, path, ranged=True)
            return
        if isinstance(operand, list):
            self.anything_but_list(operand, path)
            return
        if isinstance(operand, dict):
            self.anything_but_inner(operand, path)
            return
        self.problem(path, f"`anything-but` takes a string, a number, a list of them or {{prefix: ...}}, got "
                     f"{show(operand)}", "use `exists: false` to match an absent field")

    def anything_but_list(self, operand: list, path: tuple) -> None:
        if not operand:
            self.problem(path, "`anything-but` needs at least one value to exclude, got []",
                         "list the values to exclude, or remove the matcher")
            return
        kinds = set()
        for index, element in enumerate(operand):
            here = path + (index,)
            if isinstance(element, str):
                kinds.add("string")
            elif _is_number(element):
                kinds.add("number")
                if not self.number(element, here, ranged=True):
                    return
            elif self.d.anything_but_strict_lists or not (isinstance(element, bool) or element is None):
                self.problem(here, f"an `anything-but` list holds strings or numbers, got {show(element)}",
                             "use `exists: false` to match an absent field")
                return
        if self.d.anything_but_strict_lists and len(kinds) > 1:
            self.problem(path, f"an `anything-but` list holds only strings or only numbers, got both in {show(operand)}",
                         "split it into two matchers")

    def anything_but_inner(self, operand: dict, path: tuple) -> None:
        allowed = ", ".join(self.d.anything_but_inner)
        if len(operand) != 1 or next(iter(operand)) not in self.d.anything_but_inner:
            self.problem(path, f"`anything-but` takes a value, a list of values, or a mapping with exactly one of "
                         f"{allowed} ({self.d.name}), got {show(operand)}")
            return
        op, value = next(iter(operand.items()))
        here = path + (op,)
        values = value if isinstance(value, list) and self.d.anything_but_inner_lists else [value]
        if isinstance(value, list) and not value and self.d.anything_but_inner_lists:
            self.problem(here, f"`anything-but: {{{op}: [...]}}` needs at least one string, got []")
            return
        for element in values:
            if not isinstance(element, str):
                what = "a string or a list of strings" if self.d.anything_but_inner_lists else "a string"
                self.problem(here, f"`anything-but: {{{op}: ...}}` takes {what}, got {show(value)}", "quote it")
                return
            if op in ("prefix", "suffix") and not element:
                self.problem(here, f"`anything-but: {{{op}: ...}}` needs a non-empty string, got ''",
                             f"an empty {op} excludes every value")
                return
            if op == "wildcard" and _wildcard_error(element):
                self.problem(here, f"`wildcard` {_wildcard_error(element)}, got {show(element)}",
                             "use single `*`; write a literal `*` as `\\*` and a backslash as `\\\\`")
                return

    # --- numbers ---------------------------------------------------------------------------

    def number(self, value: Any, path: tuple, ranged: bool) -> bool:
        """False (after recording why) unless `value` is a number the dialect can match."""
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(path, f"numbers in a filter must be finite, got {show(value)}",
                         "NaN and infinity are not JSON numbers; write a finite bound")
            return False
        if not ranged:
            return True
        limit = self.d.number_limit
        if not -limit <= value <= limit:
            self.problem(path, f"{self.d.name} matches numbers from {-limit:,.0f} to {limit:,.0f}, got {show(value)}",
                         "compare a smaller unit, or match the value exactly as a string field")
            return False
        if _decimals(value) > self.d.number_decimals:
            self.problem(path, f"{self.d.name} matches numbers to {self.d.number_decimals} digits after the decimal "
                         f"point, got {show(value)}", "round the bound")
            return False
        return True


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _decimals(value: int | float) -> int:
    if isinstance(value, int):
        return 0
    try:
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _wildcard_error(text: str) -> str:
    """Why `text` is not a wildcard pattern, or ""."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "*" and text[index + 1:index + 2] == "*":
            return f"must not have consecutive `*` (at position {index + 1})"
        if char == "\\":
            if text[index + 1:index + 2] not in ("*", "\\"):
                return f"may escape only `*` and `\\` with a backslash (at position {index + 1})"
            index += 1
        index += 1
    return ""


def show(value: Any) -> str:
    """A value as it would be written in YAML, short."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif value is None:
        text = "null"
    elif isinstance(value, float) and math.isnan(value):
        text = ".nan"
    elif isinstance(value, float) and math.isinf(value):
        text = ".inf" if value > 0 else "-.inf"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}" if value else "{}"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
