"""generator/fleet/inventory.py (`svcgen inventory`): one row per function, as a table, JSON or CSV.

Goldens: tests/golden/fleet/inventory.{txt,json,csv} for the demo fleet (specs/, stage dev);
regenerate with `python -m pytest tests/unit/test_inventory.py --update-goldens`.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.fleet.inventory import COLUMNS, inventory_rows, render_inventory

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden" / "fleet"
SUFFIX = {"table": "txt", "json": "json", "csv": "csv"}

LEGACY = """\
service: legacy
owner: team-legacy
description: An old service still on python3.11.
runtime: python3.11
publishes: [ThingHappened]
events:
  ThingHappened:
    version: 1
    fields:
      thing_id: {type: string}
functions:
  old-job:
    description: Runs every hour, on the old runtime.
    schedule: {expression: rate(1 hour)}
    publishes: [ThingHappened]
  report:
    description: Reports, on the old runtime too.
    http: GET /report
"""
CURRENT = """\
service: current
owner: team-current
description: A service on the default runtime.
functions:
  work:
    description: Works.
    reserved_concurrency: 4
    memory: 1024
    subscribe:
      - {event: ThingHappened, from: legacy}
"""


@pytest.fixture
def fleet(tmp_path) -> Path:
    """The demo platform with a sunset for python3.11, a service on it and one on the default."""
    platform = (SPECS / "platform.yaml").read_text()
    assert "  sunset: {python3.11: 2027-04-30}\n" in platform
    platform = platform.replace("  sunset: {python3.11: 2027-04-30}\n", "  sunset: {python3.11: 2026-10-31}\n")
    (tmp_path / "platform.yaml").write_text(platform)
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    (tmp_path / "current.yaml").write_text(CURRENT)
    return tmp_path


def run(capsys, *args) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_demo_fleet_matches_golden(fmt, capsys, request):
    text = run(capsys, "inventory", "--format", fmt, str(SPECS))
    golden = GOLDEN / f"inventory.{SUFFIX[fmt]}"
    if request.config.getoption("--update-goldens"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(text.encode())  # bytes: the CSV's CRLF line ends stay as they are
    assert text == golden.read_bytes().decode(), f"{golden.name} differs; review and regenerate"


def test_table_is_aligned_with_a_header(capsys):
    lines = run(capsys, "inventory", str(SPECS)).splitlines()
    assert lines[0].split() == [h for k, h in COLUMNS.items() if k != "sunset"]
    triggers_at = lines[0].index("TRIGGERS")
    assert all(len(line) > triggers_at and line[triggers_at - 2:triggers_at] == "  " for line in lines[1:])
    assert len(lines) == 1 + 16  # the demo fleet's 16 functions
    notify = next(line for line in lines if " notify-customer " in line)
    assert "AccountOpened from accounts; AccountClosed from accounts; " in notify  # a long list, joined
    post = next(line for line in lines if " post-transaction " in line)
    assert post.split()[:10] == ["ledger", "post-transaction", "team-core-banking", "python3.12", "allowed",
                                 "512", "MB", "10", "s", "20"]


def test_rows_sorted_by_service_then_function(demo_workspace):
    from generator.fleet.model import describe_fleet
    from generator.stages import resolve_stage

    views = describe_fleet(demo_workspace.services, demo_workspace.platform,
                           resolve_stage("dev", demo_workspace.platform))
    rows = inventory_rows(list(reversed(views)))
    keys = [(r["service"], r["function"]) for r in rows]
    assert keys == sorted(keys) and len(keys) == 16
    assert render_inventory(views, "json") == render_inventory(list(reversed(views)), "json")


def test_json_objects_have_stable_keys(capsys):
    rows = json.loads(run(capsys, "inventory", "--format", "json", str(SPECS)))
    assert all(list(row) == list(COLUMNS) for row in rows)
    send = next(r for r in rows if r["function"] == "send-payment")
    assert send == {"service": "payments", "function": "send-payment", "owner": "team-payments",
                    "runtime": "python3.12", "runtime_status": "allowed", "sunset": None, "memory_mb": 256,
                    "timeout_s": 30, "reserved_concurrency": 3, "publishes": ["PaymentSettled", "PaymentFailed"],
                    "triggers": ["TransactionPosted from ledger (filtered)"]}


def test_csv_is_rfc4180_and_reads_back(capsys):
    text = run(capsys, "inventory", "--format", "csv", str(SPECS))
    assert text.startswith(",".join(COLUMNS) + "\r\n") and text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 16 and list(rows[0]) == list(COLUMNS)
    notify = next(r for r in rows if r["function"] == "notify-customer")
    assert notify["triggers"].split("; ")[-1] == "store event TransactionPosted from ledger (filtered)"
    assert notify["reserved_concurrency"] == "" and notify["sunset"] == "" and notify["publishes"] == ""


def test_csv_quotes_a_comma():
    from generator.fleet.model import FunctionView, RuntimeStatus, ServiceView

    fn = FunctionView("nightly", "schedule", ("cron(0 8 * * ? *)", 'say "hi", then'), RuntimeStatus("python3.12", "allowed"),
                      128, 3, None, (), (), None, True)
    view = ServiceView("svc", "team", "d", "acme", {}, "svc.yaml", (), (), (), False, {}, (fn,), ())
    row = next(csv.DictReader(io.StringIO(render_inventory([view], "csv"), newline="")))
    assert row["triggers"] == 'cron(0 8 * * ? *); say "hi", then'
    assert '"cron(0 8 * * ? *); say ""hi"", then"' in render_inventory([view], "csv")


def test_runtime_filter_answers_who_still_runs_python311(fleet, capsys):
    table = run(capsys, "inventory", "--runtime", "python3.11", str(fleet)).splitlines()
    assert [line.split()[:2] for line in table[1:]] == [["legacy", "old-job"], ["legacy", "report"]]
    assert all("deprecated (sunset 2026-10-31)" in line for line in table[1:])

    rows = list(csv.DictReader(io.StringIO(run(capsys, "inventory", "--runtime", "python3.11", "--format", "csv",
                                               str(fleet)), newline="")))
    assert [(r["function"], r["runtime_status"], r["sunset"]) for r in rows] == [
        ("old-job", "deprecated", "2026-10-31"), ("report", "deprecated", "2026-10-31")]

    everything = json.loads(run(capsys, "inventory", "--format", "json", str(fleet)))
    assert [(r["service"], r["function"], r["runtime"], r["runtime_status"]) for r in everything] == [
        ("current", "work", "python3.12", "allowed"), ("legacy", "old-job", "python3.11", "deprecated"),
        ("legacy", "report", "python3.11", "deprecated")]
    assert everything[0]["reserved_concurrency"] == 4 and everything[0]["memory_mb"] == 1024
    assert everything[1]["triggers"] == ["rate(1 hour)"] and everything[1]["publishes"] == ["ThingHappened"]


def test_runtime_filter_with_no_match_is_header_only(fleet, capsys):
    assert run(capsys, "inventory", "--runtime", "python3.9", str(fleet)).count("\n") == 1
    assert json.loads(run(capsys, "inventory", "--runtime", "python3.9", "--format", "json", str(fleet))) == []


def test_not_allowed_runtime_is_shown():
    from generator.fleet.model import FunctionView, RuntimeStatus, ServiceView

    fn = FunctionView("f", "direct", ("invoked directly",), RuntimeStatus("python3.8", "not allowed"),
                      128, 3, None, (), (), None, False)
    view = ServiceView("svc", "team", "d", "acme", {}, "svc.yaml", (), (), (), False, {}, (fn,), ())
    assert " not allowed " in render_inventory([view], "table").splitlines()[1]
    with pytest.raises(ValueError):
        render_inventory([view], "xml")
