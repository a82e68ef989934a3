"""The filter rules (SVC1210–SVC1214) on small specs: each finds its mistake at the right key and
line, passes a correct filter, and finds nothing in the demo platform or the examples."""

from __future__ import annotations

import pathlib
import textwrap

import pytest

from generator.concerns.subscription import filters
from generator.concerns.subscription.filter_grammar import eventbridge_problems, serialized_chars
from generator.rules import registry
from generator.rules.base import Fleet, ServiceInput, SpecContext, SpecRule
from generator.spec.load import load_document, load_text
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = (filters.BusFilterGrammar(), filters.StoreFilterGrammar(), filters.FilterKeysAreFields(),
         filters.FilterMatchesFieldType(), filters.BusPatternSize())

LEDGER = """\
service: ledger
owner: team-ledger
description: Publishes and stores TransactionPosted.
publishes: [TransactionPosted]
event_store: {events: [TransactionPosted]}
events:
  TransactionPosted:
    fields:
      transaction_id: {type: string}
      amount: {type: integer}
      rate: {type: number}
      fee: {type: decimal}
      currency: {type: string}
      kind: {type: string}
      note: {type: string, required: false}
      urgent: {type: boolean}
      posted_at: {type: datetime}
      counterparty: {type: object}
      tags: {type: list, items: string}
functions:
  post: {}
"""

# The subscriber: line 7 is the entry, line 9 `filter:`, the filter's first key is on line 10.
SUBSCRIBER = """\
service: fraud
owner: team-fraud
description: Reviews transfers.
functions:
  review:
    subscribe:
      - {entry}
        from: ledger
        filter:
{filter}"""
BUS = "event: TransactionPosted"
STORE = "store: TransactionPosted"
AT = "functions.review.subscribe[0].filter"


def subscriber(filter_yaml: str, entry: str = BUS) -> str:
    return SUBSCRIBER.format(entry=entry, filter=textwrap.indent(textwrap.dedent(filter_yaml), " " * 10))


def fleet_of(texts: dict[str, str]) -> Fleet:
    platform_doc = load_text("org: acme\n", "platform.yaml")
    items = []
    for name, text in texts.items():
        doc = load_text(text, name)
        items.append(ServiceInput(doc, validate_document(doc, ServiceSpec)))
    return Fleet(platform_doc, validate_document(platform_doc, PlatformSpec), items)


def findings(text: str, *rules: SpecRule, publisher: str = LEDGER):
    """What `rules` (default: all filter rules) find in the subscriber spec `text`."""
    fleet = fleet_of({"fraud.yaml": text, "ledger.yaml": publisher})
    item = fleet.services[0]
    ctx = SpecContext(item.doc, item.spec, fleet.platform, fleet)
    return [err for rule in (rules or RULES) for err in rule.check(ctx)]


def where(errors) -> list[tuple[str, str, int]]:
    return [(e.rule, e.path, e.line) for e in errors]


# --- SVC1210: EventBridge grammar ---------------------------------------------------------------

def test_bus_filter_grammar_points_at_the_bad_operand():
    errors = findings(subscriber('amount: [{numeric: [">>", 5]}]\n'))
    assert where(errors) == [("SVC1210", f"{AT}.amount[0].numeric[0]", 10)]
    assert errors[0].severity == "error"
    assert "element 1 must be an operator, got '>>'" in errors[0].message
    assert errors[0].render().endswith("[SVC1210]")


@pytest.mark.parametrize("filter_yaml, path, line", [
    ("currency: EUR\n", "currency", 10),
    ("kind:\n  - exists: 'yes'\n", "kind[0].exists", 11),
    ("amount: [{anything-but: []}]\n", "amount[0].anything-but", 10),
    ("currency:\n  - prefix: E\n    suffix: R\n", "currency[0]", 11),
    ("kind: [{prefix: 5}]\n", "kind[0].prefix", 10),
])
def test_bus_filter_grammar_cases(filter_yaml, path, line):
    assert where(findings(subscriber(filter_yaml), filters.BusFilterGrammar())) == [("SVC1210", f"{AT}.{path}", line)]


def test_bus_filter_grammar_covers_workflow_starters():
    text = textwrap.dedent("""\
        service: fraud
        owner: team-fraud
        description: Reviews transfers.
        functions:
          review: {}
        workflows:
          investigate:
            started_by:
              - event: TransactionPosted
                from: ledger
                filter:
                  urgent: [{exists: "yes"}]
            ids: [transaction_id]
            steps:
              - call: review
        """)
    assert where(findings(text)) == [("SVC1210", "workflows.investigate.started_by[0].filter.urgent[0].exists", 12)]


