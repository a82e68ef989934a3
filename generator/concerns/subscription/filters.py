"""Rules on a subscription's content filter (`filter:`), for functions' `subscribe` and workflows'
`started_by` alike (both seen through `SpecContext.subscriptions()`).

What is judged is what svcgen renders: a bus subscription's filter goes under `detail` of the
EventBridge rule's pattern, next to `source` and `detail-type` (components/subscription.pattern);
a store subscription's filter goes under `detail` of the SNS subscription's filter policy (scope
`MessageBody`), next to `detail-type` (components/store_subscription.filter_policy). The grammar
of each language is in filter_grammar.py; these rules put its findings at the spec's lines, and
add what only the spec knows: the event's contract (which keys exist, and their types).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from generator.concerns.subscription.render_store import filter_policy
from generator.concerns.subscription.render import pattern as bus_pattern
from generator.concerns.subscription.filter_grammar import (
    ALL_OPERATORS, OR, eventbridge_problems, eventbridge_size_problems, show, sns_problems,
)
from generator.concerns.subscription.resolve import ResolvedSubscription, event_source, store_source
from generator.rules.base import SpecRule

EVENTBRIDGE_OPERATORS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html"
EVENTBRIDGE_QUOTAS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html"
EVENTBRIDGE_PATTERNS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html"
SNS_FILTER_POLICIES = "https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html"

# Fields svcgen puts into every event's `detail` besides the contract's own: the contract version
# (generated models), and for stored events the store's identity (runtime/store_publisher.py).
EVERY_EVENT_FIELDS = {"schema_version": ("integer", None, True)}
STORED_EVENT_FIELDS = {"aggregate_id": ("string", None, True), "revision": ("integer", None, True)}
# Contract field types by what they are in the event's JSON: decimals, dates and datetimes
# travel as strings.
JSON_KIND = {"string": "string", "datetime": "string", "date": "string", "decimal": "string",
             "integer": "number", "number": "number", "boolean": "boolean", "object": "object"}
STRING_MATCHERS = ("prefix", "suffix", "equals-ignore-case", "wildcard", "cidr")
ENVELOPE_KEYS = ("detail", "detail-type", "source")


def _filtered(ctx, store: bool):
    """Subscriptions of one kind with a filter; entries that are both or neither kind are SVC1201's."""
    for site in ctx.subscriptions():
        sub = site.sub
        if sub.filter is None or (sub.event is None) == (sub.store is None) or site.is_store != store:
            continue
        yield site


class BusFilterGrammar(SpecRule):
    id = "SVC1210"
    concern = "subscription"
    summary = ("a bus subscription's filter is an EventBridge pattern: every leaf a non-empty list of values or "
               "one-operator matchers (prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists, "
               "cidr, `$or`), each with an operand of the documented shape")
    rationale = ("EventBridge refuses a malformed pattern when the stack deploys (after every other check passed), and "
                 "some shapes it accepts match nothing; svcgen points at the spec line instead")
    source = EVENTBRIDGE_OPERATORS

    def check(self, ctx):
        for site in _filtered(ctx, store=False):
            for problem in eventbridge_problems(site.sub.filter):
                if problem.kind == "grammar":
                    yield self.error(ctx.doc, site.path + ("filter",) + problem.path, problem.message, problem.hint)


class StoreFilterGrammar(SpecRule):
    id = "SVC1211"
    concern = "subscription"
    summary = ("a store subscription's filter is an SNS filter policy (MessageBody): only the operators SNS supports "
               "(no wildcard, no case-insensitive prefix/suffix, only prefix inside anything-but), numbers within "
               "±10^9 to 5 decimals, and the rendered policy within SNS's limits (5 top-level keys, 150 combinations, "
               "256 KB)")
    rationale = ("SNS refuses such a policy when the subscription is created, failing the stack deploy; EventBridge "
                 "syntax that SNS lacks is an easy mistake because bus and store filters look alike. Limits: "
                 "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html")
    source = SNS_FILTER_POLICIES

    def check(self, ctx):
        for site in _filtered(ctx, store=True):
            here = site.path + ("filter",)
            for problem in sns_problems(site.sub.filter):
                if problem.kind == "grammar":
                    yield self.error(ctx.doc, here + problem.path, problem.message, problem.hint)
            publisher = site.publisher or ctx.spec.service
            rendered = filter_policy(ResolvedSubscription(
                kind="store", logical_id="", rule_name="", publisher=publisher, event=site.sub.store,
                source=store_source(ctx.platform.org, publisher), filter=site.sub.filter))
            for problem in sns_problems(rendered):
                if problem.kind == "grammar":
                    continue  # judged on the filter itself above
                hint = problem.hint
                if problem.kind == "combinations":
                    hint += ("; svcgen's policy is {detail-type: [event], detail: <filter>}, so the filter's own "
                             "keys are at depth 2")
                yield self.error(ctx.doc, here, "the SNS filter policy svcgen renders for this filter is over a "
                                 f"limit: {problem.message}", hint)


