"""`svcgen inventory`: one row per function of the fleet, as a terminal table, JSON or CSV.

Answers the platform team's questions about functions across every service ("who still runs
python3.11?", "which functions reserve concurrency?") from the same views the graph and the
catalog are made of. Rows are sorted by (service, function): the output is a golden.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

# Column key -> table header. The same keys, in this order, are the JSON objects' keys and the
# CSV header: a script reading one format reads the others.
COLUMNS = {
    "service": "SERVICE",
    "function": "FUNCTION",
    "owner": "OWNER",
    "runtime": "RUNTIME",
    "runtime_status": "STATUS",
    "sunset": "SUNSET",
    "memory_mb": "MEMORY",
    "timeout_s": "TIMEOUT",
    "reserved_concurrency": "RESERVED",
    "publishes": "PUBLISHES",
    "triggers": "TRIGGERS",  # last: the longest column is the one left unpadded
}
LIST_SEPARATOR = "; "  # triggers contain commas (`rate(1 hour)`, `cron(0 8 * * ? *)`): a semicolon does not clash
NONE = "-"


def inventory_rows(views, runtime: str | None = None) -> list[dict[str, Any]]:
    """One plain dict per function (keys of COLUMNS), only those on `runtime` when given."""
    rows = []
    for view in sorted(views, key=lambda v: v.service):
        for fn in sorted(view.functions, key=lambda f: f.name):
            if runtime is not None and fn.runtime.runtime != runtime:
                continue
            rows.append({
                "service": view.service,
                "function": fn.name,
                "owner": view.owner,
                "runtime": fn.runtime.runtime,
                "runtime_status": fn.runtime.status,
                "sunset": fn.runtime.sunset.isoformat() if fn.runtime.sunset else None,
                "memory_mb": fn.memory,
                "timeout_s": fn.timeout,
                "reserved_concurrency": fn.reserved_concurrency,
                "publishes": list(fn.publishes),
                "triggers": list(fn.triggers),
            })
    return rows


def render_inventory(views, fmt: str, runtime: str | None = None) -> str:
    rows = inventory_rows(views, runtime)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if fmt == "csv":
        return _csv(rows)
    if fmt == "table":
        return _table(rows)
    raise ValueError(f"unknown inventory format {fmt!r}: one of table, json, csv")


def _csv(rows: list[dict[str, Any]]) -> str:
    """RFC 4180: CRLF line ends, fields with a comma, quote or line break quoted; lists joined
    with "; ", an absent value (no sunset, no reserved concurrency) empty."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _flat(value, "") for key, value in row.items()})
    return out.getvalue()


def _table(rows: list[dict[str, Any]]) -> str:
    """Aligned columns for a terminal: the status says "deprecated (sunset 2026-10-31)" in one
    cell, memory and timeout carry their units, an absent value is "-"."""
    headers = [h for key, h in COLUMNS.items() if key != "sunset"]
    cells = [headers] + [[_cell(key, row) for key in COLUMNS if key != "sunset"] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers) - 1)]
    lines = ["  ".join([c.ljust(w) for c, w in zip(line, widths)] + [line[-1]]).rstrip() for line in cells]
    return "\n".join(lines) + "\n"


def _cell(key: str, row: dict[str, Any]) -> str:
    value = row[key]
    if key == "runtime_status" and value == "deprecated" and row["sunset"]:
        return f"deprecated (sunset {row['sunset']})"
    if key == "memory_mb":
        return f"{value} MB"
    if key == "timeout_s":
        return f"{value} s"
    return _flat(value, NONE)


def _flat(value: Any, none: str) -> str:
    if value is None or value == []:
        return none
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)
