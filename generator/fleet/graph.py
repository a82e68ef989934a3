"""`svcgen graph`: the fleet's event flow as a mermaid flowchart, a Graphviz DOT graph or one
self-contained HTML page (graph_html.py), all from one model (graph_model.py).
"""

from __future__ import annotations

import re

from generator.fleet.graph_model import FleetGraph, GraphEvent, GraphService, compact_filter, fleet_graph
from generator.fleet.model import ServiceView

__all__ = ["FORMATS", "compact_filter", "dot_string", "fleet_graph", "mermaid_text", "render_dot", "render_graph",
           "render_mermaid"]

FORMATS = ("mermaid", "dot", "html")


def render_graph(views: list[ServiceView], fmt: str) -> str:
    graph = fleet_graph(views)
    if fmt == "mermaid":
        return render_mermaid(graph)
    if fmt == "dot":
        return render_dot(graph)
    if fmt == "html":
        from generator.fleet.graph_html import render_html

        return render_html(graph)
    raise ValueError(f"unknown graph format {fmt!r} (one of {', '.join(FORMATS)})")


# -- ids: safe identifiers, unique, stable (derived from names, not positions)

class _Ids:
    def __init__(self) -> None:
        self._ids: dict[tuple, str] = {}
        self._taken: set[str] = set()

    def __call__(self, prefix: str, *parts: str) -> str:
        key = (prefix, *parts)
        if key not in self._ids:
            base = prefix + "_" + "_".join(re.sub(r"[^A-Za-z0-9]", "_", p) for p in parts)
            ident, n = base, 2
            while ident in self._taken:
                ident, n = f"{base}_{n}", n + 1
            self._ids[key] = ident
            self._taken.add(ident)
        return self._ids[key]


def _event_label(e: GraphEvent) -> str:
    return e.event + (" (store)" if e.kind == "store" else "")


def _service_label(s: GraphService) -> str:
    return s.name + "\n" + ("not in the fleet" if s.missing else s.view.owner)


# -- mermaid

_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;",
                     "`": "#96;", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;"}


def mermaid_text(text: str) -> str:
    """A label's text for inside `"..."`: every character mermaid could read as syntax as an entity
    code; line breaks as <br/>."""
    lines = str(text).split("\n")
    return "<br/>".join("".join(_MERMAID_ENTITIES.get(c, c) for c in line.replace("\r", " ")) for line in lines)


def render_mermaid(graph: FleetGraph) -> str:
    ids = _Ids()
    out = ["flowchart LR"]
    out.append("  %% services")
    for s in graph.services:
        out.append(f'  {ids("svc", s.name)}["{mermaid_text(_service_label(s))}"]'
                   + (":::missing" if s.missing else ":::service"))
    out.append("  %% events: (bus milestone), [(store event)]")
    for e in graph.events:
        ident, label = ids("ev", e.publisher, e.kind, e.event), mermaid_text(_event_label(e))
        shape = f'[("{label}")]' if e.kind == "store" else f'(["{label}"])'
        cls = "unknown" if not e.declared else ("unconsumed" if e.key not in graph.consumed else e.kind)
        out.append(f"  {ident}{shape}:::{cls}")
    out.append("  %% publish and store")
    for e in graph.events:
        src, dst = ids("svc", e.publisher), ids("ev", e.publisher, e.kind, e.event)
        if not e.declared:
            out.append(f'  {src} -.->|"{mermaid_text("not published")}"| {dst}')
        elif e.kind == "store":
            label = "stores" if e.fan_out else "stores (no fan-out)"
            out.append(f'  {src} -->|"{mermaid_text(label)}"| {dst}')
        else:
            out.append(f"  {src} --> {dst}")
    out.append("  %% deliveries: ==> starts a workflow")
    for d in graph.deliveries:
        arrow = "==>" if d.subscriber_kind == "workflow" else "-->"
        out.append(f'  {ids("ev", *d.event)} {arrow}|"{mermaid_text(d.label)}"| {ids("svc", d.service)}')
    if graph.starts:
        out.append("  %% workflow starts by a function")
    for st in graph.starts:
        out.append(f'  {ids("svc", st.service)} -.->|"{mermaid_text(st.label)}"| {ids("svc", st.target_service)}')
    out += [
        "  classDef service fill:#eef4ff,stroke:#3563c9,stroke-width:2px,color:#10213f",
        "  classDef missing fill:#fff1f1,stroke:#c62828,stroke-width:2px,stroke-dasharray:5 4,color:#7f1d1d",
        "  classDef bus fill:#ffffff,stroke:#2563eb,color:#1e3a8a",
        "  classDef store fill:#f5f0ff,stroke:#7c3aed,color:#4c1d95",
        "  classDef unconsumed fill:#f4f4f5,stroke:#a1a1aa,stroke-dasharray:3 3,color:#52525b",
        "  classDef unknown fill:#fff1f1,stroke:#c62828,stroke-dasharray:3 3,color:#7f1d1d",
    ]
    return "\n".join(out) + "\n"