class BusPatternSize(SpecRule):
    id = "SVC1214"
    concern = "subscription"
    summary = "the EventBridge pattern rendered for a bus subscription (source, detail-type, the filter) is at most 2048 characters"
    rationale = ("EventBridge's default quota on an event pattern's size is 2,048 characters; a larger pattern fails "
                 "the deploy unless the account's quota was raised (then waive this rule)")
    source = EVENTBRIDGE_QUOTAS

    def check(self, ctx):
        for site in _filtered(ctx, store=False):
            if site.sub.from_ is None:
                continue  # no source to render: SVC1202
            rendered = bus_pattern(event_source(ctx.platform.org, site.sub.from_), site.sub.event, site.sub.filter)
            for problem in eventbridge_size_problems(rendered):
                yield self.error(ctx.doc, site.path + ("filter",), f"the event pattern svcgen renders for this "
                                 f"filter is too long: {problem.message}", problem.hint)


class FilterKeysAreFields(SpecRule):
    id = "SVC1212"
    concern = "subscription"
    summary = ("every key of a filter is a field of the event's contract (or schema_version; aggregate_id and revision "
               "for store events); keys under an `object` field are free")
    rationale = ("a pattern that names a field the event does not have matches no event: the subscriber silently "
                 "never runs. A typo must fail the build, not production")
    source = EVENTBRIDGE_PATTERNS

    def check(self, ctx):
        for site, problem in _contract_findings(ctx):
            if problem[0] == "key":
                yield self.error(ctx.doc, site.path + ("filter",) + problem[1], problem[2], problem[3])


class FilterMatchesFieldType(SpecRule):
    id = "SVC1213"
    concern = "subscription"
    summary = ("each value or matcher of a filter suits its field's type: numbers and `numeric` for integer/number "
               "fields, strings and string matchers for string/date/datetime/decimal fields, true/false for booleans, "
               "fields (not values) under an object")
    rationale = ("EventBridge and SNS compare JSON types strictly: `numeric` on a string field, `prefix` on a number, "
                 "'10' for an integer field or a decimal (a JSON string) compared as a number match nothing, and an "
                 "`anything-but` of the wrong type excludes nothing; all deploy fine and fail silently")
    source = EVENTBRIDGE_OPERATORS

    def check(self, ctx):
        for site, problem in _contract_findings(ctx):
            if problem[0] == "type":
                yield self.error(ctx.doc, site.path + ("filter",) + problem[1], problem[2], problem[3])


# --- the contract walk shared by SVC1212 and SVC1213 --------------------------------------------

def _contract_findings(ctx) -> Iterator[tuple[Any, tuple]]:
    for site in ctx.subscriptions():
        sub = site.sub
        if not isinstance(sub.filter, dict) or (sub.event is None) == (sub.store is None):
            continue
        contract = ctx.contract_of(site)
        if contract is None:
            continue  # unknown event: the contract rules say so
        fields = {name: (spec.type, spec.items, spec.required) for name, spec in contract.fields.items()}
        fields.update(EVERY_EVENT_FIELDS)
        if site.is_store:
            fields.update(STORED_EVENT_FIELDS)
        what = f"{site.event}'s contract ({site.publisher or ctx.spec.service})"
        for problem in _walk(sub.filter, fields, (), what):
            yield site, problem


def _walk(node: dict, fields: dict, path: tuple, what: str) -> Iterator[tuple]:
    for key, value in node.items():
        here = path + (key,)
        if key == OR:
            for index, branch in enumerate(value if isinstance(value, list) else []):
                if isinstance(branch, dict):
                    yield from _walk(branch, fields, here + (index,), what)
            continue
        if key not in fields:
            yield ("key", here, f"filter keys must be fields of {what}, got {key!r}", _key_hint(key, fields))
            continue
        kind, items, required = fields[key]
        base = items if kind == "list" else kind  # a list matches when one of its elements does
        type_name = kind if kind != "list" else f"list of {items}"
        json_kind = JSON_KIND.get(base)
        if json_kind is None:
            continue  # a list without `items`: the contract rules report it
        if isinstance(value, dict):
            if json_kind != "object":
                yield ("type", here, f"`{key}` is a{_n(type_name)} {type_name} field, so a mapping of fields under it "
                       "matches nothing", f"match its value with a list: `{key}: [...]`")
            continue  # keys inside an object field are not in the contract: free
        if not isinstance(value, list):
            continue  # the grammar rules report it
        if json_kind == "object":
            if value:
                yield ("type", here, f"`{key}` is a{_n(type_name)} {type_name} field, so a list of values or matchers "
                       "matches nothing", f"filter the fields inside it: `{key}: {{field: [...]}}`")
            continue
        for index, item in enumerate(value):
            found = _judge(item, key, base, type_name, json_kind, required)
            if found:
                at, message, hint = found
                yield ("type", here + (index,) + at, message, hint)


