"""The grammars of the two content-filter languages a subscription's `filter:` is written in.

A bus subscription's filter goes under `detail` of an EventBridge event pattern; a store
subscription's filter goes under `detail` of an SNS filter policy (scope `MessageBody`). The two
languages look alike but are not the same, and both services refuse a malformed filter only at
deploy time (or, worse, accept a filter that matches nothing). This module checks a filter
against the grammar AWS documents, as pure functions over plain data (no svcgen imports), so the
rules (filters.py) and the tests can use them directly.

Each function returns `Problem`s whose `path` is relative to the mapping it was given (keys and
list indexes), whose `message` says what must hold and what was given, and whose `hint` says what
to write instead. One problem per matcher: the first thing wrong with it.

Sources (AWS documentation is the truth; implementations were read only to confirm details the
documentation leaves implicit):
- EventBridge: "Comparison operators for use in event patterns in Amazon EventBridge"
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html and
  "Content filtering in Amazon EventBridge event patterns"
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
  (operators, `$or`, "comparison operators only work on leaf nodes, with the exception of `$or`
  and `anything-but`", numeric matching "limited to values between -5.0e9 and +5.0e9 inclusive,
  with 15 digits of precision, or six digits to the right of the decimal point"). Details the
  pages leave implicit (one key per matcher object, `numeric` is one comparison or a lower then
  an upper bound, `anything-but` lists hold only strings or only numbers, `$or` needs two
  alternatives, `**` and escapes in wildcards) follow aws/event-ruler's JsonRuleCompiler, the
  matcher EventBridge publishes.
- EventBridge quotas, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html:
  "Event pattern size — Each supported Region: 2,048 — Adjustable: Yes — Maximum size of an event
  pattern, in characters."
- SNS: "Amazon SNS subscription filter policies"
  https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html lists the
  operators SNS supports: AND/OR, the `$or` operator, key matching (`exists`), numeric exact,
  anything-but and range matching, string exact, anything-but, "string matching using a prefix
  with the anything-but operator", equals-ignore-case, IP address (`cidr`), prefix and suffix
  matching. No `wildcard`, no `prefix`/`suffix` with `equals-ignore-case`, and `anything-but`
  takes only `prefix` inside.
- SNS limits, "Filter policy constraints in Amazon SNS"
  https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html: numeric
  values from -10^9 to 10^9 "with five digits of accuracy after the decimal point"; "the total
  combination of values in a filter policy must not exceed 150", where for a nested (payload)
  policy each array's number of values is multiplied by its nesting depth ("The first array has
  four values in a three-level nested key, and the second has three values in a two-level nested
  key ... 3 x 4 x 2 x 3 = 72"); at most five keys, "for a nested policy, only parent keys are
  counted"; at most 256 KB. No nesting-depth limit is documented for payload policies, so none is
  checked. For `$or`, the alternatives' combinations add up (as AWS evaluates each alternative as
  its own policy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from generator.concerns.subscription.filter_operators import Operators, show

# "Event pattern size: 2,048 characters" (EventBridge quotas; adjustable per account).
EVENTBRIDGE_PATTERN_MAX_CHARS = 2048
# SNS filter policy constraints.
SNS_POLICY_MAX_BYTES = 256 * 1024
SNS_MAX_KEYS = 5
SNS_MAX_COMBINATIONS = 150

OR = "$or"

STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "cidr")
ALL_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a filter. `kind` is "grammar" for the language itself, or the limit
    that is exceeded ("size", "keys", "combinations"), so a rule can judge limits on the
    rendered whole while it judges the grammar on the user's part."""

    path: tuple
    message: str
    hint: str = ""
    kind: str = "grammar"


@dataclass(frozen=True)
class _Dialect:
    name: str
    operators: tuple[str, ...]
    prefix_ignore_case: bool  # `prefix`/`suffix` also take {equals-ignore-case: "..."}
    anything_but_inner: tuple[str, ...]  # operators allowed inside `anything-but: {...}`
    anything_but_inner_lists: bool  # `anything-but: {prefix: [a, b]}`
    anything_but_strict_lists: bool  # lists hold only strings or only numbers, no null/booleans
    number_limit: float  # numeric matching range, inclusive
    number_decimals: int  # digits after the decimal point numeric matching keeps
    exact_numbers_limited: bool  # plain numbers in a value list are within the numeric range too


