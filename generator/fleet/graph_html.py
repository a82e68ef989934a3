"""`svcgen graph --format html`: one self-contained page (no network: inline CSS, vanilla JS, the
fleet embedded as JSON) showing services as boxes and events as arrows between them; clicking a
service (or opening the page at `#service=NAME`) shows its functions, queues, workflows, owner
and runtimes in a side panel.

The SVG is laid out here (graph_layout.py), so the page is deterministic; the script only fills
the panel and highlights the selected service's arrows.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from generator.fleet.graph_model import FleetGraph, compact_filter
from generator.fleet.graph_html_assets import CSS, SCRIPT
from generator.fleet.graph_layout import BOX_W, GAP, HEADER_H, ROW_CHARS, Box, Layout, layout

FILTER_CHARS = int((GAP - 24) / 5.6)  # a filter's label fits in the gap before its arrow's head (full in its tooltip)


def render_html(graph: FleetGraph) -> str:
    lay = layout(graph)
    services = [s for s in graph.services if not s.missing]
    data = json_for_script(fleet_data(graph, lay))
    owners = sorted({s.view.owner for s in services})
    summary = (f"{len(services)} services, {len(owners)} owners, {len(graph.events)} events, "
               f"{len(graph.deliveries)} subscriptions, {len(graph.starts)} workflow starts by functions")
    missing = [s.name for s in graph.services if s.missing]
    if missing:
        summary += f"; not in the fleet: {', '.join(missing)}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="svcgen graph">
<title>Fleet event flow</title>
<style>
{CSS}</style>
</head>
<body>
<header>
<h1>Fleet event flow</h1>
<p class="summary">{escape(summary)}</p>
<ul class="legend">
<li><span class="swatch bus"></span>bus milestone ●</li>
<li><span class="swatch store"></span>store event ◆ (fan-out)</li>
<li><span class="swatch workflow"></span>starts a workflow</li>
<li><span class="swatch start"></span>function starts a workflow ▸</li>
<li><span class="swatch unconsumed"></span>no subscribers</li>
<li><span class="swatch missing"></span>not in the fleet</li>
</ul>
</header>
<main>
<section id="graph" aria-label="services and the events between them">
{svg(lay)}
</section>
<aside id="panel" aria-live="polite">
<p class="hint">Click a service to see its functions, queues, workflows, owner and runtime.</p>
</aside>
</main>
<script type="application/json" id="fleet-data">{data}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"""


