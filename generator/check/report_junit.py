"""`svcgen check --format junit`: JUnit XML in the shape Jenkins, GitLab, Azure DevOps and the
GitHub test-report actions read (`testsuites` > `testsuite` > `testcase` with `failure`,
`skipped` or `system-out`).

One test suite per service (findings about no service, e.g. platform.yaml's or the waivers
file's, get a suite per file), one test case per finding, named by its rule and location:
- an error is a `failure`: the test report fails exactly when `svcgen check` does;
- a waived finding is `skipped`, with the waiver (approver, expiry, reason) as its message;
- a warning is a passing test case whose `system-out` holds the warning, and whose name ends in
  "(warning)" so it stands out in the list of tests. Reported as a failure it would turn the CI's
  test report red (Jenkins marks the build unstable, GitHub's test-report actions fail their
  check) while `svcgen check` passes: warnings do not fail the check, so the report must not
  either. Jenkins and GitLab show a test case's output in its details;
- a service without findings gets one passing test case, so a clean fleet still shows its tests.
The counts on every suite and on the root (tests, failures, errors, skipped) are those of the
test cases under it; `errors` (a test that crashed) is always 0.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from generator.check.model import CheckFinding
from generator.check.report_rules import rule_id

# Characters XML 1.0 cannot hold at all (control characters other than tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PASSED = "every rule passes"


def junit(groups: list[tuple[str, str, list[CheckFinding]]], services: list[str]) -> str:
    """`groups`: (service, title, findings) as report.groups makes them; `services`: every service
    checked (those without findings get a passing suite)."""
    with_findings = {service for service, _, _ in groups if service}
    suites = [(s, s, []) for s in services if s not in with_findings] + list(groups)
    # services (with findings or not) by name, then the suites of files that are no service's
    suites.sort(key=lambda g: (g[0] == "", g[1] if g[0] == "" else g[0]))
    root = ET.Element("testsuites", name="svcgen check")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for service, title, findings in suites:
        suite = _suite(service or title, findings)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(name: str, findings: list[CheckFinding]) -> ET.Element:
    suite = ET.Element("testsuite", name=_clean(name))
    classname = "svcgen." + _clean(name).replace(".", "_")  # a '.' would split it into packages
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seen: dict[str, int] = {}
    for finding in findings:
        case = _case(finding, classname, seen)
        suite.append(case)
        counts["tests"] += 1
        counts["failures"] += case.find("failure") is not None
        counts["skipped"] += case.find("skipped") is not None
    if not findings:
        ET.SubElement(suite, "testcase", classname=classname, name=PASSED, time="0")
        counts["tests"] = 1
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", "0")
    return suite


def _case(finding: CheckFinding, classname: str, seen: dict[str, int]) -> ET.Element:
    e = finding.error
    rule = rule_id(e.rule)
    name = f"{rule} {e.path or '(the file)'} ({e.file}:{e.line}:{e.col})"
    if e.severity != "error":
        name += " (warning)"
    seen[name] = seen.get(name, 0) + 1
    if seen[name] > 1:  # two findings of one rule at one place: test names stay unique
        name += f" #{seen[name]}"
    case = ET.Element("testcase", classname=classname, name=_clean(name), file=_clean(e.file),
                      line=str(e.line), time="0")
    message = e.message + (f" ({e.hint})" if e.hint else "")
    detail = (f"{e.file}:{e.line}:{e.col}: {e.severity}: {rule} {e.path + ': ' if e.path else ''}{message}\n"
              f"`svcgen rules {rule}` explains the rule.")
    if finding.waiver is not None:
        ET.SubElement(case, "skipped", message=_clean(finding.waiver.describe())).text = _clean(detail)
    elif e.severity == "error":
        ET.SubElement(case, "failure", type="error", message=_clean(message)).text = _clean(detail)
    else:
        ET.SubElement(case, "system-out").text = _clean(detail)
    return case


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
