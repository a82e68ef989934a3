"""What `svcgen check` prints: its findings as text (people), JSON (scripts), SARIF (GitHub code
scanning and other static-analysis viewers) or JUnit XML (CI test reports).

Every format shows every finding, waived ones included (marked with their waiver), sorted by
file, line, column and rule. Findings without a rule ID (errors of the YAML or of a file's
schema) are reported as rule SVC0000 (report_rules.py) wherever a format needs an ID.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.check.model import CheckFinding
from generator.check.report_rules import rule_id

FORMATS = ("text", "json", "sarif", "junit")
JSON_FORMAT_VERSION = 1  # bumped when a field of the JSON output changes meaning or goes away


def render(findings: list[CheckFinding], fmt: str, *, tool_version: str, root: Path,
           services: Iterable[str] = (), information_uri: str | None = None) -> str:
    """The report of `findings` in `fmt` (one of FORMATS).

    `root`: the directory SARIF's file URIs are relative to (the repository's root, where code
    scanning looks for the files). `services`: every service that was checked, those without a
    finding included: the summary counts them and JUnit shows a passing test for each.
    `information_uri`: svcgen's home page for SARIF's tool description, when it has one."""
    ordered = sort_findings(findings)
    checked = sorted(set(services) | {f.service for f in findings if f.service})
    if fmt == "text":
        return text(ordered, checked)
    if fmt == "json":
        return as_json(ordered, checked, tool_version)
    if fmt == "sarif":
        from generator.check.report_sarif import sarif

        return sarif(ordered, tool_version=tool_version, root=root, information_uri=information_uri)
    if fmt == "junit":
        from generator.check.report_junit import junit

        return junit(groups(ordered), checked)
    raise ValueError(f"unknown report format {fmt!r}; known: {', '.join(FORMATS)}")


def sort_key(finding: CheckFinding) -> tuple:
    e = finding.error
    return (e.file, e.line, e.col, rule_id(e.rule), e.path, e.message, finding.service)


def sort_findings(findings: Iterable[CheckFinding]) -> list[CheckFinding]:
    return sorted(findings, key=sort_key)


@dataclass(frozen=True)
class Summary:
    errors: int  # errors nobody waived: they fail the check
    warnings: int  # warnings nobody waived
    waived: int  # findings (errors or warnings) a waiver accepts
    services: int  # services checked

    @property
    def failed(self) -> bool:
        return self.errors > 0

    def sentence(self) -> str:
        """`3 services checked: 2 errors, 1 warning, 1 waived finding; the check fails (...)`."""
        parts = [_count(self.errors, "error"), _count(self.warnings, "warning"),
                 _count(self.waived, "waived finding")]
        verdict = "the check fails" if self.failed else "the check passes"
        return (f"{_count(self.services, 'service')} checked: {', '.join(parts)}; {verdict} "
                f"(only errors fail it; warnings and waived findings do not)")


def summarize(findings: list[CheckFinding], services: list[str]) -> Summary:
    open_ = [f for f in findings if f.waiver is None]
    return Summary(errors=sum(f.error.severity == "error" for f in open_),
                   warnings=sum(f.error.severity != "error" for f in open_),
                   waived=len(findings) - len(open_), services=len(services))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# --- text ----------------------------------------------------------------------------------------

def groups(findings: list[CheckFinding]) -> list[tuple[str, str, list[CheckFinding]]]:
    """(service, title, findings) per service, sorted by name, then the findings about no service
    (platform.yaml, the waivers file) per file. Each group keeps the findings' order."""
    by_service: dict[str, list[CheckFinding]] = {}
    by_file: dict[str, list[CheckFinding]] = {}
    for finding in findings:
        if finding.service:
            by_service.setdefault(finding.service, []).append(finding)
        else:
            by_file.setdefault(finding.error.file, []).append(finding)
    out = [(name, f"service {name}", by_service[name]) for name in sorted(by_service)]
    out += [("", file, by_file[file]) for file in sorted(by_file)]
    return out


def line(finding: CheckFinding) -> str:
    """`file:line:col: severity: RULE-ID key.path: message (hint)`; a waived finding says
    `waived` (its own severity in brackets) and its waiver on the next line."""
    e = finding.error
    where = f"{e.file}:{e.line}:{e.col}"
    key = f" {e.path}:" if e.path else ""
    hint = f" ({e.hint})" if e.hint else ""
    if finding.waiver is None:
        return f"{where}: {e.severity}: {rule_id(e.rule)}{key} {e.message}{hint}"
    waiver = finding.waiver
    return (f"{where}: waived: {rule_id(e.rule)}{key} {e.message}{hint} [{e.severity}]\n"
            f"    {waiver.describe()}")


def text(findings: list[CheckFinding], services: list[str]) -> str:
    out = []
    for _, title, group in groups(findings):
        out.append(f"{title}:")
        out += ["  " + line(f).replace("\n", "\n  ") for f in group]
        out.append("")
    out.append(summarize(findings, services).sentence())
    return "\n".join(out) + "\n"


# --- JSON ----------------------------------------------------------------------------------------

def finding_dict(finding: CheckFinding) -> dict:
    e = finding.error
    return {"service": finding.service, "file": e.file, "line": e.line, "col": e.col, "path": e.path,
            "rule": rule_id(e.rule), "severity": e.severity, "message": e.message, "hint": e.hint,
            "blocking": finding.blocking,
            "waiver": finding.waiver.as_dict() if finding.waiver is not None else None}


def as_json(findings: list[CheckFinding], services: list[str], tool_version: str) -> str:
    summary = summarize(findings, services)
    data = {"format_version": JSON_FORMAT_VERSION, "tool": {"name": "svcgen", "version": tool_version},
            "findings": [finding_dict(f) for f in findings],
            "summary": {"errors": summary.errors, "warnings": summary.warnings, "waived": summary.waived,
                        "services": summary.services, "services_checked": services, "failed": summary.failed}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
