"""Load one YAML spec into plain Python data plus a source map (key path -> line, col).

A spec is untrusted input, so loading is strict and never raises anything but `SpecErrors`:
1. bytes checks (size, NUL, UTF-8) before any parsing, so binary junk gets a clear message;
2. a text check for tab indentation (YAML forbids it; ruamel's own error is cryptic);
3. an event pass over ruamel's parser for syntax errors, directives, anchors/aliases, tags,
   extra documents and depth — it runs before the recursive composer ever builds a tree, so an
   alias bomb or 10 000 nested brackets fail fast instead of exploding or hitting RecursionError;
   it tracks the key path of every event, so these errors name the key they are in;
4. a walk over ruamel's node tree that builds plain dict/list/str/int/float/bool/None,
   records positions and collects duplicate and non-string keys.
Values quoted in messages are cut (`shown`): a 10 000-character value must not flood a terminal.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, NodeEvent
from ruamel.yaml.events import AliasEvent, DocumentStartEvent, MappingStartEvent, ScalarEvent
from ruamel.yaml.events import SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.tokens import DirectiveToken

from generator.errors import SpecError, SpecErrors, dotted

MAX_BYTES = 1024 * 1024  # a hand-written spec is a few KiB; anything bigger is a mistake
MAX_DEPTH = 50  # real specs nest < 10 levels; the bound keeps every walk far from recursion limits
MAX_ERRORS = 50  # a 1 MiB file of tabs or aliases must not produce 100 000 lines of output
SHOWN_MAX = 60  # a value or key quoted in a message is cut to this many characters

CORE = "tag:yaml.org,2002:"
NULL, BOOL, INT, FLOAT, STR = (CORE + t for t in ("null", "bool", "int", "float", "str"))
MERGE = CORE + "merge"
NOT_TEXT = {NULL, BOOL, INT, FLOAT, MERGE}  # implicit tags whose keys are not plain text
KINDS = {NULL: "null", BOOL: "a boolean", INT: "an integer", FLOAT: "a number", STR: "a string"}
# YAML 1.2 core schema spellings. ruamel's constructors also take YAML 1.1's (`!!bool yes` is
# true, `!!null x` is null), which would sneak in exactly what plain YAML 1.2 refuses.
CORE_NULLS = {"", "~", "null", "Null", "NULL"}
CORE_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# Explicit tags that only restate what plain YAML already means; everything else
# (!Ref, !!python/object:..., !!binary, !!set, ...) would smuggle behaviour or types into data.
ALLOWED_TAGS = {
    ScalarEvent: {NULL, BOOL, INT, FLOAT, STR},
    MappingStartEvent: {CORE + "map"},
    SequenceStartEvent: {CORE + "seq"},
}
NO_ANCHORS = "specs must be explicit; anchors and aliases are not allowed"
WRITE_OUT = "write the value out in full"
PLAIN_DATA = "a spec is plain data; write the plain value"

# ruamel's problem texts that need plain words; matched by prefix, the raw text goes in the hint.
_PLAIN = (
    ("mapping values are not allowed", "a ':' is not allowed here; quote a value that contains"
     " ': ' or fix the indentation"),
    ("expected <block end>", "the indentation does not match the lines above"),
    ("could not find expected ':'", "expected a 'key: value' line, but the ':' is missing"),
    ("found unexpected end of stream", "the file ends inside an unfinished value"
     " (an unclosed quote or bracket?)"),
    ("expected ',' or ']'", "a [ ... ] list is missing a ',' or its closing ']'"),
    ("expected ',' or '}'", "a { ... } mapping is missing a ',' or its closing '}'"),
    ("expected the node content", "a value is missing here"),
    ("found character", "this character cannot start a value; quote the value"),
)


def shown(text: str, limit: int = SHOWN_MAX) -> str:
    """`text` cut to `limit` characters with '...', control characters escaped: user input
    quoted in a message must keep it one line of reasonable length."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def shown_path(path: tuple) -> str:
    """The dotted key path with each over-long key cut, like any other quoted input."""
    return dotted(tuple(shown(part) if isinstance(part, str) else part for part in path))


@dataclass(frozen=True)
class Document:
    file: str
    data: dict
    positions: dict[tuple, tuple[int, int]]

    def locate(self, path: tuple) -> tuple[int, int]:
        """Position of `path`, else of its nearest known ancestor (e.g. a key that is missing)."""
        path = tuple(path)
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (1, 1)

    def error(self, path: tuple, message: str, hint: str = "") -> SpecError:
        line, col = self.locate(path)
        return SpecError(self.file, line, col, shown_path(tuple(path)), message, hint)


