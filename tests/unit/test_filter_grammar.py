"""The two filter grammars (EventBridge patterns, SNS MessageBody filter policies) on plain data:
each operator's good and bad shapes, and each documented limit."""

from __future__ import annotations

import pytest

from generator.concerns.subscription.filter_grammar import (
    EVENTBRIDGE_PATTERN_MAX_CHARS, Problem, eventbridge_problems, eventbridge_size_problems, sns_combinations,
    sns_problems,
)

NAN, INF = float("nan"), float("inf")


def leaf(*items) -> dict:
    """A filter on one field, `f`, with these list items."""
    return {"f": list(items)}


def grammar(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.kind == "grammar"]


# --- shapes both languages accept ---------------------------------------------------------------

GOOD_BOTH = [
    pytest.param(leaf("EUR", "USD"), id="strings"),
    pytest.param(leaf(""), id="empty-string"),
    pytest.param(leaf(5, 2.5, -3), id="numbers"),
    pytest.param(leaf(True, False, None), id="true-false-null"),
    pytest.param({"counterparty": {"iban": [{"prefix": "DE"}, {"prefix": "FR"}]}}, id="nested"),
    pytest.param(leaf({"prefix": "DE"}), id="prefix"),
    pytest.param(leaf({"suffix": ".png"}), id="suffix"),
    pytest.param(leaf({"equals-ignore-case": "alice"}), id="equals-ignore-case"),
    pytest.param(leaf({"exists": True}, {"exists": False}), id="exists"),
    pytest.param(leaf({"cidr": "10.0.0.0/24"}), id="cidr-v4"),
    pytest.param(leaf({"cidr": "2001:db8::/32"}), id="cidr-v6"),
    pytest.param(leaf({"numeric": ["=", 3.018e2]}), id="numeric-equals"),
    pytest.param(leaf({"numeric": ["<", 10]}), id="numeric-less"),
    pytest.param(leaf({"numeric": [">", 0, "<=", 5]}), id="numeric-range"),
    pytest.param(leaf({"numeric": [">=", 10000, "<", 1000000]}), id="numeric-range-example"),
    pytest.param(leaf({"anything-but": "initializing"}), id="anything-but-string"),
    pytest.param(leaf({"anything-but": 123}), id="anything-but-number"),
    pytest.param(leaf({"anything-but": ["stopped", "overloaded"]}), id="anything-but-strings"),
    pytest.param(leaf({"anything-but": [100, 200, 300]}), id="anything-but-numbers"),
    pytest.param(leaf({"anything-but": {"prefix": "init"}}), id="anything-but-prefix"),
    pytest.param({"$or": [{"a": ["x"]}, {"b": [{"numeric": [">", 1]}]}]}, id="or"),
    pytest.param({"a": {"$or": [{"b": ["x"]}, {"c": ["y"]}]}}, id="nested-or"),
]


@pytest.mark.parametrize("pattern", GOOD_BOTH)
def test_shapes_both_accept(pattern):
    assert eventbridge_problems(pattern) == []
    assert sns_problems(pattern) == []


GOOD_EVENTBRIDGE_ONLY = [
    pytest.param(leaf({"wildcard": "dir/*.png"}), id="wildcard"),
    pytest.param(leaf({"wildcard": "a\\*b\\\\c"}), id="wildcard-escapes"),
    pytest.param(leaf({"prefix": {"equals-ignore-case": "EventB"}}), id="prefix-ignore-case"),
    pytest.param(leaf({"suffix": {"equals-ignore-case": ".png"}}), id="suffix-ignore-case"),
    pytest.param(leaf({"anything-but": {"suffix": ".png"}}), id="anything-but-suffix"),
    pytest.param(leaf({"anything-but": {"equals-ignore-case": ["a", "b"]}}), id="anything-but-ignore-case"),
    pytest.param(leaf({"anything-but": {"wildcard": "*/lib/*"}}), id="anything-but-wildcard"),
    pytest.param(leaf({"anything-but": {"prefix": ["us-", "eu-"]}}), id="anything-but-prefix-list"),
    pytest.param(leaf({"numeric": [">", 4.9e9]}), id="numeric-above-sns-range"),
    pytest.param(leaf({"numeric": ["=", 0.123456]}), id="numeric-six-decimals"),
    pytest.param(leaf(6e9), id="exact-number-out-of-numeric-range"),
]