def test_bus_filter_grammar_passes_the_documented_operators():
    text = subscriber("""\
        amount:
          - numeric: [">=", 10000, "<", 1000000]
        currency: [EUR, USD]
        counterparty:
          iban:
            - prefix: DE
            - prefix: {equals-ignore-case: fr}
        kind: [{anything-but: {wildcard: "test-*"}}]
        $or:
          - urgent: [true]
          - note: [{exists: true}]
        """)
    assert findings(text) == []


# --- SVC1211: SNS grammar and limits ------------------------------------------------------------

def test_store_filter_refuses_what_sns_lacks():
    errors = findings(subscriber("kind: [{wildcard: 'out*'}]\n", STORE))
    assert where(errors) == [("SVC1211", f"{AT}.kind[0].wildcard", 10)]
    assert "SNS filter policies support no `wildcard` operator" in errors[0].message
    # the same filter on the bus is fine
    assert findings(subscriber("kind: [{wildcard: 'out*'}]\n")) == []


def test_store_filter_refuses_eventbridge_only_matcher_shapes():
    errors = findings(subscriber("kind: [{anything-but: {suffix: '-test'}}]\n", STORE))
    assert where(errors) == [("SVC1211", f"{AT}.kind[0].anything-but", 10)]


def test_store_filter_limits_are_judged_on_the_rendered_policy():
    # 3 keys of 5 values under `detail` (depth 2): (5 × 2)^3 = 1000 combinations > 150
    text = subscriber("""\
        currency: [EUR, USD, GBP, CHF, SEK]
        kind: [a, b, c, d, e]
        transaction_id: [t1, t2, t3, t4, t5]
        """, STORE)
    errors = findings(text)
    assert where(errors) == [("SVC1211", AT, 9)]
    assert "at most 150 combinations of values, got 1000" in errors[0].message
    assert "at depth 2" in errors[0].hint


def test_store_filter_numbers_are_within_sns_range():
    errors = findings(subscriber('amount: [{numeric: [">", 2000000000]}]\n', STORE))
    assert where(errors) == [("SVC1211", f"{AT}.amount[0].numeric[1]", 10)]


def test_store_filter_passes_the_demo_filter():
    assert findings(subscriber('amount:\n  - numeric: [">=", 10000]\n', STORE)) == []


# --- SVC1212: keys are the contract's fields ----------------------------------------------------

def test_filter_keys_must_be_fields_of_the_contract():
    errors = findings(subscriber("amont: [{numeric: ['>', 5]}]\n"))
    assert where(errors) == [("SVC1212", f"{AT}.amont", 10)]
    assert errors[0].message == "filter keys must be fields of TransactionPosted's contract (ledger), got 'amont'"
    assert errors[0].hint == "did you mean `amount`?"


def test_filter_keys_inside_or_are_fields_too():
    errors = findings(subscriber("$or:\n  - amount: [5]\n  - curency: [EUR]\n"))
    assert where(errors) == [("SVC1212", f"{AT}.$or[1].curency", 12)]


def test_the_envelope_is_not_a_field():
    [error] = findings(subscriber("detail:\n  amount: [5]\n"))
    assert (error.rule, error.path) == ("SVC1212", f"{AT}.detail")
    assert "already applies to the event's `detail`" in error.hint


def test_filter_keys_that_exist_pass():
    text = subscriber("""\
        schema_version: [1]
        counterparty:
          iban: [{prefix: DE}]
        amount: [{numeric: [">", 0]}]
        """)
    assert findings(text) == []
    # stored events also carry the store's identity
    assert findings(subscriber("aggregate_id: [{prefix: acc-}]\nrevision: [1]\n", STORE)) == []
    [error] = findings(subscriber("aggregate_id: [x]\n"))
    assert (error.rule, error.path) == ("SVC1212", f"{AT}.aggregate_id")


def test_an_unknown_event_is_skipped_silently():
    text = subscriber("amont: [5]\n").replace("from: ledger", "from: nobody")
    assert findings(text) == []


# --- SVC1213: matchers suit the field's type ----------------------------------------------------