EVENTBRIDGE = _Dialect(
    name="EventBridge",
    operators=ALL_OPERATORS,
    prefix_ignore_case=True,
    anything_but_inner=("prefix", "suffix", "equals-ignore-case", "wildcard"),
    anything_but_inner_lists=True,
    anything_but_strict_lists=True,
    number_limit=5.0e9,
    number_decimals=6,
    exact_numbers_limited=False,  # an out-of-range number still matches exactly (as text)
)
SNS = _Dialect(
    name="SNS",
    operators=("prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"),
    prefix_ignore_case=False,
    anything_but_inner=("prefix",),
    anything_but_inner_lists=False,
    anything_but_strict_lists=False,
    number_limit=1.0e9,
    number_decimals=5,
    exact_numbers_limited=True,
)


def eventbridge_problems(pattern: Any) -> list[Problem]:
    """Everything wrong with `pattern` as (part of) an EventBridge event pattern: the grammar, and
    the pattern's serialized size (kind "size"), measured on exactly what is given."""
    out: list[Problem] = []
    _Walker(EVENTBRIDGE, out).top(pattern)
    out.extend(eventbridge_size_problems(pattern))
    return out


def eventbridge_size_problems(pattern: Any) -> list[Problem]:
    size = serialized_chars(pattern)
    if size <= EVENTBRIDGE_PATTERN_MAX_CHARS:
        return []
    return [Problem((), f"an EventBridge event pattern must be at most {EVENTBRIDGE_PATTERN_MAX_CHARS} characters, "
                    f"got {size}", "list fewer values, or match them with `prefix`, `numeric` or `anything-but`; "
                    "the quota is adjustable per account (Service Quotas: Event pattern size)", kind="size")]


def sns_problems(policy: Any) -> list[Problem]:
    """Everything wrong with `policy` as an SNS filter policy of scope `MessageBody`: operators
    SNS supports and their operands, and SNS's limits (keys, combinations, size)."""
    out: list[Problem] = []
    _Walker(SNS, out).top(policy)
    if not isinstance(policy, dict):
        return out
    if len(policy) > SNS_MAX_KEYS:
        out.append(Problem((), f"an SNS filter policy may have at most {SNS_MAX_KEYS} top-level keys, got "
                           f"{len(policy)}", "nested keys do not count: group fields under a parent", kind="keys"))
    combinations = sns_combinations(policy)
    if combinations > SNS_MAX_COMBINATIONS:
        out.append(Problem((), f"an SNS filter policy may have at most {SNS_MAX_COMBINATIONS} combinations of values, "
                           f"got {combinations}", "SNS multiplies the number of values of every list, each times its "
                           "nesting depth (alternatives of `$or` add up); list fewer values, or match them with "
                           "`prefix`, `numeric` or `anything-but`", kind="combinations"))
    size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > SNS_POLICY_MAX_BYTES:
        out.append(Problem((), f"an SNS filter policy must be at most 256 KB, got {size} bytes", kind="size"))
    return out


def serialized_chars(pattern: Any) -> int:
    """Characters of the pattern as compact JSON, the smallest form it can be sent in."""
    return len(json.dumps(pattern, separators=(",", ":"), ensure_ascii=False))


def sns_combinations(policy: dict, depth: int = 1) -> int:
    """SNS's complexity measure: the product over the policy's lists of (values × nesting
    depth), alternatives of `$or` summed. Malformed parts count as 1."""
    total = 1
    for key, value in policy.items():
        if key == OR and isinstance(value, list):
            total *= sum(sns_combinations(branch, depth) for branch in value if isinstance(branch, dict)) or 1
        elif isinstance(value, dict):
            total *= sns_combinations(value, depth + 1)
        elif isinstance(value, list) and value:
            total *= len(value) * depth
    return total