# -- Graphviz DOT

def dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, line breaks as \\n."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


def _dot_attrs(**attrs: str) -> str:
    return "[" + ", ".join(f"{k}={dot_string(v)}" for k, v in attrs.items()) + "]"


def render_dot(graph: FleetGraph) -> str:
    out = ["digraph fleet {",
           '  graph [rankdir="LR", fontname="Helvetica", nodesep="0.35", ranksep="0.9"];',
           '  node [fontname="Helvetica", fontsize="11"];',
           '  edge [fontname="Helvetica", fontsize="9", color="#475569"];',
           "  // services"]
    for s in graph.services:
        if s.missing:
            attrs = _dot_attrs(label=_service_label(s), shape="box", style="rounded,dashed,filled",
                               color="#c62828", fillcolor="#fff1f1", tooltip=f"{s.name} is not in the fleet")
        else:
            attrs = _dot_attrs(label=_service_label(s), shape="box", style="rounded,filled", color="#3563c9",
                               fillcolor="#eef4ff", penwidth="2", tooltip=s.view.description)
        out.append(f"  {dot_string('svc:' + s.name)} {attrs};")
    out.append("  // events: ellipse = bus milestone, cylinder = store event")
    for e in graph.events:
        style, color = "filled", "#2563eb" if e.kind == "bus" else "#7c3aed"
        fill = "#ffffff" if e.kind == "bus" else "#f5f0ff"
        tooltip = f"{e.kind} event {e.event} of {e.publisher}"
        if not e.declared:
            style, color, fill, tooltip = "dashed,filled", "#c62828", "#fff1f1", tooltip + ": not published"
        elif e.key not in graph.consumed:
            style, color, fill, tooltip = "dashed,filled", "#a1a1aa", "#f4f4f5", tooltip + ": no subscribers"
        attrs = _dot_attrs(label=_event_label(e), shape="ellipse" if e.kind == "bus" else "cylinder", style=style,
                           color=color, fillcolor=fill, tooltip=tooltip)
        out.append(f"  {dot_string(_dot_event(e.key))} {attrs};")
    out.append("  // publish and store")
    for e in graph.events:
        src, dst = dot_string("svc:" + e.publisher), dot_string(_dot_event(e.key))
        if not e.declared:
            attrs = _dot_attrs(label="not published", style="dashed", color="#c62828",
                               tooltip=f"subscribed to, but {e.publisher} does not publish {e.event}")
        elif e.kind == "store":
            attrs = _dot_attrs(label="stores" if e.fan_out else "stores (no fan-out)", color="#7c3aed",
                               tooltip=f"{e.publisher} stores {e.event}")
        else:
            attrs = _dot_attrs(color="#2563eb", tooltip=f"{e.publisher} publishes {e.event}")
        out.append(f"  {src} -> {dst} {attrs};")
    out.append("  // deliveries (bold: starts a workflow)")
    for d in graph.deliveries:
        extra = {"style": "bold", "color": "#059669"} if d.subscriber_kind == "workflow" else {}
        attrs = _dot_attrs(label=d.label, tooltip=f"{d.event[2]} -> {d.service}: {d.label}", **extra)
        out.append(f"  {dot_string(_dot_event(d.event))} -> {dot_string('svc:' + d.service)} {attrs};")
    if graph.starts:
        out.append("  // workflow starts by a function")
    for st in graph.starts:
        attrs = _dot_attrs(label=st.label, style="dashed", color="#d97706",
                           tooltip=f"{st.service}.{st.function} starts workflow {st.target_service}.{st.workflow}")
        out.append(f"  {dot_string('svc:' + st.service)} -> {dot_string('svc:' + st.target_service)} {attrs};")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_event(key: tuple[str, str, str]) -> str:
    return "event:" + ":".join(key)