@pytest.mark.parametrize("pattern", GOOD_EVENTBRIDGE_ONLY)
def test_eventbridge_only_shapes(pattern):
    assert eventbridge_problems(pattern) == []
    assert grammar(sns_problems(pattern)), "SNS does not support this"


# --- shapes both refuse, with where and what ----------------------------------------------------

BAD_BOTH = [
    # (filter, path of the problem, words of the message)
    pytest.param({}, (), "must name at least one field, got an empty mapping", id="empty-filter"),
    pytest.param({"a": {}}, ("a",), "nested filter must name at least one field", id="empty-nested"),
    pytest.param({"": ["x"]}, ("",), "got an empty key", id="empty-key"),
    pytest.param({"currency": "EUR"}, ("currency",), "must be a list of values or matchers, got 'EUR'",
                 id="leaf-not-list"),
    pytest.param({"currency": []}, ("currency",), "non-empty list, got []", id="empty-list"),
    pytest.param(leaf(["a"]), ("f", 0), "got ['a']", id="nested-list"),
    pytest.param(leaf(NAN), ("f", 0), "must be finite, got .nan", id="nan-value"),
    pytest.param(leaf({}), ("f", 0), "exactly one operator, got an empty mapping", id="matcher-no-key"),
    pytest.param(leaf({"prefix": "a", "suffix": "b"}), ("f", 0), "exactly one operator, got 2 keys (prefix, suffix)",
                 id="matcher-two-keys"),
    pytest.param(leaf({"iban": ["x"]}), ("f", 0, "iban"), "`iban` is not an", id="unknown-operator"),
    pytest.param(leaf({"prefix": 5}), ("f", 0, "prefix"), "`prefix` takes a string, got 5", id="prefix-number"),
    pytest.param(leaf({"suffix": None}), ("f", 0, "suffix"), "`suffix` takes a string, got null", id="suffix-null"),
    pytest.param(leaf({"equals-ignore-case": 1}), ("f", 0, "equals-ignore-case"), "takes a string",
                 id="equals-ignore-case-number"),
    pytest.param(leaf({"exists": "yes"}), ("f", 0, "exists"), "takes true or false, got 'yes'", id="exists-yes"),
    pytest.param(leaf({"exists": 1}), ("f", 0, "exists"), "takes true or false, got 1", id="exists-1"),
    pytest.param(leaf({"cidr": "10.0.0.0"}), ("f", 0, "cidr"), "CIDR notation", id="cidr-no-mask"),
    pytest.param(leaf({"cidr": "10.0.0.300/24"}), ("f", 0, "cidr"), "CIDR notation", id="cidr-bad-address"),
    pytest.param(leaf({"numeric": [">>", 5]}), ("f", 0, "numeric", 0), "must be an operator, got '>>'",
                 id="numeric-bad-operator"),
    pytest.param(leaf({"numeric": [">", "5"]}), ("f", 0, "numeric", 1), "must be a number, got '5'",
                 id="numeric-string-number"),
    pytest.param(leaf({"numeric": [">", True]}), ("f", 0, "numeric", 1), "must be a number, got true",
                 id="numeric-boolean"),
    pytest.param(leaf({"numeric": [">", NAN]}), ("f", 0, "numeric", 1), "must be finite, got .nan", id="numeric-nan"),
    pytest.param(leaf({"numeric": ["<", INF]}), ("f", 0, "numeric", 1), "must be finite, got .inf", id="numeric-inf"),
    pytest.param(leaf({"numeric": []}), ("f", 0, "numeric"), "got []", id="numeric-empty"),
    pytest.param(leaf({"numeric": ">5"}), ("f", 0, "numeric"), "takes a list", id="numeric-not-list"),
    pytest.param(leaf({"numeric": [5, ">"]}), ("f", 0, "numeric", 0), "must be an operator, got 5",
                 id="numeric-number-first"),
    pytest.param(leaf({"numeric": [">"]}), ("f", 0, "numeric"), "must end with a number", id="numeric-no-number"),
    pytest.param(leaf({"numeric": ["<", 5, ">", 0]}), ("f", 0, "numeric"), "lower bound (> or >=) then an upper",
                 id="numeric-upper-first"),
    pytest.param(leaf({"numeric": ["=", 5, "<", 9]}), ("f", 0, "numeric"), "lower bound (> or >=) then an upper",
                 id="numeric-equals-range"),
    pytest.param(leaf({"numeric": [">", 0, "<", 5, "<", 9]}), ("f", 0, "numeric"), "got 3 comparisons",
                 id="numeric-three"),
    pytest.param(leaf({"numeric": [">", 5, "<", 5]}), ("f", 0, "numeric"), "lower bound must be below",
                 id="numeric-empty-range"),
    pytest.param(leaf({"numeric": [">", 6e9]}), ("f", 0, "numeric", 1), "matches numbers from",
                 id="numeric-out-of-range"),
    pytest.param(leaf({"numeric": ["=", 0.1234567]}), ("f", 0, "numeric", 1), "digits after the decimal point",
                 id="numeric-too-precise"),
    pytest.param(leaf({"anything-but": []}), ("f", 0, "anything-but"), "at least one value to exclude, got []",
                 id="anything-but-empty"),
    pytest.param(leaf({"anything-but": True}), ("f", 0, "anything-but"), "got true", id="anything-but-boolean"),
    pytest.param(leaf({"anything-but": {"prefix": 5}}), ("f", 0, "anything-but", "prefix"), "got 5",
                 id="anything-but-prefix-number"),
    pytest.param(leaf({"anything-but": {"numeric": [">", 1]}}), ("f", 0, "anything-but"), "exactly one of",
                 id="anything-but-numeric"),
    pytest.param({"$or": [{"a": ["x"]}]}, ("$or",), "at least 2 alternatives, got 1", id="or-one"),
    pytest.param({"$or": {"a": ["x"]}}, ("$or",), "takes a list of alternatives", id="or-mapping"),
    pytest.param({"$or": [{"a": ["x"]}, "b"]}, ("$or", 1), "must be a mapping of fields", id="or-not-mapping"),
    pytest.param({"$or": [{"a": ["x"]}, {}]}, ("$or", 1), "at least one field", id="or-empty-branch"),
    pytest.param(leaf({"$or": [{"a": ["x"]}, {"b": ["y"]}]}), ("f", 0, "$or"), "is not an", id="or-as-matcher"),
]