def load_document(path: pathlib.Path, display: str | None = None) -> Document:
    file = display if display is not None else str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # never read more than the limit needs
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        raise SpecErrors([_err(file, (1, 1), message)]) from None
    return load_text(data, file)


def load_text(text: str | bytes, file: str) -> Document:
    if isinstance(text, str):
        # one path for both: surrogatepass lets a lone surrogate surface as an invalid-UTF-8 error
        text = text.encode("utf-8", "surrogatepass")
    source = _decode(text, file)
    _raise_if(file, _tab_errors(source, file))
    _raise_if(file, _event_errors(source, file))
    yaml = _yaml()
    try:
        root = yaml.compose(source)
    except Exception as exc:  # noqa: BLE001 — the event pass saw the same text; only a safety net
        raise SpecErrors([_syntax_error(exc, file, source)]) from None
    return _Builder(file, source, yaml.constructor).document(root)


class _Parser(RoundTripParser):
    """ruamel's parser, except that a document's directives are handed to the event pass
    (`_document_errors`) instead of being acted on: ruamel `assert`s on `%YAML 1.0` (a
    traceback), and `%TAG` would rename tags behind the tag check's back."""

    def process_directives(self):
        found = []
        while self.scanner.check_token(DirectiveToken):
            found.append(self.scanner.get_token())
        self.loader.svcgen_directives = found
        self.tag_handles = dict(self.DEFAULT_TAGS)
        return None, None  # no version, no tag handles: YAML 1.2 with the standard `!!`


def _yaml() -> YAML:
    yaml = YAML(typ="rt")  # round trip: the only loader that keeps marks on every node
    yaml.Parser = _Parser
    yaml.svcgen_directives = []
    return yaml


def _raise_if(file: str, errors: list[SpecError]) -> None:
    if len(errors) > MAX_ERRORS:
        last = errors[MAX_ERRORS - 1]
        note = f"too many errors; only the first {MAX_ERRORS} are shown"
        errors = errors[:MAX_ERRORS] + [SpecError(file, last.line, last.col, "", note)]
    if errors:
        raise SpecErrors(errors)


def _err(file: str, where: tuple[int, int], message: str, hint: str = "", path: tuple = ()) -> SpecError:
    return SpecError(file, where[0], where[1], shown_path(path), message, hint)


def _at(mark) -> tuple[int, int]:
    """1-based (line, col) of a ruamel mark or node (ruamel counts from 0)."""
    mark = getattr(mark, "start_mark", mark)
    return mark.line + 1, mark.column + 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _decode(data: bytes, file: str) -> str:
    """Bytes -> text, or a SpecError for anything that is not a small UTF-8 text file."""
    if len(data) > MAX_BYTES:
        message = f"the file is larger than 1 MiB ({MAX_BYTES} bytes), the limit for a spec"
        raise SpecErrors([_err(file, (1, 1), message)])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 BOM is harmless (editors on Windows add it)
    nul = data.find(b"\x00")
    if nul >= 0:
        head = data[:nul].decode("utf-8", "replace")
        message = "the file contains a NUL byte; a spec must be UTF-8 text, not binary"
        raise SpecErrors([_err(file, _line_col(head, len(head)), message)])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode("utf-8")  # valid: exc.start is the first bad byte
        message = f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); a spec must be UTF-8 text"
        raise SpecErrors([_err(file, _line_col(head, len(head)), message, "save the file as UTF-8")]) from None


def _tab_errors(text: str, file: str) -> list[SpecError]:
    """One error per line whose indentation contains a tab (whitespace-only lines are harmless)."""
    errors = []
    for number, line in enumerate(text.split("\n"), start=1):
        body = line.lstrip(" \t")
        indent = line[: len(line) - len(body)]
        if "\t" in indent and body.strip():
            message = "a tab is used for indentation; tabs are not allowed, indent with spaces"
            errors.append(_err(file, (number, indent.index("\t") + 1), message))
    return errors