@pytest.mark.parametrize("filter_yaml, path, words", [
    ("currency: [{numeric: ['>', 1]}]\n", "currency[0].numeric", "`numeric` matches only JSON numbers"),
    ("fee: [{numeric: ['>', 1]}]\n", "fee[0].numeric", "which travels as a JSON string"),
    ("posted_at: [{numeric: ['>', 1]}]\n", "posted_at[0].numeric", "`posted_at` is a datetime field"),
    ("amount: [{prefix: '1'}]\n", "amount[0].prefix", "`prefix` matches only strings, and `amount` is an integer"),
    ("amount: ['100']\n", "amount[0]", "`amount` is an integer field, so the string '100' matches nothing"),
    ("amount: [10.5]\n", "amount[0]", "so 10.5 matches nothing"),
    ("currency: [5]\n", "currency[0]", "so the number 5 matches nothing"),
    ("urgent: ['true']\n", "urgent[0]", "`urgent` is a boolean field, so the string 'true'"),
    ("currency: [true]\n", "currency[0]", "so the boolean true matches nothing"),
    ("note: [null]\n", "note[0]", "null matches nothing"),
    ("currency: [{exists: false}]\n", "currency[0].exists", "`exists: false` matches nothing"),
    ("amount: [{anything-but: [a, b]}]\n", "amount[0].anything-but", "excludes nothing: every event matches"),
    ("counterparty: [x]\n", "counterparty", "`counterparty` is an object field, so a list"),
    ("amount:\n  value: [5]\n", "amount", "a mapping of fields under it matches nothing"),
    ("tags: [{numeric: ['>', 1]}]\n", "tags[0].numeric", "`tags` is a list of string field"),
])
def test_matchers_must_suit_the_field_type(filter_yaml, path, words):
    errors = findings(subscriber(filter_yaml))
    assert [(e.rule, e.path) for e in errors] == [("SVC1213", f"{AT}.{path}")]
    assert words in errors[0].message, errors[0].message


def test_field_type_hints_say_what_to_write():
    [error] = findings(subscriber("amount: ['100']\n"))
    assert (error.line, error.hint) == (10, "write the number unquoted: `amount: [100]`")
    [error] = findings(subscriber("fee: [10.5]\n"))
    assert error.hint == "decimals travel as JSON strings: quote it, `fee: ['10.5']`"


def test_matchers_that_suit_their_fields_pass():
    text = subscriber("""\
        amount: [100, {numeric: [">", 0]}, {anything-but: [5]}]
        rate: [0.5]
        fee: ['10.50', {prefix: '1'}]
        currency: [EUR, {equals-ignore-case: usd}, {anything-but: {prefix: X}}]
        urgent: [true, {exists: true}]
        note: [{exists: false}]
        posted_at: [{prefix: '2024-'}]
        tags: [vip, {suffix: -eu}]
        counterparty:
          anything: [1, x]
        """)
    assert findings(text) == []
    assert findings(subscriber("revision: [{numeric: ['>', 1]}]\n", STORE)) == []


# --- SVC1214: the rendered pattern's size -------------------------------------------------------

def test_rendered_pattern_size_counts_source_and_detail_type():
    # the filter alone fits in 2048 characters; with source and detail-type around it, it does not
    value = "x" * (2048 - serialized_chars({"kind": [""]}))
    assert not eventbridge_problems({"kind": [value]})
    rendered = {"source": ["acme.ledger"], "detail-type": ["TransactionPosted"], "detail": {"kind": [value]}}
    errors = findings(subscriber(f"kind: [{value}]\n"))
    assert where(errors) == [("SVC1214", AT, 9)]
    assert errors[0].message == ("the event pattern svcgen renders for this filter is too long: an EventBridge event "
                                 f"pattern must be at most 2048 characters, got {serialized_chars(rendered)}")
    assert findings(subscriber("kind: [x]\n"), filters.BusPatternSize()) == []


# --- the rules themselves -----------------------------------------------------------------------

def test_rules_are_registered_with_ids_in_the_subscription_range():
    assert "generator.concerns.subscription.filters" in registry.RULE_MODULES
    ids = [rule.id for rule in RULES]
    assert len(set(ids)) == len(ids)
    for rule in RULES:
        assert isinstance(rule, SpecRule)
        assert 1210 <= int(rule.id[3:]) <= 1229 and rule.id.startswith("SVC")
        assert rule.concern == "subscription" and rule.severity == "error"
        assert rule.summary and rule.rationale and rule.source.startswith("https://docs.aws.amazon.com/")
    declared = {obj.id for obj in vars(filters).values()
                if isinstance(obj, type) and issubclass(obj, SpecRule) and "id" in vars(obj)}
    assert declared == set(ids)


def _fleets() -> list:
    return list(_each_fleet())


def _each_fleet():
    for directory in [ROOT / "specs", *sorted(p for p in (ROOT / "examples").iterdir() if p.is_dir())]:
        platform_doc = load_document(directory / "platform.yaml")
        items = []
        for path in sorted(directory.glob("*.yaml")):
            if path.name != "platform.yaml":
                doc = load_document(path)
                items.append(ServiceInput(doc, validate_document(doc, ServiceSpec)))
        yield pytest.param(Fleet(platform_doc, validate_document(platform_doc, PlatformSpec), items),
                           id=directory.name)


@pytest.mark.parametrize("fleet", _fleets())
def test_demo_specs_and_examples_pass_every_filter_rule(fleet):
    found = []
    for item in fleet.services:
        ctx = SpecContext(item.doc, item.spec, fleet.platform, fleet)
        found += [err.render() for rule in RULES for err in rule.check(ctx)]
    assert found == []
