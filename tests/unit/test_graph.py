"""svcgen graph (generator/fleet/graph*.py): mermaid, DOT and HTML of a small fleet built here, the
command itself, and goldens of the demo platform (specs/, stage dev).

Regenerate the goldens after an intended change with:
    python -m pytest tests/unit/test_graph.py --update-goldens
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.fleet.graph import FORMATS, compact_filter, fleet_graph, mermaid_text, render_graph
from generator.fleet.model import FunctionView, RuntimeStatus, ServiceView, SubscriptionView, WorkflowView

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "fleet"
SUFFIX = {"mermaid": "mmd", "dot": "dot", "html": "html"}
TRICKY = 'team "q" {b} [s] <t> #1 | a & `x`'
BIG = {"total": [{"numeric": [">=", 100]}]}


def function(name, trigger="queue", publishes=(), starts=(), queue=True, runtime="python3.12", memory=256,
             timeout=10, triggers=()):
    return FunctionView(name, trigger, tuple(triggers), RuntimeStatus(runtime, "allowed"), memory, timeout, None,
                        tuple(publishes), tuple(starts),
                        {"fifo": False, "max_receive_count": 5} if queue and trigger == "queue" else None, False)


def service(name, owner=None, publishes=(), stores=(), functions=(), workflows=(), subscriptions=(), fan_out=True,
            description="A service."):
    return ServiceView(name, owner or f"team-{name}", description, "acme", {}, f"specs/{name}.yaml",
                       (f"{name}@example.com",), tuple(publishes), tuple(stores), bool(stores) and fan_out, {},
                       tuple(functions), tuple(workflows), tuple(subscriptions))


def small_fleet() -> list[ServiceView]:
    """orders publishes OrderPlaced (to billing, filtered, and billing's workflow charge) and
    OrderCancelled (nobody), stores OrderPlaced (its own audit function), and its place-order
    starts billing's charge; billing subscribes to InvoicePaid of legacy-payments (not in the fleet)."""
    audit = SubscriptionView("store", "orders", "OrderPlaced", None, "audit", "function")
    invoice = SubscriptionView("bus", "orders", "OrderPlaced", BIG, "invoice", "function")
    charge = SubscriptionView("bus", "orders", "OrderPlaced", None, "charge", "workflow")
    paid = SubscriptionView("bus", "legacy-payments", "InvoicePaid", None, "mark-paid", "function")
    orders = service(
        "orders", publishes=("OrderCancelled", "OrderPlaced"), stores=("OrderPlaced",),
        functions=(function("audit", triggers=("store event OrderPlaced from orders",)),
                   function("place-order", "http", publishes=("OrderPlaced",), starts=("billing.charge",),
                            triggers=("POST /orders",))),
        subscriptions=(audit,))
    billing = service(
        "billing", owner=TRICKY, description='Bills. </script><!-- <script>alert("x")</script> http://example.com',
        functions=(function("invoice", memory=1024, timeout=30, triggers=("OrderPlaced from orders (filtered)",)),
                   function("mark-paid", runtime="python3.9", triggers=("InvoicePaid from legacy-payments",)),
                   function("take-money", "task", triggers=("workflow step",))),
        workflows=(WorkflowView("charge", (charge,), ("take-money",)),),
        subscriptions=(invoice, paid, charge))
    return [billing, orders]


# -- the model


def test_fleet_graph_has_every_event_delivery_start_and_missing_publisher():
    graph = fleet_graph(small_fleet())
    assert [(s.name, s.missing) for s in graph.services] == [
        ("billing", False), ("legacy-payments", True), ("orders", False)]
    assert [(e.key, e.declared) for e in graph.events] == [
        (("legacy-payments", "bus", "InvoicePaid"), False),
        (("orders", "bus", "OrderCancelled"), True),
        (("orders", "bus", "OrderPlaced"), True),
        (("orders", "store", "OrderPlaced"), True)]
    assert ("orders", "bus", "OrderCancelled") not in graph.consumed
    assert [(d.event[1], d.event[2], d.service, d.label) for d in graph.deliveries] == [
        ("bus", "InvoicePaid", "billing", "mark-paid"),
        ("bus", "OrderPlaced", "billing", "invoice [total: >= 100]"),
        ("bus", "OrderPlaced", "billing", "workflow charge"),
        ("store", "OrderPlaced", "orders", "audit")]
    assert [(s.service, s.function, s.target_service, s.workflow) for s in graph.starts] == [
        ("orders", "place-order", "billing", "charge")]


def test_a_start_into_a_service_not_in_the_fleet_is_a_missing_service():
    views = [service("a", functions=(function("go", "http", starts=("elsewhere.flow",)),))]
    assert [(s.name, s.missing) for s in fleet_graph(views).services] == [("a", False), ("elsewhere", True)]
    assert "svc_elsewhere" in render_graph(views, "mermaid")


@pytest.mark.parametrize("pattern, text", [
    ({"kind": ["outgoing-payment"]}, "kind: outgoing-payment"),
    ({"amount": [{"numeric": [">=", 10000, "<", 1000000]}], "currency": ["EUR", "USD"]},
     "amount: >= 10000 < 1000000; currency: EUR | USD"),
    ({"counterparty": {"iban": [{"prefix": "DE"}]}}, "counterparty.iban: prefix DE"),
    ({"state": [{"anything-but": ["a", "b"]}], "x": [{"exists": False}], "n": [1, None, True]},
     "state: anything-but (a | b); x: absent; n: 1 | null | true"),
    (None, ""),
])
def test_compact_filter(pattern, text):
    assert compact_filter(pattern) == text


# -- mermaid


def test_mermaid_edges_of_the_small_fleet():
    text = render_graph(small_fleet(), "mermaid")
    assert text.startswith("flowchart LR\n")
    lines = set(text.splitlines())
    assert "  svc_orders --> ev_orders_bus_OrderPlaced" in lines  # publishes
    assert '  svc_orders -->|"stores"| ev_orders_store_OrderPlaced' in lines  # store event
    assert '  ev_orders_store_OrderPlaced -->|"audit"| svc_orders' in lines  # store fan-out subscription
    assert '  ev_orders_bus_OrderPlaced -->|"invoice #91;total: #gt;= 100#93;"| svc_billing' in lines  # filter
    assert '  ev_orders_bus_OrderPlaced ==>|"workflow charge"| svc_billing' in lines  # a workflow starts
    assert '  svc_orders -.->|"place-order starts charge"| svc_billing' in lines  # cross-service start
    assert '  ev_orders_bus_OrderCancelled(["OrderCancelled"]):::unconsumed' in lines  # nobody consumes it
    assert not any(line.startswith("  ev_orders_bus_OrderCancelled ") for line in lines)  # ... no outgoing edge
    assert '  svc_legacy_payments["legacy-payments<br/>not in the fleet"]:::missing' in lines
    assert '  svc_legacy_payments -.->|"not published"| ev_legacy_payments_bus_InvoicePaid' in lines
    assert '  ev_legacy_payments_bus_InvoicePaid -->|"mark-paid"| svc_billing' in lines


def test_mermaid_ids_are_identifiers_and_labels_have_no_syntax_characters():
    text = render_graph(small_fleet(), "mermaid")
    assert 'svc_billing["billing<br/>team #quot;q#quot; #123;b#125; #91;s#93; #lt;t#gt; #35;1 #124; a #amp; #96;x#96;"]' \
        in text
    for line in text.splitlines()[1:]:
        if line.lstrip().startswith(("%%", "classDef")):
            continue
        labels = re.findall(r'"([^"]*)"', line)
        for label in labels:
            assert not set(label.replace("<br/>", "")) & set('"[]{}<>|`'), line
        skeleton = re.sub(r'"[^"]*"', '""', line).strip()
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\[\(\"\"\)\]|\(\[\"\"\]\)|\[\"\"\])?(:::[a-z]+)?|"
                            r"[A-Za-z_][A-Za-z0-9_]* (-->|==>|-\.->)(\|\"\"\|)? [A-Za-z_][A-Za-z0-9_]*", skeleton), line


def test_mermaid_text_escapes_each_syntax_character_once():
    assert mermaid_text('a "b" #c') == "a #quot;b#quot; #35;c"
    assert mermaid_text("x\ny") == "x<br/>y"


def test_mermaid_ids_stay_unique_when_names_collide_after_sanitising():
    views = [service("a-b", publishes=("E",)), service("a", publishes=("E",))]
    text = render_graph(views, "mermaid")
    ids = re.findall(r"^  ((?:svc|ev)_\w+)[\[(]", text, re.M)
    assert len(ids) == len(set(ids)) == 4


# -- DOT


def parse_dot(text: str) -> dict:
    """A small parser of the DOT subset svcgen writes (strict: anything else fails the test):
    `digraph ID { stmt; ... }` with node, edge and default-attribute statements."""
    tokens = re.findall(r'//[^\n]*|"(?:[^"\\]|\\.)*"|->|[{}\[\];,=]|[A-Za-z_][A-Za-z0-9_]*|\S', text)
    tokens = [t for t in tokens if not t.startswith("//")]
    pos = 0

    def take(expected=None):
        nonlocal pos
        tok = tokens[pos]
        if expected is not None:
            assert tok == expected, f"expected {expected!r}, got {tok!r} at token {pos}"
        pos += 1
        return tok

    def ident():
        tok = take()
        assert re.fullmatch(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*', tok), f"not an ID: {tok!r}"
        return bytes(tok[1:-1], "utf-8").decode("unicode_escape") if tok.startswith('"') else tok

    def attrs():
        out = {}
        take("[")
        while tokens[pos] != "]":
            key = ident()
            take("=")
            out[key] = ident()
            if tokens[pos] == ",":
                take(",")
        take("]")
        return out

    graph = {"nodes": {}, "edges": [], "defaults": {}}
    take("digraph")
    graph["name"] = ident()
    take("{")
    while tokens[pos] != "}":
        if tokens[pos] in ("graph", "node", "edge"):
            kind = take()
            graph["defaults"][kind] = attrs()
        else:
            first = ident()
            if tokens[pos] == "->":
                take("->")
                graph["edges"].append((first, ident(), attrs() if tokens[pos] == "[" else {}))
            else:
                graph["nodes"][first] = attrs() if tokens[pos] == "[" else {}
        take(";")
    take("}")
    assert pos == len(tokens), "text after the graph"
    return graph


def test_dot_of_the_small_fleet_parses_with_every_edge():
    g = parse_dot(render_graph(small_fleet(), "dot"))
    assert g["defaults"]["graph"]["rankdir"] == "LR"
    edges = {(a, b): attrs for a, b, attrs in g["edges"]}
    assert set(g["nodes"]) >= {"svc:orders", "svc:billing", "svc:legacy-payments", "event:orders:bus:OrderCancelled"}
    assert g["nodes"]["svc:billing"]["label"] == f"billing\n{TRICKY}"  # quotes and the rest survive a round trip
    assert g["nodes"]["svc:legacy-payments"]["style"] == "rounded,dashed,filled"
    assert ("svc:orders", "event:orders:bus:OrderPlaced") in edges
    assert edges[("svc:orders", "event:orders:store:OrderPlaced")]["label"] == "stores"
    assert edges[("event:orders:store:OrderPlaced", "svc:orders")]["label"] == "audit"
    assert edges[("event:orders:bus:OrderPlaced", "svc:billing")]["label"] in (
        "invoice [total: >= 100]", "workflow charge")
    labels = {attrs.get("label") for a, b, attrs in g["edges"] if (a, b) == ("event:orders:bus:OrderPlaced", "svc:billing")}
    assert labels == {"invoice [total: >= 100]", "workflow charge"}
    assert edges[("svc:orders", "svc:billing")]["label"] == "place-order starts charge"
    assert edges[("svc:legacy-payments", "event:legacy-payments:bus:InvoicePaid")]["label"] == "not published"
    assert not [e for e in g["edges"] if e[0] == "event:orders:bus:OrderCancelled"]
    assert "no subscribers" in g["nodes"]["event:orders:bus:OrderCancelled"]["tooltip"]


# -- HTML


def embedded_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="fleet-data">(.*?)</script>', html, re.S)
    assert m, "no embedded data"
    return json.loads(m.group(1))


def test_html_is_self_contained():
    html = render_graph(small_fleet(), "html")
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=|<img|<iframe|@import|url\(\s*['\"]?[a-z]+:", html, re.I)
    # URLs only as text: the description's link is inside the JSON, escaped, never an attribute
    assert not re.search(r"""(?:src|href|xlink:href|action)\s*=\s*["']?[a-z]+://""", html, re.I)
    assert html.count("<script") == 2 and html.count("</script>") == 2  # the data and the code, nothing else


def test_html_data_escapes_script_ends_and_round_trips():
    html = render_graph(small_fleet(), "html")
    data = embedded_data(html)
    assert data["services"]["billing"]["description"].startswith("Bills. </script><!-- <script>")
    assert data["services"]["billing"]["owner"] == TRICKY
    assert data["services"]["legacy-payments"] == {
        "missing": True, "service": "legacy-payments", "receives": [], "started_by_functions": [],
        "sends": [{"declared": False, "event": "InvoicePaid", "kind": "bus",
                   "to": [{"filter": "", "service": "billing", "subscriber": "mark-paid", "subscriber_kind": "function"}]}]}
    orders = data["services"]["orders"]["sends"]
    assert {(e["kind"], e["event"]): [t["subscriber"] for t in e["to"]] for e in orders} == {
        ("bus", "OrderCancelled"): [], ("bus", "OrderPlaced"): ["invoice", "charge"], ("store", "OrderPlaced"): ["audit"]}
    assert data["services"]["billing"]["started_by_functions"] == [
        {"function": "place-order", "service": "orders", "workflow": "charge"}]


def test_html_svg_has_boxes_arrows_and_markers():
    html = render_graph(small_fleet(), "html")
    assert re.findall(r'<g class="(service[^"]*)" data-service="([^"]+)"', html) == [
        ("service", "billing"), ("service missing", "legacy-payments"), ("service", "orders")]
    arrows = re.findall(r'<path class="arrow (\w+)" d="[^"]+" marker-end="url\(#head-\w+\)" data-from="([^"]+)" '
                        r'data-to="([^"]+)"', html)
    assert sorted(arrows) == [("bus", "legacy-payments", "billing"), ("bus", "orders", "billing"),
                              ("start", "orders", "billing"), ("store", "orders", "orders"),
                              ("workflow", "orders", "billing")]
    assert '<g class="row out unconsumed">' in html and "OrderCancelled: no subscribers" in html
    assert '<g class="row out unknown">' in html and "legacy-payments is not in the fleet" in html
    assert "[total: &gt;= 100]" in html
    assert "&lt;t&gt;" in html and TRICKY not in html  # the owner is escaped in the SVG


# -- every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_whatever_the_input_order(fmt):
    fleet = small_fleet()
    assert render_graph(fleet, fmt) == render_graph(list(reversed(fleet)), fmt)


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown graph format"):
        render_graph(small_fleet(), "png")


def test_an_empty_fleet_renders():
    assert render_graph([], "mermaid").startswith("flowchart LR")
    parse_dot(render_graph([], "dot"))
    assert "0 services" in render_graph([], "html")


# -- the command, and the demo platform's goldens


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # specs/ as a relative path: the views' spec files are relative, the goldens portable


@pytest.mark.parametrize("fmt", FORMATS)
def test_demo_platform_graph_matches_golden(fmt, in_root, capsys, request):
    from generator.cli import main

    assert main(["graph", "specs", "--format", fmt]) == 0
    text = capsys.readouterr().out
    golden = GOLDEN / f"graph.{SUFFIX[fmt]}"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), f"{golden.relative_to(ROOT)} differs; review and regenerate with --update-goldens"


def test_graph_command_defaults_to_mermaid_and_writes_out(in_root, capsys, tmp_path):
    from generator.cli import main

    assert main(["graph"]) == 0
    assert capsys.readouterr().out == (GOLDEN / "graph.mmd").read_text()
    out = tmp_path / "fleet.html"
    assert main(["graph", "specs", "--format", "html", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "5 services" in captured.err
    assert out.read_text() == (GOLDEN / "graph.html").read_text()


def test_demo_page_names_no_url_at_all():
    html = (GOLDEN / "graph.html").read_text()
    assert "://" not in html and "<link" not in html and "src=" not in html


def test_demo_golden_dot_parses_and_shows_the_whole_flow():
    g = parse_dot((GOLDEN / "graph.dot").read_text())
    assert {n for n in g["nodes"] if n.startswith("svc:")} == {
        "svc:accounts", "svc:ledger", "svc:notifications", "svc:onboarding", "svc:payments"}
    edges = {(a, b, attrs.get("label")) for a, b, attrs in g["edges"]}
    assert ("event:ledger:store:TransactionPosted", "svc:notifications", "notify-customer [amount: >= 10000]") in edges
    assert ("event:onboarding:bus:ApplicationSubmitted", "svc:accounts", "workflow onboard-customer") in edges
    assert ("svc:onboarding", "svc:accounts", "resubmit-application starts onboard-customer") in edges
    assert not [e for e in g["edges"] if e[0] == "event:accounts:store:AccountOpened"]  # nobody reads it


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (the DOT parser above still runs)")
@pytest.mark.parametrize("fleet", ["demo", "small"])
def test_graphviz_renders_the_dot_without_warnings(fleet, tmp_path):
    text = (GOLDEN / "graph.dot").read_text() if fleet == "demo" else render_graph(small_fleet(), "dot")
    result = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.count('<g id="node') == len(parse_dot(text)["nodes"])
