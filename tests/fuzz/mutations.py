"""Hypothesis strategies that break the demo specs the way people (and editors) do.

A `Mutant` is the demo platform (specs/*.yaml and specs/platform.yaml) with one file changed:
first on its data (a value of the wrong type, a number out of range, an unknown or misspelled
key, unicode or a very long string, a reference to nothing, a required key deleted, a list entry
duplicated), then, sometimes, on its text (a tab, an unbalanced bracket, an anchor, a tag, a
directive, a stray document, a control character). Files that are not mutated keep their text.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st
from ruamel.yaml import YAML

SPECS = Path(__file__).resolve().parents[2] / "specs"
TEXTS = {path.name: path.read_text() for path in sorted(SPECS.glob("*.yaml"))}
PLATFORM = "platform.yaml"

# Keys whose value names something defined elsewhere: a well-formed name that exists nowhere
# must be a clear error, never a KeyError in a rule or a renderer.
REFERENCE_KEYS = {"from", "event", "store", "call", "compensate", "reviewer", "starts", "publishes", "events",
                  "ephemeral_parent", "default", "runtime", "key", "ids", "field", "service", "handler", "http"}
GHOSTS = ["ghost", "Ghost", "GhostHappened", "ghost-service", "ghost.ghost-flow", "payments.ghost", "ghost_field",
          "review.ghost", "python3.99", "handlers.ghost.handle", "GET /ghost/{id}", "ledger", "accounts", "dev",
          "prod", "onboard-customer", "accounts.onboard-customer", "TransactionPosted", "AccountOpened",
          "a" * 300 + ".flow", "Ghost" + "t" * 300]  # names too long for a file name or a message
# Real keys of the spec language, so an "unknown" key is sometimes one that is valid elsewhere.
KNOWN_KEYS = ["service", "owner", "description", "runtime", "tags", "publishes", "events", "event_store", "functions",
              "workflows", "alerts", "handler", "timeout", "memory", "environment", "reserved_concurrency",
              "subscribe", "queue", "store_access", "starts", "http", "idempotency", "fifo", "batch_size",
              "batching_window", "max_concurrency", "max_receive_count", "retention_days", "message_group", "dlq",
              "event", "store", "from", "filter", "steps", "call", "pause", "choose", "when", "otherwise", "ids",
              "started_by", "org", "region", "bus", "stages", "defaults", "lambda", "logging", "version", "fields",
              "type", "items", "required", "sensitive", "key", "schedule", "email", "<<", "~", "1"]
NUMBERS = [0, -1, 1, 2, 3, 9, 10, 11, 13, 14, 15, 29, 30, 31, 100, 128, 127, 300, 301, 899, 900, 901, 1000, 1001,
           10000, 10001, 10240, 10241, 2**31, 2**63, -(2**63), 10**30, 1.5, -0.0, float("inf"), float("nan")]
TAGS = ["!!python/object:os.system ", "!Ref ", "!!int ", "!!str ", "!!binary ", "!!float ", "!!null ", "!!bool ",
        "!!set ", "!!map ", "!!seq ", "!<tag:yaml.org,2002:str> ", "! ", "!!timestamp "]
DIRECTIVES = ["%YAML 1.0\n---\n", "%YAML 1.1\n---\n", "%YAML 1.2\n---\n", "%YAML 2.0\n---\n",
              "%TAG ! tag:x,2000:\n---\n", "%FOO bar\n---\n", "%YAML 1.2\n%YAML 1.2\n---\n", "---\n", "--- !!map\n", "\ufeff"]
JUNK = ["\t", "[", "]", "{", "}", "'", '"', ": ", "- ", "&a ", "*a", "? ", "|", ">", "#", "%", "@", "`", ",", "\\",
        "\x00", "\x07", "\x1b", "\ufeff", "\u2028", "\ud7ff", "é", "🙂", "\r", "\r\n", "\n", "...\n", "---\n",
        "<<: *a\n", "&a [*a]", "!!python/name:os.system", "${AWS::Region}"]


@dataclass(frozen=True)
class Mutant:
    files: dict[str, str]  # file name -> text, for every demo file
    changed: str  # the mutated file
    steps: tuple[str, ...]  # what was done to it, for the failure report

    def describe(self) -> str:
        return f"{self.changed} after {'; '.join(self.steps)}:\n{self.files[self.changed]}"


def _load(text: str):
    return YAML(typ="safe", pure=True).load(text)


def _dump(data) -> str:
    out = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.width = 4096  # keep long values on one line: the point is how svcgen reports them
    yaml.representer.ignore_aliases = lambda *_: True  # a duplicated entry is written out, not aliased
    yaml.dump(data, out)
    return out.getvalue()


def _paths(node, prefix=()):
    """Every path into `node` (the root excluded), parents before children."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return
    for key, value in items:
        yield prefix + (key,)
        yield from _paths(value, prefix + (key,))


