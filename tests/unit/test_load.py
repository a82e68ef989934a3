"""generator.spec.load: plain data, positions, and a clear SpecError for every kind of bad input."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from generator.errors import SpecError, SpecErrors
from generator.spec.load import MAX_BYTES, MAX_DEPTH, MAX_ERRORS, Document, load_document, load_text

SPEC = """\
# a comment
service: ledger
owner: team-core-banking
enabled: yes
on: off
created: 2024-01-31
stamp: 2001-12-14t21:59:43.10-05:00
ratio: 0.5
count: 0x1F
big: 1_000
debug: true
nothing: ~
publishes: [TransactionPosted, 'AccountOpened']
functions:
  post-transaction:
    timeout: 10
    subscribe:
      - event: AccountOpened
        from: accounts
      - store: TransactionRequested
    note: |
      multi
      line
"""


def errors_of(text: str | bytes, file: str = "spec.yaml") -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        load_text(text, file)
    return caught.value.errors


def only_error(text: str | bytes) -> SpecError:
    errors = errors_of(text)
    assert len(errors) == 1, errors
    return errors[0]


def assert_plain(value) -> None:
    """Exact built-in types only: no ruamel subclasses may leak into the pipeline."""
    assert type(value) in (dict, list, str, int, float, bool, type(None)), type(value)
    if type(value) is dict:
        for key, item in value.items():
            assert type(key) is str
            assert_plain(item)
    elif type(value) is list:
        for item in value:
            assert_plain(item)


# --- normal specs ---------------------------------------------------------------------------


def test_normal_spec_loads_to_plain_types_in_source_order():
    doc = load_text(SPEC, "specs/ledger.yaml")
    assert_plain(doc.data)
    assert doc.file == "specs/ledger.yaml"
    assert list(doc.data)[:4] == ["service", "owner", "enabled", "on"]
    assert doc.data["enabled"] == "yes" and doc.data["on"] == "off"  # YAML 1.2: not booleans
    assert doc.data["ratio"] == 0.5 and doc.data["count"] == 31 and doc.data["big"] == 1000
    assert doc.data["debug"] is True and doc.data["nothing"] is None
    assert doc.data["publishes"] == ["TransactionPosted", "AccountOpened"]
    function = doc.data["functions"]["post-transaction"]
    assert function["subscribe"] == [
        {"event": "AccountOpened", "from": "accounts"},
        {"store": "TransactionRequested"},
    ]
    assert function["note"] == "multi\nline\n"


def test_timestamps_keep_their_source_text():
    doc = load_text(SPEC, "s.yaml")
    assert doc.data["created"] == "2024-01-31"
    assert doc.data["stamp"] == "2001-12-14t21:59:43.10-05:00"
    assert load_text("2024-01-31: x\n", "s.yaml").data == {"2024-01-31": "x"}


def test_utf8_bom_is_accepted_and_does_not_shift_columns():
    doc = load_text("\ufeffname: café\n".encode(), "s.yaml")
    assert doc.data == {"name": "café"}
    assert doc.positions[("name",)] == (1, 1)


def test_standard_tags_that_restate_plain_yaml_are_allowed():
    assert load_text("a: !!str 3\nb: !!int '4'\nc: !!map {x: 1}\n", "s.yaml").data == {
        "a": "3", "b": 4, "c": {"x": 1}}


# --- positions ------------------------------------------------------------------------------


def test_positions_of_nested_keys_point_at_the_key():
    doc = load_text(SPEC, "s.yaml")
    assert doc.positions[()] == (2, 1)
    assert doc.positions[("service",)] == (2, 1)
    assert doc.positions[("functions", "post-transaction")] == (15, 3)
    assert doc.positions[("functions", "post-transaction", "timeout")] == (16, 5)
    assert doc.positions[("functions", "post-transaction", "subscribe", 0, "from")] == (19, 9)


def test_positions_of_sequence_items_point_at_the_item():
    doc = load_text(SPEC, "s.yaml")
    assert doc.positions[("publishes", 0)] == (13, 13)
    assert doc.positions[("publishes", 1)] == (13, 32)
    assert doc.positions[("functions", "post-transaction", "subscribe", 1)] == (20, 9)


def test_locate_falls_back_to_the_nearest_known_ancestor():
    doc = load_text(SPEC, "s.yaml")
    assert doc.locate(("functions", "post-transaction", "subscribe", 0, "event")) == (18, 9)
    assert doc.locate(("functions", "post-transaction", "memory")) == (15, 3)
    assert doc.locate(("functions", "missing", "x", 3)) == (14, 1)
    assert doc.locate(("alerts",)) == (2, 1)
    assert Document("s.yaml", {}, {}).locate(("a",)) == (1, 1)


def test_error_builds_a_spec_error_at_the_path():
    doc = load_text(SPEC, "specs/ledger.yaml")
    path = ("functions", "post-transaction", "subscribe", 1, "store")
    error = doc.error(path, "unknown event", "declare it")
    dotted_path = "functions.post-transaction.subscribe[1].store"
    assert error == SpecError("specs/ledger.yaml", 20, 9, dotted_path, "unknown event", "declare it")


# --- hazards --------------------------------------------------------------------------------


def test_syntax_error_reports_the_problem_mark_in_plain_words():
    error = only_error("service: ledger\nowner: a: b\n")
    assert (error.file, error.line, error.col) == ("spec.yaml", 2, 9)
    assert error.message.startswith("invalid YAML: a ':' is not allowed here")
    assert "mapping values are not allowed" in error.hint


def test_unknown_character_is_a_syntax_error_with_a_plain_hint():
    error = only_error("a: `x`\n")
    assert (error.line, error.col) == (1, 4)
    assert error.message == "invalid YAML: this character cannot start a value; quote the value"
    assert error.hint == "parser said: found character '`' that cannot start any token"


def test_syntax_error_for_an_unclosed_flow_list():
    error = only_error("a: [1, 2\nb: 3\n")
    assert (error.line, error.col) == (2, 2)
    assert "missing a ',' or its closing ']'" in error.message


def test_bad_indentation_is_a_syntax_error():
    error = only_error("a:\n  b: 1\n c: 2\n")
    assert (error.line, error.col) == (3, 2)
    assert "indentation does not match" in error.message


def test_all_duplicate_keys_are_reported_at_the_second_occurrence():
    errors = errors_of("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n")
    assert [(e.line, e.col, e.path) for e in errors] == [(4, 3, "b.x"), (5, 1, "a")]
    assert errors[0].message == "duplicate key 'x' (first defined on line 3)"
    assert errors[1].message == "duplicate key 'a' (first defined on line 1)"


def test_every_tab_indented_line_is_reported():
    errors = errors_of("a:\n\tb: 1\nc:\n  \td: 2\nok: 'tab\tinside is fine'\n")
    assert [(e.line, e.col) for e in errors] == [(2, 1), (4, 3)]
    assert all("tabs are not allowed, indent with spaces" in e.message for e in errors)


def test_anchors_and_aliases_are_forbidden():
    errors = errors_of("base: &defaults\n  timeout: 3\nother: *defaults\n")
    assert [(e.line, e.col) for e in errors] == [(1, 7), (3, 8)]
    assert errors[0].message.startswith("anchor '&defaults' found")
    assert errors[1].message.startswith("alias '*defaults' found")
    assert all("specs must be explicit; anchors and aliases are not allowed" in e.message for e in errors)


def test_merge_keys_are_forbidden():
    error = only_error("a:\n  x: 1\nb:\n  <<: {x: 1}\n  y: 2\n")
    assert (error.line, error.col, error.path) == (4, 3, "b")
    assert "merge keys ('<<') are not allowed" in error.message


ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def test_alias_bomb_fails_in_the_event_pass_without_building_a_tree(monkeypatch):
    def no_tree(*args, **kwargs):
        raise AssertionError("the composer must not run for a spec with aliases")

    monkeypatch.setattr(YAML, "compose", no_tree)
    errors = errors_of(ALIAS_BOMB)
    assert (errors[0].line, errors[0].col) == (1, 4) and "anchor '&a'" in errors[0].message
    alias = errors[2]
    assert (alias.line, alias.col) == (2, 8) and alias.message.startswith("alias '*a' found")
    assert len(errors) <= MAX_ERRORS + 1  # capped, never one per expanded node


def test_custom_and_unknown_tags_are_rejected():
    errors = errors_of("a: !Ref Bucket\nb: !!python/object:os.system ls\nc: !!binary aGk=\n")
    assert [(e.line, e.col) for e in errors] == [(1, 4), (2, 4), (3, 4)]
    assert errors[0].message == "the tag '!Ref' is not allowed in a spec"
    assert errors[1].message == "the tag '!!python/object:os.system' is not allowed in a spec"
    assert errors[2].message == "the tag '!!binary' is not allowed in a spec"


def test_explicit_core_tag_with_a_bad_value_is_an_error():
    error = only_error("a:\n  b: !!int twelve\n")
    assert (error.line, error.col, error.path) == (2, 6, "a.b")
    assert error.message == "'twelve' is not a valid !!int"


@pytest.mark.parametrize("text, got, where", [
    ("- a\n- b\n", "got a list (- a - b)", (1, 1)),
    ("just text\n", "got a string (just text)", (1, 1)),
    ("# only\n\n42\n", "got an integer (42)", (3, 1)),
])
def test_top_level_must_be_a_mapping(text, got, where):
    error = only_error(text)
    assert (error.line, error.col) == where
    assert error.message == f"expected a mapping at the top level, {got}"


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n"])
def test_empty_document_is_an_error_at_the_start(text):
    error = only_error(text)
    assert (error.line, error.col) == (1, 1)
    assert error.message == "expected a mapping at the top level, got an empty document"


def test_nul_byte_is_reported_as_binary():
    error = only_error(b"a: 1\nbb: \x00\x01\x02\n")
    assert (error.line, error.col) == (2, 5)
    assert "NUL byte" in error.message and "not binary" in error.message


def test_invalid_utf8_reports_the_first_bad_byte():
    error = only_error("a: 1\nname: café ".encode() + b"\xff\xfe\n")
    assert (error.line, error.col) == (2, 12)
    assert error.message.startswith("the file is not valid UTF-8 (byte 0xff)")


def test_other_control_characters_are_reported():
    error = only_error("a: 1\nb: x\x07\n")
    assert (error.line, error.col) == (2, 5)
    assert "control character U+0007" in error.message


def test_more_than_one_document_is_an_error_at_the_second():
    error = only_error("---\na: 1\n---\nb: 2\n")
    assert (error.line, error.col) == (3, 1)
    assert "a spec file holds exactly one document" in error.message


def test_yaml_11_directive_is_rejected():
    error = only_error("%YAML 1.1\n---\na: yes\n")
    assert error.line == 2 and "only YAML 1.2 is supported" in error.message


def test_non_string_keys_are_reported_with_the_key():
    errors = errors_of("ok: 1\n1: x\nnull: y\n[a]: z\ntrue: t\nnested:\n  2.5: q\n")
    assert [(e.line, e.col, e.path) for e in errors] == [(2, 1, ""), (3, 1, ""), (4, 1, ""), (5, 1, ""),
                                                         (7, 3, "nested")]
    assert [e.message.removeprefix("mapping keys must be strings, got ") for e in errors] == [
        "an integer (1)", "null (null)", "a list ([a])", "a boolean (true)", "a number (2.5)"]
    assert all(e.hint == "quote the key" for e in errors)


def test_file_over_one_mib_is_rejected_before_parsing():
    error = only_error(b"a: '" + b"x" * MAX_BYTES + b"'\n")
    assert (error.line, error.col) == (1, 1)
    assert error.message == "the file is larger than 1 MiB (1048576 bytes), the limit for a spec"


def test_nesting_deeper_than_the_limit_is_an_error():
    ok = "a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"  # the top mapping makes it MAX_DEPTH + 1
    assert only_error(ok).message == f"the spec nests deeper than {MAX_DEPTH} levels"
    load_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n", "s.yaml")
    error = only_error("[" * 5000)  # would be a RecursionError in the composer
    assert (error.line, error.col) == (1, MAX_DEPTH + 1)


def test_deep_block_nesting_reports_the_first_too_deep_line():
    text = "".join("  " * level + f"k{level}:\n" for level in range(200)) + "  " * 200 + "v: 1\n"
    error = only_error(text)
    assert (error.line, error.col) == (MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)


def test_number_of_errors_is_capped():
    errors = errors_of("".join(f"k{i}:\n\tv: 1\n" for i in range(200)))
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1].message == f"too many errors; only the first {MAX_ERRORS} are shown"


@pytest.mark.parametrize("junk", [
    "a: 'unclosed\n", 'a: "unclosed\n', "a: {b: 1\n", "? [\n", "a: *undefined\n", "- a\nb: 1\n",
    "a: `x`\n", "&a\n", "!!\n", "%TAG ! tag:x,2000:\n--- !foo 1\n", "a: 1\n...\nb: 2\n", "[a, b]: c\n",
    "\ud800: x\n", "a:\n  - b\n - c\n", "? ? ? a\n", "a: |\n  x\n y\n", "{" * 60, "a: !<tag:x> y\n",
])
def test_junk_never_escapes_as_anything_but_spec_errors(junk):
    errors = errors_of(junk)
    assert errors and all(e.file == "spec.yaml" and e.line >= 1 and e.col >= 1 for e in errors)


# --- files ----------------------------------------------------------------------------------


def test_load_document_reads_bytes_and_uses_the_display_name(tmp_path):
    path = tmp_path / "ledger.yaml"
    path.write_bytes(SPEC.encode())
    assert load_document(path, display="specs/ledger.yaml").file == "specs/ledger.yaml"
    assert load_document(path).file == str(path)
    assert load_document(path).data["service"] == "ledger"


def test_missing_or_unreadable_file_is_a_spec_error(tmp_path):
    for path in (tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(SpecErrors) as caught:
            load_document(path, display="x.yaml")
        (error,) = caught.value.errors
        assert (error.file, error.line, error.col) == ("x.yaml", 1, 1)
        assert error.message.startswith("cannot read the file: ")


def test_oversized_file_is_rejected(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (3 * MAX_BYTES))
    with pytest.raises(SpecErrors) as caught:
        load_document(path)
    assert "larger than 1 MiB" in caught.value.errors[0].message
