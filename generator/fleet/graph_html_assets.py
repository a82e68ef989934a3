"""The HTML graph's stylesheet and script, inlined into the page (graph_html.py): no network."""

CSS = """\
:root { --bus: #2563eb; --store: #7c3aed; --workflow: #059669; --start: #d97706;
  --missing: #c62828; --muted: #71717a; --line: #d4d4d8; --ink: #18212f; --panel: 400px; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--ink); background: #f6f7f9; display: flex; flex-direction: column; }
header { padding: 12px 20px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0 0 2px; }
.summary { margin: 0 0 6px; color: var(--muted); }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0; padding: 0; font-size: 12px;
  color: #3f3f46; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 22px; height: 0; border-top: 3px solid; }
.swatch.bus { border-color: var(--bus); } .swatch.store { border-color: var(--store); }
.swatch.workflow { border-color: var(--workflow); } .swatch.start { border-color: var(--start); border-top-style: dashed; }
.swatch.unconsumed { border-color: #a1a1aa; border-top-style: dotted; }
.swatch.missing { height: 12px; border: 2px dashed var(--missing); background: #fff1f1; border-radius: 3px; }
main { flex: 1; display: flex; min-height: 0; }
#graph { flex: 1; overflow: auto; padding: 8px; }
#graph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
#panel { width: var(--panel); flex: none; overflow: auto; background: #fff; border-left: 1px solid var(--line);
  padding: 14px 18px 24px; font-size: 13px; }
#panel .hint { color: var(--muted); }
#panel h2 { font-size: 18px; margin: 0 0 2px; }
#panel h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #52525b; margin: 16px 0 6px;
  border-bottom: 1px solid var(--line); padding-bottom: 3px; }
#panel p.description { margin: 4px 0 10px; color: #3f3f46; }
#panel dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
#panel dt { color: var(--muted); } #panel dd { margin: 0; overflow-wrap: anywhere; }
#panel table { border-collapse: collapse; width: 100%; font-size: 11.5px; }
#panel th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 3px 4px; }
#panel td { border-bottom: 1px solid #f0f0f2; padding: 3px 4px; vertical-align: top; }
#panel td.num { text-align: right; white-space: nowrap; }
#panel td .trigger { display: block; color: var(--muted); font-size: 11px; overflow-wrap: anywhere; }
#panel table.functions { table-layout: fixed; }
#panel table.functions th:nth-child(2) { width: 50px; } #panel table.functions th:nth-child(3) { width: 72px; }
#panel table.functions th:nth-child(4) { width: 58px; } #panel table.functions th:nth-child(5) { width: 50px; }
#panel table.functions td:nth-child(n+4), #panel table.functions th:nth-child(n+4) { text-align: right; }
#panel table.functions td:first-child { overflow-wrap: anywhere; }
#panel ul { margin: 0; padding-left: 18px; } #panel li { margin: 2px 0; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; background: #eef4ff; color: #1e3a8a;
  margin-left: 6px; vertical-align: 2px; }
.badge.warn { background: #fff4e5; color: #9a4a00; } .badge.bad { background: #fff1f1; color: var(--missing); }
.filter-text { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 11px; color: #6d28d9; }
.none { color: var(--muted); font-style: italic; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 12px;
  fill: var(--ink); }
.service { cursor: pointer; }
.service .box { fill: #fff; stroke: #94a3b8; stroke-width: 1.5; }
.service .head { fill: #eef4ff; }
.service:hover .box, .service:focus .box { stroke: var(--bus); }
.service:focus { outline: none; }
.service.selected .box { stroke: var(--bus); stroke-width: 3; }
.service.missing .box { fill: #fff8f8; stroke: var(--missing); stroke-dasharray: 6 4; }
.service.missing .head { fill: #ffe9e9; }
.service .name { font-weight: 700; font-size: 14px; }
.service .owner { fill: var(--muted); font-size: 11.5px; }
.row .tag { fill: var(--muted); font-size: 10px; font-weight: 600; }
.row.workflow text { fill: #047857; }
.row .port { fill: #fff; stroke: #64748b; stroke-width: 1.5; }
.row.bus .port { stroke: var(--bus); } .row.store .port { stroke: var(--store); } .row.start .port { stroke: var(--start); }
.row.store text { fill: #5b21b6; } .row.start text { fill: #92400e; }
.row.unconsumed text { fill: #a1a1aa; font-style: italic; }
.row.unknown text { fill: var(--missing); font-style: italic; }
.stub { stroke: #a1a1aa; stroke-width: 1.5; stroke-dasharray: 3 3; fill: none; }
.nowhere { fill: none; stroke: #a1a1aa; stroke-width: 1.2; }
.sep { stroke: #e4e4e7; }
.arrow { fill: none; stroke-width: 1.8; stroke-linejoin: round; opacity: .85; }
.arrow.bus { stroke: var(--bus); } .arrow.store { stroke: var(--store); } .arrow.workflow { stroke: var(--workflow); stroke-width: 2.6; }
.arrow.start { stroke: var(--start); stroke-dasharray: 6 4; }
.head.bus { fill: var(--bus); } .head.store { fill: var(--store); } .head.workflow { fill: var(--workflow); }
.head.start { fill: var(--start); }
text.filter { font-size: 10px; fill: #6d28d9; paint-order: stroke; stroke: #f6f7f9; stroke-width: 4px; }
svg.has-selection .arrow, svg.has-selection text.filter { opacity: .12; }
svg.has-selection .arrow.related, svg.has-selection text.filter.related { opacity: 1; }
svg.has-selection .arrow.related { stroke-width: 2.6; }
"""