def _parent(data, path):
    for part in path[:-1]:
        data = data[part]
    return data


def _misspell(draw, key: str) -> str:
    if not key:
        return "x"
    i = draw(st.integers(0, len(key) - 1))
    how = draw(st.sampled_from(["drop", "double", "swap", "case", "dash"]))
    if how == "drop":
        return key[:i] + key[i + 1:] or key + "x"
    if how == "double":
        return key[:i] + key[i] + key[i:]
    if how == "swap" and i + 1 < len(key):
        return key[:i] + key[i + 1] + key[i] + key[i + 2:]
    if how == "case":
        return key[:i] + key[i].swapcase() + key[i + 1:]
    return key.replace("_", "-") if "_" in key else key.replace("-", "_") if "-" in key else key + "_"


def _values():
    """A value of any type, including the ones YAML makes easy to write by accident."""
    return st.one_of(
        st.none(), st.booleans(), st.sampled_from(NUMBERS), st.integers(),
        st.text(max_size=12), st.sampled_from(["yes", "no", "on", "10", "1e3", "0x1F", "~", "null", "7d", "", " "]),
        st.lists(st.sampled_from(["a", "A", "1", "a-b"]), max_size=3),
        st.dictionaries(st.sampled_from(KNOWN_KEYS + ["x", "X y"]), st.sampled_from([None, 1, "a", []]), max_size=2),
    )


def _strings():
    return st.one_of(
        st.text(max_size=30),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "🙂", "a-", "A"]), st.integers(40, 20000)),
        st.sampled_from(["dev\n", "billing\n", " payments", "Payments", "pay ments", "ledger\t", "\u00a0"]),
    )


@st.composite
def _mutate_data(draw, data, steps: list):
    """One change to the data tree (in place); returns the (possibly new) root."""
    paths = list(_paths(data))
    # weighted towards changes that keep the shape valid, so that the rules and renderers see them
    kind = draw(st.sampled_from(["type", "number", "number", "unknown_key", "misspell", "misspell", "string",
                                 "reference", "reference", "reference", "delete", "delete", "duplicate",
                                 "duplicate", "empty"]))
    if not paths:
        return draw(_values())
    if kind == "number":
        numeric = [p for p in paths if type(_parent(data, p)[p[-1]]) is int] or paths
        path = draw(st.sampled_from(numeric))
    elif kind in ("unknown_key", "misspell"):
        path = draw(st.sampled_from([p for p in paths if isinstance(_parent(data, p), dict)] or paths))
    elif kind == "reference":
        named = [p for p in paths if any(part in REFERENCE_KEYS for part in p[-2:] if isinstance(part, str))]
        path = draw(st.sampled_from(named or paths))
    elif kind == "duplicate":
        path = draw(st.sampled_from([p for p in paths if isinstance(_parent(data, p), list)] or paths))
    else:
        path = draw(st.sampled_from(paths))
    parent, last = _parent(data, path), path[-1]
    where = ".".join(map(str, path))
    if kind == "type":
        parent[last] = draw(_values())
    elif kind == "number":
        parent[last] = draw(st.one_of(st.sampled_from(NUMBERS), st.integers()))
    elif kind == "string":
        parent[last] = draw(_strings())
    elif kind == "reference":
        ghost = draw(st.sampled_from(GHOSTS))
        parent[last] = [ghost] if isinstance(parent[last], list) else ghost
    elif kind == "empty":
        parent[last] = draw(st.sampled_from([None, "", [], {}]))
    elif kind == "delete":
        del parent[last]
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(draw(st.integers(0, len(parent))), copy.deepcopy(parent[last]))
    elif kind == "unknown_key" and isinstance(parent, dict):
        target = parent[last] if isinstance(parent[last], dict) else parent
        key = draw(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=20),
                             st.builds(lambda n: "k" * n, st.integers(61, 1000))))
        target[key] = draw(_values())
        where = f"{where} + key {key!r}"
    elif kind == "misspell" and isinstance(parent, dict) and isinstance(last, str):
        new = _misspell(draw, last)
        parent[new] = parent.pop(last)
        where = f"{where} -> {new!r}"
    steps.append(f"{kind} at {where}")
    return data


