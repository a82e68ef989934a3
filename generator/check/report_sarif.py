"""`svcgen check --format sarif`: SARIF 2.1.0 as GitHub code scanning takes it
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).

One run; the driver describes every rule that has a result (its summary, rationale, source, level
and tags); each result points at its file (relative to the repository root, `%SRCROOT%`), line and
column, and carries a fingerprint that stays the same while the finding does (its rule, file and
key path: not its line, which moves whenever lines are added above it), so code scanning tracks
one alert across commits. A waived finding is a result with an accepted external suppression
whose justification is the waiver's reason, approver and expiry: code scanning shows it as
dismissed, not as an open alert.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from generator.check.model import CheckFinding
from generator.check.report_rules import rule_id
from generator.rules.base import Rule
from generator.rules.registry import rule as rule_by_id

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "svcgenFinding/v1"


def sarif(findings: list[CheckFinding], *, tool_version: str, root: Path,
          information_uri: str | None = None) -> str:
    """The SARIF log of `findings` (already in report order)."""
    ids = sorted({rule_id(f.error.rule) for f in findings})
    index = {rule: i for i, rule in enumerate(ids)}
    driver: dict = {"name": "svcgen", "version": tool_version}
    uri = information_uri or _home_page()
    if uri:
        driver["informationUri"] = uri
    driver["rules"] = [descriptor(rule) for rule in ids]
    run = {"tool": {"driver": driver},
           "columnKind": "unicodeCodePoints",  # spec.load counts columns in characters
           "results": [result(f, index, root) for f in findings]}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def descriptor(rule_id_: str) -> dict:
    """SARIF's reportingDescriptor of a rule: what `svcgen rules ID` says about it."""
    rule: Rule | None = rule_by_id(rule_id_)
    if rule is None:  # a finding of a rule the registry does not know: still a valid descriptor
        return {"id": rule_id_, "shortDescription": {"text": rule_id_}}
    out = {"id": rule.id, "name": type(rule).__name__,
           "shortDescription": {"text": rule.summary}, "fullDescription": {"text": rule.rationale}}
    if rule.source.startswith(("https://", "http://")):
        out["helpUri"] = rule.source
    out["help"] = {"text": f"{rule.summary}.\n\n{rule.rationale}\n\nSource: {rule.source}\n"
                           f"Explained by `svcgen rules {rule.id}`."}
    out["defaultConfiguration"] = {"level": _level(rule.severity)}
    out["properties"] = {"tags": list(dict.fromkeys((rule.concern, rule.kind)))}  # no tag twice
    return out


def result(finding: CheckFinding, index: dict[str, int], root: Path) -> dict:
    e = finding.error
    rule = rule_id(e.rule)
    text = f"{e.path}: {e.message}" if e.path else e.message
    if e.hint:
        text += f" ({e.hint})"
    uri = artifact_uri(e.file, root)
    location = {"physicalLocation": {
        "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
        "region": {"startLine": max(e.line, 1), "startColumn": max(e.col, 1)}}}
    out = {"ruleId": rule, "ruleIndex": index[rule], "level": _level(e.severity), "message": {"text": text},
           "locations": [location], "partialFingerprints": {FINGERPRINT: fingerprint(rule, uri, e.path)}}
    if finding.service:
        out["properties"] = {"service": finding.service}
    if finding.waiver is not None:
        w = finding.waiver
        out["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f"{w.reason} (approved by {w.approver}, "
                                                 f"expires {w.expires.isoformat()})"}]
    return out


def artifact_uri(file: str, root: Path) -> str:
    """`file` relative to `root`, with forward slashes, as a URI reference (spaces and the like
    escaped). A file outside `root` keeps a relative path that climbs out of it."""
    absolute = os.path.abspath(file)
    base = os.path.abspath(root)
    relative = os.path.relpath(absolute, base)
    if relative.startswith(".."):  # e.g. root given through a symbolic link: compare real paths
        relative = os.path.relpath(os.path.realpath(absolute), os.path.realpath(base))
    return quote(Path(relative).as_posix(), safe="/")


def fingerprint(rule: str, uri: str, path: str) -> str:
    return hashlib.sha256("\0".join((rule, uri, path)).encode("utf-8")).hexdigest()[:32]


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def _home_page() -> str | None:
    """svcgen's home page from its package metadata, if the project declares one."""
    try:
        meta = metadata.metadata("svcgen")
    except metadata.PackageNotFoundError:
        return None
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() in ("homepage", "home", "documentation", "source") and url.strip():
            return url.strip()
    home = meta.get("Home-page")
    return home if home and home.startswith(("https://", "http://")) else None
