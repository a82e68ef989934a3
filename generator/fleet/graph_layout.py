"""Where the HTML graph draws each service and each arrow: a deterministic layered layout, computed
here (not in the browser) so the page is a golden and looks the same everywhere.

Each service is a box: its name and owner, then what receives events ("in" rows, a port on the
left: functions and workflows), then what it sends ("out" rows, a port on the right: its bus
milestones, store events and the workflows its functions start). An arrow joins an out row to an
in row. Services are put in columns so that most arrows point right: the columns are a feedback
arc ordering (Eades, Lin, Smyth) of the service graph, then longest-path layers. An arrow to the
next column is a curve through the gap between them; any other (backwards, to the same column,
skipping columns) runs in a lane of the gap beside its source, along a channel above (forward)
or below (backwards) every box, and in a lane of the gap beside its target.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from generator.fleet.graph_model import FleetGraph, GraphService, compact_filter

BOX_W = 176
GAP = 86  # between columns
HEADER_H = 44
ROW_H = 19
PAD = 8  # below the last row
V_GAP = 36  # between boxes of one column
LANE = 7  # between parallel lanes
MARGIN = 28
CHAR_W = 6.7  # of the 12px sans-serif the rows use, to cut long names
ROW_CHARS = int((BOX_W - 26) / CHAR_W)


@dataclass
class Row:
    key: tuple  # ("in", kind, name) | ("out", kind, name)  kind: function|workflow | bus|store|start
    text: str
    title: str
    tone: str  # css class: function, workflow, bus, store, start, unconsumed, unknown
    y: float = 0.0


@dataclass
class Box:
    service: GraphService
    ins: list[Row] = field(default_factory=list)
    outs: list[Row] = field(default_factory=list)
    layer: int = 0
    x: float = 0.0
    y: float = 0.0

    @property
    def height(self) -> float:
        return HEADER_H + ROW_H * (len(self.ins) + len(self.outs)) + PAD + (6 if self.ins and self.outs else 0)


@dataclass
class Arrow:
    src: str
    dst: str
    out_key: tuple
    in_key: tuple
    tone: str  # bus, store, workflow, start
    title: str
    filter: str
    path: str = ""
    label_at: tuple[float, float] = (0.0, 0.0)


@dataclass
class Layout:
    boxes: list[Box]
    arrows: list[Arrow]
    width: float
    height: float


def layout(graph: FleetGraph) -> Layout:
    boxes = {s.name: Box(s) for s in graph.services}
    for e in graph.events:
        receivers = [d for d in graph.deliveries if d.event == e.key]
        tone = "unknown" if not e.declared else ("unconsumed" if not receivers else e.kind)
        title = f"{e.publisher} {'stores' if e.kind == 'store' else 'publishes'} {e.event}"
        if not e.declared:
            title = f"{e.event}: subscribed to, but {e.publisher} " + (
                "is not in the fleet" if boxes[e.publisher].service.missing else "does not publish it")
        elif not receivers:
            title += ": no subscribers"
        else:
            title += " → " + ", ".join(f"{d.service}.{d.subscriber}" for d in receivers)
        boxes[e.publisher].outs.append(Row(("out", e.kind, e.event), ("◆ " if e.kind == "store" else "● ") + e.event,
                                           title, tone))
    for st in graph.starts:
        key = ("out", "start", f"{st.function}>{st.target_service}.{st.workflow}")
        if not any(r.key == key for r in boxes[st.service].outs):
            boxes[st.service].outs.append(Row(key, f"▸ {st.workflow}", f"{st.service}.{st.function} starts "
                                              f"workflow {st.target_service}.{st.workflow}", "start"))
    ins: dict[str, dict[tuple, list[str]]] = defaultdict(lambda: defaultdict(list))
    for d in graph.deliveries:
        ins[d.service][("in", d.subscriber_kind, d.subscriber)].append(
            f"{d.event[2]} from {d.event[0]}" + (" (store)" if d.event[1] == "store" else "")
            + (f" [{compact_filter(d.filter)}]" if d.filter else ""))
    for st in graph.starts:
        ins[st.target_service][("in", "workflow", st.workflow)].append(f"started by {st.service}.{st.function}")
    for name, rows in ins.items():
        for key in sorted(rows, key=lambda k: (k[1] != "workflow", k[2])):
            boxes[name].ins.append(Row(key, key[2], f"{name}.{key[2]} ({key[1]}) receives: " + "; ".join(rows[key]),
                                       key[1]))
    arrows = []
    for d in graph.deliveries:
        tone = "workflow" if d.subscriber_kind == "workflow" else d.event[1]
        arrows.append(Arrow(d.event[0], d.service, ("out", d.event[1], d.event[2]), ("in", d.subscriber_kind, d.subscriber),
                            tone, f"{d.event[2]} ({d.event[0]}, {d.event[1]}) → {d.service}: {d.label}",
                            compact_filter(d.filter)))
    for st in graph.starts:
        arrows.append(Arrow(st.service, st.target_service, ("out", "start", f"{st.function}>{st.target_service}.{st.workflow}"),
                            ("in", "workflow", st.workflow), "start",
                            f"{st.service}.{st.function} starts workflow {st.target_service}.{st.workflow}", ""))
    _place(boxes, arrows)
    width, height = _route(boxes, arrows)
    return Layout([boxes[n] for n in sorted(boxes)], arrows, width, height)


def _order(names: list[str], edges: dict[tuple[str, str], int]) -> list[str]:
    """Eades-Lin-Smyth: a node order with few (weighted) edges pointing backwards."""
    left, right, rest = [], [], set(names)

    def degree(n: str, out: bool) -> int:
        return sum(w for (a, b), w in edges.items() if a != b and a in rest and b in rest and (a if out else b) == n)

    while rest:
        changed = True
        while changed:
            changed = False
            for n in sorted(rest):
                if degree(n, True) == 0:  # a sink
                    right.insert(0, n)
                    rest.discard(n)
                    changed = True
            for n in sorted(rest):
                if degree(n, False) == 0:  # a source
                    left.append(n)
                    rest.discard(n)
                    changed = True
        if rest:
            best = max(sorted(rest), key=lambda n: degree(n, True) - degree(n, False))
            left.append(best)
            rest.discard(best)
    return left + right


def _place(boxes: dict[str, Box], arrows: list[Arrow]) -> None:
    edges: dict[tuple[str, str], int] = defaultdict(int)
    for a in arrows:
        edges[(a.src, a.dst)] += 1
    order = _order(sorted(boxes), edges)
    rank = {n: i for i, n in enumerate(order)}
    for n in order:  # longest path over the edges that point forward in the order
        preds = [boxes[a].layer + 1 for (a, b) in edges if b == n and rank[a] < rank[n]]
        boxes[n].layer = max(preds, default=0)
    columns: dict[int, list[str]] = defaultdict(list)
    for n in order:
        columns[boxes[n].layer].append(n)
    for layer in sorted(columns):
        names = columns[layer]

        def centre(n: str) -> float:  # barycentre of the boxes feeding it, in the columns already placed
            ys = [boxes[a].y + boxes[a].height / 2 for (a, b) in edges if b == n and boxes[a].layer < layer]
            return sum(ys) / len(ys) if ys else 0.0

        y = 0.0
        for n in sorted(names, key=lambda n: (centre(n), n)):
            box = boxes[n]
            box.x, box.y = layer * (BOX_W + GAP), y
            y += box.height + V_GAP
        for box in (boxes[n] for n in names):
            row_y = box.y + HEADER_H + ROW_H / 2 + 2
            for row in box.ins:
                row.y, row_y = row_y, row_y + ROW_H
            row_y += 6 if box.ins and box.outs else 0
            for row in box.outs:
                row.y, row_y = row_y, row_y + ROW_H


def _route(boxes: dict[str, Box], arrows: list[Arrow]) -> tuple[float, float]:
    top = min((b.y for b in boxes.values()), default=0.0)
    bottom = max((b.y + b.height for b in boxes.values()), default=0.0)
    exit_lanes: dict[int, int] = defaultdict(int)
    entry_lanes: dict[int, int] = defaultdict(int)
    above = below = 0

    def row(box: Box, key: tuple) -> Row:
        return next(r for r in box.ins + box.outs if r.key == key)

    arrows.sort(key=lambda a: (a.src, a.out_key, a.dst, a.in_key))
    for a in arrows:
        s, d = boxes[a.src], boxes[a.dst]
        x0, y0 = s.x + BOX_W, row(s, a.out_key).y
        x3, y3 = d.x, row(d, a.in_key).y
        if d.layer == s.layer + 1:
            mid = (x3 - x0) / 2
            a.path = f"M{x0:.1f},{y0:.1f} C{x0 + mid:.1f},{y0:.1f} {x3 - mid:.1f},{y3:.1f} {x3:.1f},{y3:.1f}"
            a.label_at = (x3 - 8, y3 - 5)
            continue
        ex = x0 + 14 + LANE * exit_lanes[s.layer]
        exit_lanes[s.layer] += 1
        nx = x3 - 14 - LANE * entry_lanes[d.layer]
        entry_lanes[d.layer] += 1
        if d.layer > s.layer:
            cy = top - 22 - LANE * above
            above += 1
        else:
            cy = bottom + 22 + LANE * below
            below += 1
        a.path = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in _rounded([(x0, y0), (ex, y0), (ex, cy), (nx, cy),
                                                                         (nx, y3), (x3, y3)]))
        a.label_at = (x3 - 8, y3 - 5)
    shift_y = MARGIN - (top - 22 - LANE * max(above - 1, 0)) + (10 if above else 0)
    for box in boxes.values():
        box.x += MARGIN
        box.y += shift_y
        for r in box.ins + box.outs:
            r.y += shift_y
    for a in arrows:
        a.path = _shift(a.path, MARGIN, shift_y)
        a.label_at = (a.label_at[0] + MARGIN, a.label_at[1] + shift_y)
    layers = max((b.layer for b in boxes.values()), default=0) + 1
    width = 2 * MARGIN + layers * BOX_W + (layers - 1) * GAP
    height = shift_y + bottom + (22 + LANE * below if below else 0) + MARGIN
    return width, height


def _rounded(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The polyline without zero-length segments (a lane can meet its row's y exactly)."""
    out = [points[0]]
    for p in points[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def _shift(path: str, dx: float, dy: float) -> str:
    parts = []
    for token in path.split(" "):
        cmd = token[0] if token[0].isalpha() else ""
        x, y = token[len(cmd):].split(",")
        parts.append(f"{cmd}{float(x) + dx:.1f},{float(y) + dy:.1f}")
    return " ".join(parts)