def _judge(item: Any, key: str, base: str, type_name: str, json_kind: str, required: bool):
    """(relative path, message, hint) when `item` cannot match field `key` (of element type `base`)
    as it should, else None."""
    field = f"`{key}` is a{_n(type_name)} {type_name} field"
    as_string = base in ("decimal", "date", "datetime")
    if item is None:
        why = "required, so never null" if required else "optional, and svcgen leaves an absent optional field out"
        return (), f"{field} that is {why}: null matches nothing", \
            "match an absent optional field with `{exists: false}`" if not required else "remove null"
    if isinstance(item, bool):
        if json_kind != "boolean":
            return (), f"{field}, so the boolean {show(item)} matches nothing", _value_hint(key, json_kind, base)
        return None
    if isinstance(item, str):
        if json_kind != "string":
            return (), f"{field}, so the string {show(item)} matches nothing", _value_hint(key, json_kind, base, item)
        return None
    if isinstance(item, (int, float)):
        if json_kind != "number":
            why = " (decimals travel as JSON strings)" if base == "decimal" else ""
            return (), f"{field}{why}, so the number {show(item)} matches nothing", \
                _value_hint(key, json_kind, base, item)
        if base == "integer" and isinstance(item, float) and not item.is_integer():
            return (), f"{field}, so {show(item)} matches nothing", "use `numeric` to compare with a fraction"
        return None
    if not isinstance(item, dict) or len(item) != 1:
        return None  # the grammar rules report it
    op, operand = next(iter(item.items()))
    if op not in ALL_OPERATORS:
        return None
    if op in STRING_MATCHERS and json_kind != "string":
        return (op,), f"`{op}` matches only strings, and {field}, so it matches nothing", \
            "compare numbers with `numeric`" if json_kind == "number" else f"list the values: `{key}: [true]`"
    if op == "numeric" and json_kind != "number":
        why = ", which travels as a JSON string" if as_string else ""
        hint = ("decimals travel as strings to stay exact; make the field `integer` (minor units) or `number` to "
                "filter numerically") if base == "decimal" else "match strings with exact values or `prefix`"
        return (op,), f"`numeric` matches only JSON numbers, and {field}{why}, so it matches nothing", hint
    if op == "exists" and operand is False and required:
        return (op,), f"{field} that is required, so it is always present and `exists: false` matches nothing", \
            "make the field optional (`required: false`), or remove the matcher"
    if op == "anything-but":
        kinds = _operand_kinds(operand)
        wrong = kinds - {json_kind}
        if kinds and wrong:
            return (op,), f"{field}, so `anything-but` of {' and '.join(sorted(wrong))} values excludes nothing: " \
                "every event matches", _value_hint(key, json_kind, base)
    return None


def _operand_kinds(operand: Any) -> set[str]:
    values = operand if isinstance(operand, list) else [operand]
    kinds = set()
    for value in values:
        if isinstance(value, dict):
            kinds.add("string")  # prefix/suffix/equals-ignore-case/wildcard inside: strings only
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, str):
            kinds.add("string")
        elif isinstance(value, (int, float)):
            kinds.add("number")
    return kinds


def _value_hint(key: str, json_kind: str, base: str, item: Any = None) -> str:
    if json_kind == "boolean":
        return f"write true or false unquoted: `{key}: [true]`"
    if json_kind == "number":
        if isinstance(item, str):
            try:
                float(item)
                return f"write the number unquoted: `{key}: [{item}]`"
            except ValueError:
                pass
        return "a number field takes numbers, or `numeric: [...]`"
    if base == "decimal" and isinstance(item, (int, float)):
        return f"decimals travel as JSON strings: quote it, `{key}: ['{item}']`"
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return f"quote it: `{key}: ['{item}']`"
    return "a string field takes strings, or string matchers such as `prefix`"


def _key_hint(key: str, fields: dict) -> str:
    if key in ENVELOPE_KEYS:
        return ("the filter already applies to the event's `detail`, and svcgen sets `source` and `detail-type` "
                "from `from` and `event`: name the fields directly")
    close = difflib.get_close_matches(key, list(fields), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"fields: {', '.join(sorted(fields))}"


def _n(word: str) -> str:
    return "n" if word[:1] in "aeiou" else ""