@pytest.mark.parametrize("pattern, path, words", BAD_BOTH)
def test_shapes_both_refuse(pattern, path, words):
    for problems in (eventbridge_problems(pattern), sns_problems(pattern)):
        found = grammar(problems)
        assert [p.path for p in found] == [path], found
        assert words in found[0].message, found[0].message


BAD_EVENTBRIDGE = [
    pytest.param(leaf({"wildcard": "a**b"}), ("f", 0, "wildcard"), "consecutive `*`", id="wildcard-consecutive"),
    pytest.param(leaf({"wildcard": "a\\b"}), ("f", 0, "wildcard"), "escape only", id="wildcard-bad-escape"),
    pytest.param(leaf({"wildcard": 5}), ("f", 0, "wildcard"), "takes a string", id="wildcard-number"),
    pytest.param(leaf({"prefix": {"equals-ignore-case": 5}}), ("f", 0, "prefix", "equals-ignore-case"),
                 "takes a string", id="prefix-ignore-case-number"),
    pytest.param(leaf({"prefix": {"suffix": "x"}}), ("f", 0, "prefix"), "{equals-ignore-case: <string>}",
                 id="prefix-other-mapping"),
    pytest.param(leaf({"anything-but": ["a", 1]}), ("f", 0, "anything-but"), "only strings or only numbers",
                 id="anything-but-mixed"),
    pytest.param(leaf({"anything-but": ["a", None]}), ("f", 0, "anything-but", 1), "strings or numbers, got null",
                 id="anything-but-null"),
    pytest.param(leaf({"anything-but": {"prefix": ""}}), ("f", 0, "anything-but", "prefix"), "non-empty string",
                 id="anything-but-empty-prefix"),
    pytest.param(leaf({"anything-but": {"wildcard": "**"}}), ("f", 0, "anything-but", "wildcard"), "consecutive",
                 id="anything-but-bad-wildcard"),
    pytest.param(leaf({"anything-but": {"suffix": []}}), ("f", 0, "anything-but", "suffix"), "got []",
                 id="anything-but-suffix-empty-list"),
]


@pytest.mark.parametrize("pattern, path, words", BAD_EVENTBRIDGE)
def test_eventbridge_refuses(pattern, path, words):
    found = eventbridge_problems(pattern)
    assert [p.path for p in found] == [path], found
    assert words in found[0].message, found[0].message


