"""The reports of `svcgen check` (generator/check/report*.py): text for people, JSON for scripts,
SARIF for GitHub code scanning (validated against the official SARIF 2.1.0 schema), JUnit XML
for CI test reports."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from generator.check.model import CheckFinding
from generator.check.report import render, sort_findings
from generator.check.waivers import Waiver
from generator.errors import SpecError
from generator.rules.registry import rule

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
WAIVER = Waiver("SVC1108", "ledger", "functions.post", "the partner caps its own rate", "jane.doe",
                datetime.date(2027, 3, 31), "specs/waivers.yaml", 2, 5, 0)
SERVICES = ["accounts", "ledger", "payments"]  # accounts has no finding


def error(file, line, col, path, message, hint="", severity="error", rule_id=""):
    return SpecError(file, line, col, path, message, hint, severity, rule_id)


FINDINGS = [
    CheckFinding("", error("specs/waivers.yaml", 9, 5, "waivers[1]", "the waiver of SVC1101 for ledger matches "
                           "no finding", "delete it", "warning", "SVC4902")),
    CheckFinding("payments", error("specs/payments.yaml", 3, 1, "functon", "unknown key 'functon'",
                                   "did you mean `functions`?")),
    CheckFinding("ledger", error("specs/ledger.yaml", 20, 3, "workflows.w.steps[0]", "a pause lasts 13 days",
                                 "", "warning", "SVC1412")),
    CheckFinding("ledger", error("specs/ledger.yaml", 14, 7, "functions.post.queue", "no max_concurrency",
                                 "set queue.max_concurrency", "warning", "SVC1108"), WAIVER),
    CheckFinding("ledger", error("specs/ledger.yaml", 9, 5, "functions.post.queue.batching_window",
                                 "a FIFO queue has a batching window", "remove it", "error", "SVC1104")),
]


def report(fmt: str, findings=FINDINGS, services=SERVICES, root: Path | None = None) -> str:
    return render(list(findings), fmt, tool_version="0.1.0", root=root or Path.cwd(), services=services)


def test_findings_are_sorted_by_file_line_column_and_rule():
    same_place = [CheckFinding("a", error("a.yaml", 1, 1, "x", "m", rule_id=r)) for r in ("SVC1104", "", "SVC1101")]
    ordered = sort_findings(FINDINGS + same_place)
    assert [(f.error.file, f.error.line) for f in ordered][:3] == [("a.yaml", 1)] * 3
    assert [f.error.rule for f in ordered[:3]] == ["", "SVC1101", "SVC1104"]  # "" is SVC0000
    assert [f.error.line for f in ordered[3:]] == [9, 14, 20, 3, 9]


def test_text_groups_by_service_and_ends_with_a_summary():
    assert report("text").splitlines() == [
        "service ledger:",
        "  specs/ledger.yaml:9:5: error: SVC1104 functions.post.queue.batching_window: a FIFO queue has a batching "
        "window (remove it)",
        "  specs/ledger.yaml:14:7: waived: SVC1108 functions.post.queue: no max_concurrency "
        "(set queue.max_concurrency) [warning]",
        "      waived by jane.doe until 2027-03-31: the partner caps its own rate",
        "  specs/ledger.yaml:20:3: warning: SVC1412 workflows.w.steps[0]: a pause lasts 13 days",
        "",
        "service payments:",
        "  specs/payments.yaml:3:1: error: SVC0000 functon: unknown key 'functon' (did you mean `functions`?)",
        "",
        "specs/waivers.yaml:",
        "  specs/waivers.yaml:9:5: warning: SVC4902 waivers[1]: the waiver of SVC1101 for ledger matches no finding "
        "(delete it)",
        "",
        "3 services checked: 2 errors, 2 warnings, 1 waived finding; the check fails "
        "(only errors fail it; warnings and waived findings do not)",
    ]


def test_text_of_a_clean_fleet_is_its_summary():
    assert report("text", [], ["ledger"]) == ("1 service checked: 0 errors, 0 warnings, 0 waived findings; the check "
                                              "passes (only errors fail it; warnings and waived findings do not)\n")


def test_json_round_trips_every_field():
    data = json.loads(report("json"))
    assert data["tool"] == {"name": "svcgen", "version": "0.1.0"} and data["format_version"] == 1
    assert data["summary"] == {"errors": 2, "warnings": 2, "waived": 1, "services": 3,
                               "services_checked": SERVICES, "failed": True}
    back = []
    for item in data["findings"]:
        waiver = item.pop("waiver")
        blocking = item.pop("blocking")
        service = item.pop("service")
        item["rule"] = "" if item["rule"] == "SVC0000" else item["rule"]
        if waiver is not None:
            waiver["expires"] = datetime.date.fromisoformat(waiver["expires"])
            waiver = Waiver(**waiver, index=0)
        finding = CheckFinding(service, SpecError(**item), waiver)
        assert finding.blocking == blocking
        back.append(finding)
    assert back == sort_findings(FINDINGS)
    assert back[1].waiver == WAIVER


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_sarif_2_1_0_for_code_scanning(tmp_path):
    log = json.loads(report("sarif", root=tmp_path.parent, findings=[
        dataclasses.replace(f, error=dataclasses.replace(f.error, file=str(tmp_path / f.error.file)))
        for f in FINDINGS]))
    errors = sorted(sarif_validator().iter_errors(log), key=str)
    assert errors == [], [e.message for e in errors]
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("svcgen", "0.1.0")
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["SVC0000", "SVC1104", "SVC1108", "SVC1412", "SVC4902"]
    fifo = driver["rules"][1]
    registered = rule("SVC1104")
    assert fifo == {
        "id": "SVC1104", "name": type(registered).__name__,
        "shortDescription": {"text": registered.summary}, "fullDescription": {"text": registered.rationale},
        "helpUri": registered.source, "help": fifo["help"], "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["queue", "spec"]}}
    assert registered.rationale in fifo["help"]["text"] and "svcgen rules SVC1104" in fifo["help"]["text"]
    stale = driver["rules"][4]
    assert "helpUri" not in stale and stale["defaultConfiguration"] == {"level": "warning"}  # docs/checks.md
    assert stale["properties"] == {"tags": ["waivers"]}

    results = run["results"]
    assert [r["ruleId"] for r in results] == ["SVC1104", "SVC1108", "SVC1412", "SVC0000", "SVC4902"]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in results)
    first = results[0]
    assert first["level"] == "error" and first["message"]["text"] == (
        "functions.post.queue.batching_window: a FIFO queue has a batching window (remove it)")
    assert first["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": f"{tmp_path.name}/specs/ledger.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 9, "startColumn": 5}}}]
    assert [r["level"] for r in results] == ["error", "warning", "warning", "error", "warning"]
    assert [("suppressions" in r) for r in results] == [False, True, False, False, False]
    assert results[1]["suppressions"] == [{"kind": "external", "status": "accepted", "justification":
                                           "the partner caps its own rate (approved by jane.doe, expires 2027-03-31)"}]


def test_sarif_fingerprints_follow_the_rule_file_and_key_not_the_line():
    def fingerprints(findings):
        return [r["partialFingerprints"] for r in json.loads(report("sarif", findings))["runs"][0]["results"]]

    moved = [dataclasses.replace(f, error=dataclasses.replace(f.error, line=f.error.line + 3)) for f in FINDINGS]
    assert fingerprints(FINDINGS) == fingerprints(moved)
    values = [next(iter(p.values())) for p in fingerprints(FINDINGS)]
    assert len(set(values)) == len(values)


def test_sarif_uris_use_forward_slashes_and_escape_what_a_uri_cannot_hold(tmp_path):
    from generator.check.report_sarif import artifact_uri

    assert artifact_uri(str(tmp_path / "my specs" / "a.yaml"), tmp_path) == "my%20specs/a.yaml"
    assert artifact_uri("specs/a.yaml", Path.cwd()) == "specs/a.yaml"


def test_sarif_of_no_findings_is_a_valid_empty_run():
    log = json.loads(report("sarif", []))
    assert list(sarif_validator().iter_errors(log)) == []
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


def counts(element: ET.Element) -> dict:
    return {k: int(element.get(k)) for k in ("tests", "failures", "errors", "skipped")}


def test_junit_has_a_suite_per_service_and_right_counts():
    text = report("junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["accounts", "ledger", "payments", "specs/waivers.yaml"]
    assert counts(root) == {"tests": 6, "failures": 2, "errors": 0, "skipped": 1}
    for suite in suites.values():  # every suite's counts are those of its test cases
        cases = suite.findall("testcase")
        assert counts(suite) == {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
                                 "errors": 0, "skipped": sum(c.find("skipped") is not None for c in cases)}
    assert sum(counts(s)["tests"] for s in suites.values()) == counts(root)["tests"]

    (clean,) = suites["accounts"].findall("testcase")
    assert clean.get("name") == "every rule passes" and list(clean) == []
    fifo, waived, warning = suites["ledger"].findall("testcase")
    assert fifo.get("classname") == "svcgen.ledger"
    assert fifo.get("name") == "SVC1104 functions.post.queue.batching_window (specs/ledger.yaml:9:5)"
    failure = fifo.find("failure")
    assert failure.get("type") == "error" and failure.get("message") == "a FIFO queue has a batching window (remove it)"
    assert failure.text.startswith("specs/ledger.yaml:9:5: error: SVC1104 ")
    assert waived.find("skipped").get("message") == "waived by jane.doe until 2027-03-31: the partner caps its own rate"
    assert warning.get("name").endswith("(warning)") and warning.find("failure") is None
    assert "a pause lasts 13 days" in warning.find("system-out").text
    assert suites["payments"].find("testcase/failure").text.startswith("specs/payments.yaml:3:1: error: SVC0000 ")


def test_junit_of_a_clean_fleet_shows_a_passing_test_per_service():
    root = ET.fromstring(report("junit", [], ["ledger", "payments"]).split("\n", 1)[1])
    assert counts(root) == {"tests": 2, "failures": 0, "errors": 0, "skipped": 0}
    assert [c.get("classname") for c in root.iter("testcase")] == ["svcgen.ledger", "svcgen.payments"]


def test_junit_keeps_test_names_unique_and_the_xml_well_formed():
    twice = [CheckFinding("ledger", error("specs/ledger.yaml", 1, 1, "x", f"bad \x07 value {i}", rule_id="SVC1104"))
             for i in range(2)]
    root = ET.fromstring(report("junit", twice, []).split("\n", 1)[1])
    names = [c.get("name") for c in root.iter("testcase")]
    assert names == ["SVC1104 x (specs/ledger.yaml:1:1)", "SVC1104 x (specs/ledger.yaml:1:1) #2"]
    assert "\ufffd" in root.find("testsuite/testcase/failure").get("message")


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown report format 'yaml'"):
        report("yaml")
