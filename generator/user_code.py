"""A service's code directory against what svcgen would generate now: user files that no longer
match their function, and owned files that no function generates any more.

svcgen creates a handler module and a test once and never touches them again (ownership.py). So
when a spec edit changes how a function is invoked (a scaffolded function gains `subscribe:`, an
HTTP route gains a body), the entry svcgen regenerates calls the handler differently and the old
test drives it the old way: the service's tests fail with no hint. This module compares each
existing user file with the one svcgen would create today, by content, not by a record of what
was generated (a record would say "changed" forever, even once the user has fixed the file):

- a handler whose function's parameters differ from the new stub's (names, keyword-only-ness,
  and the generated event class it is annotated with);
- a test that builds events for another trigger (the event builders it imports from svcgen's
  test helpers share none with those the new test imports).

And a function that was renamed or removed leaves its owned files behind (its entry in
plumbing/, …): they are found by their owned-file header (ownership.HEADER_MARK), reported as
orphans, and removed with `--prune-orphans`; its user files are reported, never removed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import SpecError
from generator.ownership import USER, PlannedFile, owned_comment, was_edited

# Builders every kind's test imports: sharing them says nothing about the trigger a test is for.
COMMON_HELPERS = frozenset({"lambda_context"})
# Directories of a code directory that never hold svcgen's files (virtualenvs, caches, VCS).
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "venv", "build", "dist"})
HEADER_BYTES = 512  # the owned-file header is the first three lines
# What svcgen generated into plumbing/ before the runtime became a library (svcgen-runtime 0.1.0).
MOVED_MODULES = frozenset({"plumbing.testing", "plumbing.runtime"})
MOVED_PACKAGE = "plumbing.runtime."


@dataclass(frozen=True)
class Orphan:
    """An owned file no function generates any more; `edited` ones are never removed silently."""

    path: Path
    edited: bool


@dataclass(frozen=True)
class Expected:
    """What svcgen would create today for one function: its handler and test, as planned."""

    key: str
    described_as: str  # e.g. "a queue consumer" (the invoking concern's words)
    handler_file: PlannedFile
    handler_function: str
    entry_module: str  # plumbing.<function>
    test_file: PlannedFile


def review(expected: Iterable[Expected]) -> list[SpecError]:
    """Warnings for every existing handler or test that no longer matches its function."""
    warnings: list[SpecError] = []
    for fn in expected:
        warnings += _handler_drift(fn)
        warnings += _test_drift(fn)
    return warnings


def orphans(root: Path, planned: Iterable[PlannedFile]) -> list[Orphan]:
    """Owned files under `root` (a service's code directory) that are not in `planned`."""
    wanted = {p.path for p in planned}
    found = []
    for path in sorted(_files(root)):
        if path in wanted:
            continue
        comment = _owned_comment(path)
        if comment is not None:
            found.append(Orphan(path, edited=_edited(path, comment)))
    return found


def orphan_users(root: Path, gone: Iterable[Orphan], planned: Iterable[PlannedFile]) -> list[SpecError]:
    """User files (a test, a handler) that import a module among the orphans: most likely the
    files of the function that was renamed or removed."""
    gone_modules = {_module(root, o.path) for o in gone if o.path.suffix == ".py"}
    if not gone_modules:
        return []
    wanted = {p.path for p in planned if p.owner != USER}
    warnings = []
    for path in sorted(_files(root)):
        if path.suffix != ".py" or path in wanted or _owned_comment(path) is not None:
            continue
        tree = _parse(path)
        used = sorted({node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                       and node.module in gone_modules}) if tree else []
        moved = [m for m in used if m in MOVED_MODULES or m.startswith(MOVED_PACKAGE)]
        if moved:  # code generated before the runtime became a library
            warnings.append(SpecError(
                str(path), 1, 1, "", f"it imports {', '.join(moved)}, which svcgen no longer generates: its runtime "
                "is the svcgen_runtime library now", "import svcgen_runtime.<module> instead of plumbing.runtime."
                "<module>, and the test builders from svcgen_runtime.testing and tests/svcgen_support.py instead of "
                "plumbing.testing", severity="warning"))
        elif used:
            warnings.append(SpecError(
                str(path), 1, 1, "", f"it imports {', '.join(used)}, which no function generates any more "
                "(was its function renamed or removed?)",
                "move its code to the function's new handler or test, or delete it", severity="warning"))
    return warnings


def _handler_drift(fn: Expected) -> list[SpecError]:
    path = fn.handler_file.path
    mine, new = _parse(path), _parse_text(fn.handler_file.body)
    if mine is None or new is None:
        return []  # a syntax error shows in the service's own tests; a stub always parses
    wanted = _function(new, fn.handler_function)
    if wanted is None:
        return []
    have = _function(mine, fn.handler_function)
    signature = f"def {fn.handler_function}({ast.unparse(wanted.args)})"
    if have is None:
        return [SpecError(str(path), 1, 1, "", f"{fn.entry_module} calls {fn.handler_function}(), which this module "
                          f"does not define", f"add `{signature}`", severity="warning")]
    if _shape(have.args, _generated_names(new)) == _shape(wanted.args, _generated_names(new)):
        return []
    return [SpecError(str(path), have.lineno, have.col_offset + 1, "",
                      f"{fn.key} is now {fn.described_as}: {fn.entry_module} calls `{signature}`, got "
                      f"`def {fn.handler_function}({ast.unparse(have.args)})`",
                      "change the signature; svcgen never edits this file", severity="warning")]


def _test_drift(fn: Expected) -> list[SpecError]:
    path = fn.test_file.path
    mine, new = _parse(path), _parse_text(fn.test_file.body)
    if mine is None or new is None:
        return []
    have, wanted = _builders(mine, fn.entry_module), _builders(new, fn.entry_module)
    if have == wanted or have & wanted or not (have or wanted):
        return []
    uses = ", ".join(sorted(have)) if have else "no event builder"
    needs = ", ".join(sorted(wanted)) if wanted else "no event builder (it is invoked with a plain event)"
    return [SpecError(str(path), 1, 1, "", f"it tests another trigger (it uses {uses}); {fn.key} is now "
                      f"{fn.described_as}, whose events it builds with {needs}",
                      "rewrite it, or delete it and build again for a new one; svcgen never overwrites it",
                      severity="warning")]


def _builders(tree: ast.Module, entry_module: str) -> frozenset[str]:
    """Names a test imports from svcgen's generated or runtime modules, the common ones and its
    function's own entry excluded: the event builders that say which trigger it is for."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module != entry_module and (
                node.module.startswith(("plumbing.", "svcgen_runtime"))):
            names.update(alias.name for alias in node.names)
    return frozenset(names - COMMON_HELPERS)


def _generated_names(tree: ast.Module) -> frozenset[str]:
    """Names the stub imports from plumbing (its event classes): an annotation with one of them
    is part of the contract with the entry; any other annotation is the user's business."""
    return frozenset(alias.asname or alias.name for node in ast.walk(tree)
                     if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("plumbing")
                     for alias in node.names)


def _shape(args: ast.arguments, generated: frozenset[str]) -> tuple:
    def one(arg: ast.arg) -> tuple:
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        return arg.arg, annotation if annotation in generated else ""

    return (tuple(one(a) for a in args.posonlyargs + args.args), tuple(one(a) for a in args.kwonlyargs),
            args.vararg is not None, args.kwarg is not None)


def _function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next((node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and node.name == name), None)


def _parse(path: Path) -> ast.Module | None:
    try:
        return _parse_text(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def _parse_text(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _files(root: Path) -> Iterable[Path]:
    if not root.is_dir():
        return
    for path in root.iterdir():
        if path.is_symlink():
            continue  # never follow a link out of the code directory
        if path.is_dir():
            if not path.name.startswith(".") and path.name not in SKIPPED_DIRS:
                yield from _files(path)
        elif path.is_file():
            yield path


def _owned_comment(path: Path) -> str | None:
    """The comment marker of an owned file's header (`#`), or None for any other file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEADER_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    return owned_comment(head)


def _edited(path: Path, comment: str) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    except OSError:
        return True
    return was_edited(text, comment)


def _module(root: Path, path: Path) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts)


def expected_functions(spec, svc, root: Path, planned: Iterable[PlannedFile]) -> list[Expected]:
    """The handler and test svcgen would create today for each function of a service (`svc`
    resolved from `spec`, its code in `root`), where both are among the planned files."""
    from generator.codegen.functions import handler_target, snake
    from generator.codegen.per_function import generated_test_path, handler_path
    from generator.concerns import registry as concerns

    by_path = {p.path: p for p in planned}
    found = []
    for fn in svc.functions:
        module, function = handler_target(fn.handler)
        handler = by_path.get(handler_path(root, module))
        test = by_path.get(generated_test_path(root, snake(fn.key)))
        if handler is not None and test is not None and handler.owner == test.owner == USER:
            found.append(Expected(fn.key, concerns.trigger_of(spec, fn.key).described_as, handler, function,
                                  fn.entry.rpartition(".")[0], test))
    return found