@st.composite
def _mutate_text(draw, text: str, steps: list) -> str:
    lines = text.split("\n")
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    kind = draw(st.sampled_from(["tab", "junk", "anchor", "tag", "directive", "document", "delete_line",
                                 "duplicate_line", "indent", "truncate"]))
    current = lines[line]
    if kind == "tab":
        lines[line] = "\t" + current
    elif kind == "junk":
        at = draw(st.integers(0, len(current)))
        piece = draw(st.one_of(st.sampled_from(JUNK), st.text(max_size=5)))
        lines[line] = current[:at] + piece + current[at:]
    elif kind == "anchor" and ": " in current:
        head, _, tail = current.partition(": ")
        lines[line] = f"{head}: {draw(st.sampled_from(['&a ', '*a', '&a', '<<: *a']))}{tail}"
    elif kind == "tag" and ":" in current:
        head, _, tail = current.partition(":")
        tail = draw(st.sampled_from([tail.lstrip(), "", "''", "yes", "x"]))  # the tag on its value, or on junk
        lines[line] = f"{head}: {draw(st.sampled_from(TAGS))}{tail}"
    elif kind == "directive":
        lines.insert(0, draw(st.sampled_from(DIRECTIVES)).removesuffix("\n"))
    elif kind == "document":
        lines.append(draw(st.sampled_from(["---\nservice: again", "...", "---", "...\n---"])))
    elif kind == "delete_line":
        del lines[line]
    elif kind == "duplicate_line":
        lines.insert(line, current)
    elif kind == "indent":
        lines[line] = " " * draw(st.integers(1, 3)) + current if draw(st.booleans()) else current.lstrip(" ")
    elif kind == "truncate":
        lines[line] = current[: draw(st.integers(0, len(current)))]
        del lines[line + 1:]
    steps.append(f"{kind} at line {line + 1}")
    return "\n".join(lines)


@st.composite
def mutants(draw) -> Mutant:
    """The demo platform with one file broken by 1–3 changes to its data and 0–2 to its text."""
    name = draw(st.sampled_from(sorted(TEXTS)))
    steps: list[str] = []
    text = TEXTS[name]
    # text damage mostly stops svcgen at the YAML: keep it rarer, so most mutants reach the rules
    mode = draw(st.sampled_from(["data", "data", "data", "text", "both"]))
    if mode != "text":
        data = _load(text)
        for _ in range(draw(st.integers(1, 3))):
            data = draw(_mutate_data(data, steps))
        text = _dump(data)
    if mode != "data":
        for _ in range(draw(st.integers(1, 2))):
            text = draw(_mutate_text(text, steps))
    return Mutant({**TEXTS, name: text}, name, tuple(steps))
