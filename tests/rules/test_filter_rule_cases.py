"""The filter rules (SVC1210–SVC1214) through the shared harness: one failing and one passing
build each (tests/rules/test_filter_rules.py covers their grammar in depth)."""

from __future__ import annotations

from tests.rules.harness import fails, passes

LEDGER = """
service: ledger
owner: team
description: d
publishes: [TransactionPosted]
event_store: {events: [TransactionPosted]}
events:
  TransactionPosted:
    fields: {transaction_id: {type: string}, amount: {type: integer}, currency: {type: string}}
functions: {post: {}}
"""


def fraud(filter_yaml: str, entry: str = "event: TransactionPosted") -> str:
    return f"""
service: fraud
owner: team
description: d
functions:
  review:
    subscribe:
      - {entry}
        from: ledger
        filter: {filter_yaml}
"""


STORE = "store: TransactionPosted"


def test_svc1210_bus_filter_grammar():
    (error,) = fails("SVC1210", fraud('{amount: [{numeric: [">>", 5]}]}'), LEDGER)
    assert error.path == "functions.review.subscribe[0].filter.amount[0].numeric[0]"
    passes("SVC1210", fraud('{amount: [{numeric: [">", 5]}]}'), LEDGER)


def test_svc1211_store_filter_uses_only_what_sns_supports():
    fails("SVC1211", fraud('{currency: [{wildcard: "G*"}]}', STORE), LEDGER)
    passes("SVC1211", fraud('{currency: [{prefix: "G"}]}', STORE), LEDGER)


def test_svc1212_filter_keys_are_fields_of_the_contract():
    (error,) = fails("SVC1212", fraud("{curency: [GBP]}"), LEDGER)
    assert error.path == "functions.review.subscribe[0].filter.curency" and "currency" in error.hint
    passes("SVC1212", fraud("{currency: [GBP]}"), LEDGER)


def test_svc1213_matchers_suit_the_field_type():
    fails("SVC1213", fraud("{currency: [{numeric: ['>', 5]}]}"), LEDGER)
    passes("SVC1213", fraud("{amount: [{numeric: ['>', 5]}]}"), LEDGER)


def test_svc1214_rendered_pattern_within_the_size_limit():
    many = ", ".join(f"C{i:04d}" for i in range(400))
    fails("SVC1214", fraud(f"{{currency: [{many}]}}"), LEDGER)
    passes("SVC1214", fraud("{currency: [GBP, EUR]}"), LEDGER)