def _event_errors(text: str, file: str) -> list[SpecError]:
    """Check the parser's event stream; no tree is built, so nothing here can blow up."""
    errors: list[SpecError] = []
    depth, documents, paths = 0, 0, _Paths()
    yaml = _yaml()
    try:
        for event in yaml.parse(text):
            if len(errors) > MAX_ERRORS:
                break  # enough to act on; don't walk a 1 MiB alias bomb to the end
            if isinstance(event, DocumentStartEvent):
                documents += 1
                errors += _document_errors(event, documents, yaml.svcgen_directives, file)
                yaml.svcgen_directives = []
            if isinstance(event, NodeEvent):
                errors += _node_errors(event, paths.node(event), file)
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    # stop here: ruamel's scanner is quadratic in flow depth ([[[[...), so going
                    # on would let a small file burn seconds of CPU
                    message = f"the spec nests deeper than {MAX_DEPTH} levels"
                    errors.append(_err(file, _at(event), message))
                    break
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
                paths.frames.pop()
    except Exception as exc:  # noqa: BLE001 — a syntax error (or a ruamel assert) ends the pass
        errors.append(_syntax_error(exc, file, text, paths.current()))
    return errors


class _Paths:
    """The key path of each node event, followed through the event stream alone."""

    def __init__(self) -> None:
        # per open collection: [its path, next index (list) or last key (mapping), expects a key]
        self.frames: list[list] = []

    def node(self, event: NodeEvent) -> tuple:
        """The path of the node `event` starts; a mapping key gets its mapping's path."""
        path: tuple = ()
        if self.frames:
            frame = self.frames[-1]
            if isinstance(frame[1], int):
                path, frame[1] = frame[0] + (frame[1],), frame[1] + 1
            elif frame[2]:  # a key: remember it for its value
                path, frame[1], frame[2] = frame[0], getattr(event, "value", "?"), False
            else:
                path, frame[2] = frame[0] + (frame[1],), True
        if isinstance(event, CollectionStartEvent):
            self.frames.append([path, 0 if isinstance(event, SequenceStartEvent) else None, True])
        return path

    def current(self) -> tuple:
        """Where the parser is: the innermost open collection, or the value of its last key."""
        path, slot, wants_key = self.frames[-1] if self.frames else ((), None, True)
        return path if isinstance(slot, int) or wants_key else path + (slot,)


def _document_errors(event: DocumentStartEvent, number: int, directives: list, file: str) -> list[SpecError]:
    errors = []
    if number == 2:  # report the first extra document only
        message = "a second YAML document starts here; a spec file holds exactly one document"
        errors.append(_err(file, _at(event), message, "remove the extra '---'"))
    for index, directive in enumerate(directives):
        name, value = str(directive.name), directive.value
        if name == "YAML" and value != (1, 2):  # YAML 1.1 would make `yes`/`on` booleans
            message = f"only YAML 1.2 is supported, the file declares %YAML {'.'.join(map(str, value))}"
        elif name == "YAML" and any(d.name == "YAML" for d in directives[:index]):
            message = "the %YAML directive is repeated; a document declares its version once"
        elif name != "YAML":  # %TAG would rename tags behind the tag check; others mean nothing
            message = f"the directive '%{shown(name)}' is not allowed in a spec; only %YAML 1.2 is (remove the line)"
        else:
            continue
        errors.append(_err(file, _at(event), message))
    return errors


def _node_errors(event: NodeEvent, path: tuple, file: str) -> list[SpecError]:
    if isinstance(event, AliasEvent):
        return [_err(file, _at(event), f"alias '*{shown(str(event.anchor))}' found; {NO_ANCHORS}", WRITE_OUT, path)]
    errors = []
    if event.anchor is not None:
        message = f"anchor '&{shown(str(event.anchor))}' found; {NO_ANCHORS}"
        errors.append(_err(file, _at(event), message, WRITE_OUT, path))
    if _tag_error(event):
        errors.append(_err(file, _at(event), _tag_error(event), PLAIN_DATA, path))
    return errors


def _tag_error(event: NodeEvent) -> str:
    tag = event.tag
    if tag is None:
        return ""
    if tag in ALLOWED_TAGS.get(type(event), ()):
        return ""
    name = "!!" + tag[len(CORE):] if tag.startswith(CORE) else tag
    return f"the tag '{shown(name)}' is not allowed in a spec"


def _syntax_error(exc: Exception, file: str, text: str, path: tuple = ()) -> SpecError:
    if isinstance(exc, ReaderError):  # control characters ruamel refuses to read
        message = f"the file contains the control character U+{exc.character:04X}, which YAML does not allow"
        return _err(file, _line_col(text, exc.position), message)
    if not isinstance(exc, MarkedYAMLError):  # ruamel's own asserts and slips: still one clear line
        reason = shown(str(exc) or type(exc).__name__, 200)
        return _err(file, (1, 1), "invalid YAML: the file could not be parsed", f"parser said: {reason}", path)
    problem = shown(exc.problem or exc.context or "the YAML could not be parsed", 200)
    plain = next((words for prefix, words in _PLAIN if problem.startswith(prefix)), problem)
    if problem.startswith("mapping values") and exc.problem_mark and exc.problem_mark.column > 1024:
        plain = "a key is longer than 1024 characters, YAML's limit for a plain `key:`"
    where = f"{exc.context} at line {exc.context_mark.line + 1}" if exc.context_mark else ""
    hint = ", ".join(part for part in (f"parser said: {problem}", where) if part)
    mark = exc.problem_mark or exc.context_mark
    return _err(file, _at(mark) if mark is not None else (1, 1), f"invalid YAML: {plain}", hint, path)