SCRIPT = r"""(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("fleet-data").textContent);
  var svg = document.getElementById("fleet-svg");
  var panel = document.getElementById("panel");

  function el(tag, cls, children) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return node;
  }
  function table(cls, head, rows) {
    var t = el("table", cls, [el("thead", "", [el("tr", "", head.map(function (h) { return el("th", "", [h]); }))])]);
    var body = el("tbody");
    rows.forEach(function (r) {
      body.appendChild(el("tr", "", r.map(function (c) {
        return c && c.nodeType ? el("td", "", [c]) : el("td", typeof c === "number" ? "num" : "", [c === null || c === undefined ? "" : c]);
      })));
    });
    t.appendChild(body);
    return t;
  }
  function list(items, empty) {
    return items.length ? el("ul", "", items.map(function (i) { return el("li", "", i); })) : el("p", "none", [empty]);
  }
  function filterText(f) { return f ? [" ", el("span", "filter-text", ["[" + f + "]"])] : []; }
  function runtimeCell(rt) {
    var cell = el("span", "", [rt.runtime]);
    if (rt.status !== "allowed") {
      cell.appendChild(el("span", rt.status === "deprecated" ? "badge warn" : "badge bad",
        [rt.status + (rt.sunset ? " until " + rt.sunset : "")]));
    }
    return cell;
  }

  function render(name, s) {
    var parts = [el("h2", "", [name].concat(s.missing ? [el("span", "badge bad", ["not in the fleet"])] : []))];
    if (s.missing) {
      parts.push(el("p", "description", ["Subscribed to (or its workflow started) by services of the fleet, but its " +
        "spec is not among the specs or manifests given."]));
    } else {
      parts.push(el("p", "description", [s.description]));
      var dl = el("dl");
      var facts = [["Owner", s.owner], ["System", s.system], ["Runtime", s.runtimes.join(", ")],
        ["Spec", s.spec_file], ["Alerts", s.alert_emails.join(", ") || "none"],
        ["Tags", Object.keys(s.tags).map(function (k) { return k + "=" + s.tags[k]; }).join(", ") || "none"]];
      if (s.stores.length) facts.push(["Event store", s.stores.join(", ") + (s.store_fan_out ? " (fanned out)" : " (not fanned out)")]);
      facts.forEach(function (f) {
        dl.appendChild(el("dt", "", [f[0]]));
        dl.appendChild(el("dd", "fact-" + f[0].toLowerCase().replace(/ /g, "-"), [f[1]]));
      });
      parts.push(dl);
      parts.push(el("h3", "", ["Functions (" + s.functions.length + ")"]));
      parts.push(table("functions", ["Function", "Trigger", "Runtime", "Memory", "Timeout"], s.functions.map(function (f) {
        var name = el("span", "", [el("b", "", [f.name])].concat(f.triggers.map(function (t) { return el("span", "trigger", [t]); })));
        return [name, f.trigger, runtimeCell(f.runtime), f.memory + " MB", f.timeout + " s"];
      })));
      var queues = s.functions.filter(function (f) { return f.queue; });
      parts.push(el("h3", "", ["Queues (" + queues.length + ")"]));
      parts.push(queues.length ? table("queues", ["Consumer", "FIFO", "Max receives"], queues.map(function (f) {
        return [f.name, f.queue.fifo ? "yes" : "no", f.queue.max_receive_count];
      })) : el("p", "none", ["no queues"]));
      parts.push(el("h3", "", ["Workflows (" + s.workflows.length + ")"]));
      parts.push(list(s.workflows.map(function (w) {
        var by = w.started_by.map(function (b) { return b.event + " from " + b.publisher + (b.filter ? " (filtered)" : ""); })
          .concat(s.started_by_functions.filter(function (st) { return st.workflow === w.name; })
            .map(function (st) { return st.service + "." + st.function; }));
        return [el("b", "", [w.name]), " started by " + (by.join(", ") || "nothing in the fleet") +
          "; calls " + (w.calls.join(", ") || "no functions")];
      }), "no workflows"));
    }
    parts.push(el("h3", "", ["Sends"]));
    parts.push(list(s.sends.map(function (e) {
      var what = (e.kind === "store" ? "store event " : "") + e.event;
      var to = e.to.length ? e.to.map(function (t) {
        return t.service + "." + t.subscriber + (t.subscriber_kind === "workflow" ? " (workflow)" : "") + (t.filter ? " [" + t.filter + "]" : "");
      }).join(", ") : "no subscribers";
      return [el("b", "", [what]), (e.declared ? "" : " (not published)") + " → " + to];
    }), "nothing"));
    parts.push(el("h3", "", ["Receives"]));
    parts.push(list(s.receives.map(function (r) {
      return [el("b", "", [(r.kind === "store" ? "store event " : "") + r.event]), " from " + r.from + " → " +
        r.subscriber + (r.subscriber_kind === "workflow" ? " (workflow)" : "")].concat(filterText(r.filter));
    }), "nothing"));
    return parts;
  }

  function select(name) {
    var s = name && Object.prototype.hasOwnProperty.call(data.services, name) ? data.services[name] : null;
    Array.prototype.forEach.call(svg.querySelectorAll(".service"), function (g) {
      g.classList.toggle("selected", !!s && g.getAttribute("data-service") === name);
    });
    Array.prototype.forEach.call(svg.querySelectorAll(".arrow, text.filter"), function (a) {
      a.classList.toggle("related", !!s && (a.getAttribute("data-from") === name || a.getAttribute("data-to") === name));
    });
    svg.classList.toggle("has-selection", !!s);
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    if (!s) {
      panel.appendChild(el("p", "hint", [name ? "No service named " + name + " in this graph." :
        "Click a service to see its functions, queues, workflows, owner and runtime."]));
      panel.removeAttribute("data-service");
      return;
    }
    panel.setAttribute("data-service", name);
    render(name, s).forEach(function (p) { panel.appendChild(p); });
  }
  function fromHash() {
    var m = /(?:^#|&)service=([^&]*)/.exec(location.hash);
    select(m ? decodeURIComponent(m[1]) : null);
  }
  Array.prototype.forEach.call(svg.querySelectorAll(".service"), function (g) {
    function go() {
      var name = g.getAttribute("data-service");
      location.hash = "service=" + encodeURIComponent(name);
      select(name);
    }
    g.addEventListener("click", go);
    g.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
"""