def json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element or open a comment in it: <, > and & as \\u escapes
    (so `</script>` in a description stays text), still valid JSON for JSON.parse."""
    text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def fleet_data(graph: FleetGraph, lay: Layout) -> dict[str, Any]:
    services: dict[str, Any] = {}
    for s in graph.services:
        if s.missing:
            services[s.name] = {"service": s.name, "missing": True}
            continue
        item = s.view.as_dict()
        item.pop("contracts", None)
        item["missing"] = False
        item["runtimes"] = sorted({f.runtime.runtime for f in s.view.functions})
        services[s.name] = item
    for s in graph.services:
        services[s.name]["sends"] = [
            {"kind": e.kind, "event": e.event, "declared": e.declared,
             "to": [{"service": d.service, "subscriber": d.subscriber, "subscriber_kind": d.subscriber_kind,
                     "filter": compact_filter(d.filter)} for d in graph.deliveries if d.event == e.key]}
            for e in graph.events if e.publisher == s.name]
        services[s.name]["receives"] = [
            {"kind": d.event[1], "event": d.event[2], "from": d.event[0], "subscriber": d.subscriber,
             "subscriber_kind": d.subscriber_kind, "filter": compact_filter(d.filter)}
            for d in graph.deliveries if d.service == s.name]
        services[s.name]["started_by_functions"] = [
            {"service": st.service, "function": st.function, "workflow": st.workflow}
            for st in graph.starts if st.target_service == s.name]
    return {"services": services, "order": [b.service.name for b in lay.boxes]}


def svg(lay: Layout) -> str:
    out = [f'<svg id="fleet-svg" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}" width="{lay.width:.0f}" '
           f'height="{lay.height:.0f}" role="img" aria-label="fleet event graph">',
           "<defs>"]
    for tone in ("bus", "store", "workflow", "start"):
        out.append(f'<marker id="head-{tone}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
                   f'markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="head {tone}"/></marker>')
    out.append("</defs>")
    out.append('<g class="arrows">')
    for a in lay.arrows:
        out.append(f'<path class="arrow {a.tone}" d="{a.path}" marker-end="url(#head-{a.tone})" '
                   f'data-from="{escape(a.src)}" data-to="{escape(a.dst)}"><title>{escape(a.title)}</title></path>')
    out.append("</g>")
    out.append('<g class="boxes">')
    for box in lay.boxes:
        out.append(_box(box))
    out.append("</g>")
    out.append('<g class="filters">')
    for a in lay.arrows:
        if a.filter:
            x, y = a.label_at
            out.append(f'<text class="filter" x="{x:.1f}" y="{y:.1f}" text-anchor="end" data-from="{escape(a.src)}" '
                       f'data-to="{escape(a.dst)}">[{escape(_cut(a.filter, FILTER_CHARS))}]<title>filter: {escape(a.filter)}'
                       f"</title></text>")
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _box(box: Box) -> str:
    s = box.service
    name = escape(s.name)
    cls = "service missing" if s.missing else "service"
    sub = "not in the fleet" if s.missing else s.view.owner
    title = f"{s.name}: not in the fleet (subscribed to, or its workflow started)" if s.missing else \
        f"{s.name} ({s.view.owner}): {s.view.description}"
    out = [f'<g class="{cls}" data-service="{name}" tabindex="0" role="button" aria-label="service {name}">',
           f"<title>{escape(title)}</title>",
           f'<rect class="box" x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_W}" height="{box.height:.1f}" rx="8"/>',
           f'<rect class="head" x="{box.x:.1f}" y="{box.y:.1f}" width="{BOX_W}" height="{HEADER_H - 4}" rx="8"/>',
           f'<text class="name" x="{box.x + 12:.1f}" y="{box.y + 18:.1f}">{escape(_cut(s.name, ROW_CHARS - 2))}</text>',
           f'<text class="owner" x="{box.x + 12:.1f}" y="{box.y + 33:.1f}">{escape(_cut(sub, ROW_CHARS + 4))}</text>']
    for row in box.ins:
        kind = "wf" if row.key[1] == "workflow" else "fn"
        out.append(f'<g class="row in {row.tone}"><title>{escape(row.title)}</title>'
                   f'<circle class="port" cx="{box.x:.1f}" cy="{row.y:.1f}" r="3"/>'
                   f'<text x="{box.x + 12:.1f}" y="{row.y + 4:.1f}"><tspan class="tag">{kind}</tspan> '
                   f"{escape(_cut(row.text, ROW_CHARS - 3))}</text></g>")
    if box.ins and box.outs:
        y = box.outs[0].y - 12
        out.append(f'<line class="sep" x1="{box.x + 8:.1f}" y1="{y:.1f}" x2="{box.x + BOX_W - 8:.1f}" y2="{y:.1f}"/>')
    for row in box.outs:
        x = box.x + BOX_W
        stub = (f'<path class="stub" d="M{x:.1f},{row.y:.1f} h18"/><circle class="nowhere" cx="{x + 22:.1f}" '
                f'cy="{row.y:.1f}" r="3.5"/>') if row.tone in ("unconsumed",) else ""
        out.append(f'<g class="row out {row.tone}"><title>{escape(row.title)}</title>{stub}'
                   f'<circle class="port" cx="{x:.1f}" cy="{row.y:.1f}" r="3"/>'
                   f'<text x="{x - 12:.1f}" y="{row.y + 4:.1f}" text-anchor="end">{escape(_cut(row.text, ROW_CHARS))}'
                   f"</text></g>")
    out.append("</g>")
    return "\n".join(out)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