class _Builder:
    """Walks ruamel's node tree (depth already bounded) into plain data and positions."""

    def __init__(self, file: str, text: str, constructor) -> None:
        self.file, self.text, self.constructor = file, text, constructor
        self.positions: dict[tuple, tuple[int, int]] = {}
        self.errors: list[SpecError] = []

    def document(self, root) -> Document:
        if not isinstance(root, MappingNode):
            got = "an empty document" if _is_empty(root) else self.describe(root)
            where = (1, 1) if _is_empty(root) else _at(root)
            message = f"expected a mapping at the top level, got {got}"
            raise SpecErrors([_err(self.file, where, message, "a spec is a mapping: lines of `key: value`")])
        self.positions[()] = _at(root)
        data = self.mapping(root, ())
        _raise_if(self.file, self.errors)
        return Document(self.file, data, self.positions)

    def value(self, node, path: tuple):
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path)
        return self.scalar(node, path)

    def mapping(self, node: MappingNode, path: tuple) -> dict:
        out: dict = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in out:
                first = self.positions[path + (key,)][0]
                message = f"duplicate key '{shown(key)}' (first defined on line {first})"
                hint = "each key may appear only once in a mapping"
                self.errors.append(_err(self.file, _at(key_node), message, hint, path + (key,)))
                continue
            self.positions[path + (key,)] = _at(key_node)
            out[key] = self.value(value_node, path + (key,))
        return out

    def sequence(self, node: SequenceNode, path: tuple) -> list:
        items = []
        for index, item in enumerate(node.value):
            self.positions[path + (index,)] = _at(item)
            items.append(self.value(item, path + (index,)))
        return items

    def key(self, node, path: tuple) -> str | None:
        """The key as str, or None after recording why it is not a usable key."""
        if isinstance(node, ScalarNode) and node.tag not in NOT_TEXT:
            return node.value  # like values, a date-like key stays the text it is
        if isinstance(node, ScalarNode) and node.tag == MERGE:
            message, hint = f"merge keys ('<<') are not allowed; {NO_ANCHORS}", "write the keys out in full"
        else:
            message, hint = f"mapping keys must be strings, got {self.describe(node)}", "quote the key"
        self.errors.append(_err(self.file, _at(node), message, hint, path))
        return None

    def scalar(self, node: ScalarNode, path: tuple):
        if node.tag == NULL:
            return None if node.value in CORE_NULLS else self.invalid(node, path)
        if node.tag == BOOL:
            return CORE_BOOLS[node.value] if node.value in CORE_BOOLS else self.invalid(node, path)
        convert = {INT: int, FLOAT: float}.get(node.tag)
        if convert is None:
            return str(node.value)  # strings, and timestamps etc. keep their exact source text
        try:
            return convert(self.constructor.construct_object(node))  # ruamel type -> plain type
        except Exception:  # noqa: BLE001 — `!!int ''` is an IndexError in ruamel, 5000 digits a ValueError
            return self.invalid(node, path)

    def invalid(self, node: ScalarNode, path: tuple) -> str:
        """Record a scalar whose text is not a value of its (explicit) core tag; keep it as text."""
        text, hint = str(node.value), PLAIN_DATA
        message = f"'{shown(text)}' is not a valid !!{node.tag[len(CORE):]}"
        if node.tag == INT and text.lstrip("+-").isdigit():  # Python refuses int() of > 4300 digits
            message, hint = f"must be a number of at most 4300 digits, got {len(text)} digits", ""
        self.errors.append(_err(self.file, _at(node), message, hint, path))
        return text

    def describe(self, node) -> str:
        """Words for what a node is, with its source text, for error messages."""
        text = " ".join(self.text[node.start_mark.index : node.end_mark.index].split())
        text = text if len(text) <= 40 else text[:37] + "..."
        kind = {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node))
        kind = kind or KINDS.get(node.tag, "a string")
        return f"{kind} ({text})" if text else f"{kind} (empty)"


def _is_empty(node) -> bool:
    """No document at all, or one holding only an empty scalar (`---` alone)."""
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL and node.value == "")