BAD_SNS = [
    pytest.param(leaf({"wildcard": "dir/*"}), ("f", 0, "wildcard"), "SNS filter policies support no `wildcard`",
                 id="wildcard"),
    pytest.param(leaf({"prefix": {"equals-ignore-case": "x"}}), ("f", 0, "prefix"), "takes a string in SNS",
                 id="prefix-ignore-case"),
    pytest.param(leaf({"suffix": {"equals-ignore-case": "x"}}), ("f", 0, "suffix"), "takes a string in SNS",
                 id="suffix-ignore-case"),
    pytest.param(leaf({"anything-but": {"suffix": ".png"}}), ("f", 0, "anything-but"), "exactly one of prefix (SNS)",
                 id="anything-but-suffix"),
    pytest.param(leaf({"anything-but": {"equals-ignore-case": "a"}}), ("f", 0, "anything-but"), "exactly one of prefix",
                 id="anything-but-ignore-case"),
    pytest.param(leaf({"anything-but": {"prefix": ["a", "b"]}}), ("f", 0, "anything-but", "prefix"),
                 "takes a string, got", id="anything-but-prefix-list"),
    pytest.param(leaf({"numeric": [">", 4.9e9]}), ("f", 0, "numeric", 1),
                 "from -1,000,000,000 to 1,000,000,000", id="numeric-range"),
    pytest.param(leaf({"numeric": ["=", 0.123456]}), ("f", 0, "numeric", 1), "5 digits after the decimal point",
                 id="numeric-six-decimals"),
    pytest.param(leaf(2e9), ("f", 0), "from -1,000,000,000", id="exact-number-range"),
    pytest.param(leaf({"anything-but": [2e9]}), ("f", 0, "anything-but", 0), "from -1,000,000,000",
                 id="anything-but-number-range"),
]


@pytest.mark.parametrize("pattern, path, words", BAD_SNS)
def test_sns_refuses(pattern, path, words):
    found = sns_problems(pattern)
    assert [p.path for p in found] == [path], found
    assert words in found[0].message, found[0].message


# --- limits -------------------------------------------------------------------------------------

def test_eventbridge_pattern_size_is_counted_in_characters_of_compact_json():
    fits = {"f": ["x" * (EVENTBRIDGE_PATTERN_MAX_CHARS - len('{"f":[""]}'))]}
    assert eventbridge_problems(fits) == []
    over = {"f": ["x" * (EVENTBRIDGE_PATTERN_MAX_CHARS - len('{"f":[""]}') + 1)]}
    assert eventbridge_size_problems(over) == eventbridge_problems(over)
    [problem] = eventbridge_problems(over)
    assert (problem.kind, problem.path) == ("size", ())
    assert problem.message == "an EventBridge event pattern must be at most 2048 characters, got 2049"
    # characters, not bytes: 2040 'é' are 4080 bytes but fit
    assert eventbridge_problems({"f": ["é" * 2038]}) == []


def test_sns_combinations_multiply_values_by_nesting_depth():
    # the documented example: "3 x 4 x 2 x 3 = 72"
    documented = {"key_a": {"key_b": {"key_c": [1, 2, 3, 4]}}, "key_d": {"key_e": [1, 2, 3]}}
    assert sns_combinations(documented) == 72
    assert sns_problems(documented) == []
    # one more top-level key with 3 values: 216 > 150
    [problem] = sns_problems({**documented, "key_f": [1, 2, 3]})
    assert (problem.kind, problem.path) == ("combinations", ())
    assert "at most 150 combinations of values, got 216" in problem.message


def test_sns_combinations_of_or_alternatives_add_up():
    assert sns_combinations({"$or": [{"a": [1, 2]}, {"b": [1, 2, 3]}], "c": [1, 2]}) == (2 + 3) * 2


def test_sns_counts_only_top_level_keys():
    nested = {"d": {f"k{i}": ["x"] for i in range(7)}}  # 2^7 = 128 combinations: within 150
    assert sns_problems(nested) == []
    [problem] = sns_problems({f"k{i}": ["x"] for i in range(6)})
    assert (problem.kind, problem.message) == ("keys", "an SNS filter policy may have at most 5 top-level keys, got 6")


def test_sns_policy_size_is_at_most_256_kb():
    [problem] = [p for p in sns_problems({"f": ["x" * (256 * 1024)]}) if p.kind == "size"]
    assert "at most 256 KB" in problem.message


def test_a_filter_that_is_not_a_mapping_is_one_problem():
    for problems in (eventbridge_problems(["x"]), sns_problems(["x"])):
        assert [(p.path, p.message) for p in problems] == [((), "a filter must be a mapping of field names, got ['x']")]