class _Walker(Operators):
    def __init__(self, dialect: _Dialect, out: list[Problem]) -> None:
        self.d = dialect
        self.out = out

    def problem(self, path: tuple, message: str, hint: str = "") -> None:
        self.out.append(Problem(tuple(path), message, hint))

    # --- structure -------------------------------------------------------------------------

    def top(self, node: Any) -> None:
        if not isinstance(node, dict):
            self.problem((), f"a filter must be a mapping of field names, got {show(node)}",
                         "e.g. `filter: {kind: [outgoing-payment]}`")
            return
        self.mapping(node, (), top=True)

    def mapping(self, node: dict, path: tuple, top: bool = False) -> None:
        if not node:
            if top:
                self.problem(path, "a filter must name at least one field, got an empty mapping",
                             "remove `filter:` to receive every event, or add a field")
            else:
                self.problem(path, "a nested filter must name at least one field, got an empty mapping",
                             "an empty mapping is refused; name a field inside it, or remove the key")
            return
        for key, value in node.items():
            here = path + (key,)
            if not isinstance(key, str) or not key:
                self.problem(here, f"filter keys must be field names, got {'an empty key' if key == '' else show(key)}",
                             "name the field to match")
                continue
            if key == OR:
                self.alternatives(value, here)
            elif isinstance(value, dict):
                self.mapping(value, here)
            elif not isinstance(value, list):
                self.problem(here, f"a filter value must be a list of values or matchers, got {show(value)}",
                             f"write `{key}: [{show(value)}]`")
            elif not value:
                self.problem(here, "a filter value must be a non-empty list, got []",
                             "an empty list matches no event; list the values to match")
            else:
                for index, item in enumerate(value):
                    self.value(item, here + (index,), key)

    def alternatives(self, value: Any, path: tuple) -> None:
        hint = "write `$or: [{a: [...]}, {b: [...]}]`: a list of at least two mappings of fields"
        if not isinstance(value, list):
            self.problem(path, f"`$or` takes a list of alternatives (mappings of fields), got {show(value)}", hint)
            return
        if len(value) < 2:
            self.problem(path, f"`$or` needs at least 2 alternatives, got {len(value)}",
                         "with one alternative, write its fields directly instead of `$or`")
        for index, branch in enumerate(value):
            if isinstance(branch, dict):
                self.mapping(branch, path + (index,))
            else:
                self.problem(path + (index,), f"each alternative of `$or` must be a mapping of fields, got "
                             f"{show(branch)}", hint)

    # --- leaves ----------------------------------------------------------------------------

    def value(self, item: Any, path: tuple, key: str) -> None:
        if isinstance(item, dict):
            self.matcher(item, path, key)
        elif isinstance(item, bool) or item is None or isinstance(item, str):
            return
        elif isinstance(item, (int, float)):
            self.number(item, path, ranged=self.d.exact_numbers_limited)
        else:
            self.problem(path, f"a filter list holds strings, numbers, true, false, null or matchers such as "
                         f"{{prefix: ...}}, got {show(item)}", "lists do not nest; put the values in one list")

    def matcher(self, item: dict, path: tuple, key: str) -> None:
        operators = ", ".join(self.d.operators)
        if len(item) != 1:
            got = "an empty mapping" if not item else f"{len(item)} keys ({', '.join(map(str, item))})"
            if item and not any(k in ALL_OPERATORS for k in item):
                hint = f"to filter fields inside `{key}`, write them as a mapping: `{key}: {{field: [...]}}`"
            else:
                hint = "give each matcher its own list item (items of a list are OR-ed)"
            self.problem(path, f"a matcher must have exactly one operator, got {got}", hint)
            return
        op, operand = next(iter(item.items()))
        here = path + (op,)
        if op not in ALL_OPERATORS:
            hint = f"operators: {operators}"
            if op != OR:
                hint += f"; to filter a field `{op}` inside `{key}`, write `{key}: {{{op}: [...]}}`"
            self.problem(here, f"`{op}` is not an {self.d.name} filter operator", hint)
            return
        if op not in self.d.operators:
            self.problem(here, f"{self.d.name} filter policies support no `{op}` operator, got {show(item)}",
                         f"{self.d.name} supports exact values and {operators}")
            return
        getattr(self, "op_" + op.replace("-", "_"))(operand, here)
