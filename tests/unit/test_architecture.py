"""The package's shape: no import cycles (lazy imports inside functions count too: they only hide
a cycle), every concern's rules are registered, and the runtime library never imports svcgen."""

from __future__ import annotations

import ast
from pathlib import Path

from generator.rules.registry import RULE_MODULES
from tests.conftest import ROOT

PACKAGE = ROOT / "generator"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every generator module `path` imports at run time (TYPE_CHECKING blocks excluded)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("generator"))
    return {m for m in found if m in known}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    assert cycles(graph) == []


def test_every_concern_rules_module_is_registered():
    """A module under generator/concerns/ that defines rule classes is collected by the registry."""
    from generator.concerns.registry import rule_modules

    defining = set()
    for path in (PACKAGE / "concerns").rglob("*.py"):
        text = path.read_text()
        if any(f"({base}):" in text for base in ("SpecRule", "FleetRule", "TemplateRule")):
            defining.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    assert defining and defining <= set(RULE_MODULES) | set(rule_modules())


def test_every_concern_with_a_render_module_is_rendered_in_the_registry_order():
    """render.py has no list of its own: each concern package with a render.py that renders a
    service is in the registry, so a new concern is one folder and one line there."""
    from generator.concerns.registry import render_modules

    modules = render_modules()
    on_disk = {".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (PACKAGE / "concerns").glob("*/render.py")
               if "\ndef render(ctx: RenderContext) -> None:" in p.read_text()}
    assert on_disk == set(modules)
    order = [m.split(".")[2] for m in modules]
    assert order.index("encryption") < order.index("function") < order.index("event_store") < order.index("alarms") \
        < order.index("workflow")


def test_the_runtime_library_never_imports_svcgen():
    """runtime/svcgen_runtime runs in Lambda, where svcgen is not installed."""
    runtime = ROOT / "runtime" / "svcgen_runtime"
    found = {}
    for path in sorted(runtime.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found.update({f"{path.name}: {n}": n for n in names if n.split(".")[0] == "generator"})
    assert len(list(runtime.glob("*.py"))) > 10 and found == {}
