"""The platform team's waivers file: which findings of `svcgen check` are accepted, by whom, why
and until when.

The file (`waivers.yaml` beside platform.yaml unless named explicitly) is the only place a finding
can be waived: a service's spec cannot waive anything (specs are strict models, so a `waivers:`
key in one is an unknown-key error). Each entry names a rule, a service and optionally a key path,
and must say why, who approved it and when it expires:

    waivers:
      - rule: SVC4003
        service: ledger
        path: functions.post.timeout   # optional: only findings at this key or below it
        reason: "..."
        approver: jane.doe
        expires: 2027-03-31            # the last day the waiver is in force

The file is loaded like a spec (spec.load: positions for every key) and validated with a strict
model (spec.validate), so each mistake in it is an error at its file:line:col. Applying the
waivers yields findings about the file itself: an expired waiver (SVC4901, an error: it waives
nothing any more) and a waiver that matches no finding (SVC4902, a warning: it is stale).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from generator.check.model import CheckFinding
from generator.errors import SpecError, SpecErrors, did_you_mean
from generator.rules.base import Rule
from generator.rules.registry import all_rules
from generator.spec.base import SERVICE_NAME, Strict
from generator.spec.load import Document, load_document, shown
from generator.spec.platform import problem
from generator.spec.validate import validate_document
from generator.workspace import WAIVERS_FILE

CHECKS_DOC = "docs/checks.md"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class WaiversRule(Rule):
    """A check of the waivers file (run by apply_waivers; `check` is not used)."""

    kind = "waivers"
    waivable = False  # a waiver waiving the waivers' expiry would make expiry meaningless
    prefix = "SVC49"
    concern = "waivers"
    source = CHECKS_DOC


class ExpiredWaiver(WaiversRule):
    id = "SVC4901"
    summary = "a waiver is in force only until its `expires` date"
    rationale = ("A waiver accepts a known problem for a limited time, on the word of its approver. Past its "
                 "expiry the acceptance is no longer backed by anyone, so the waiver waives nothing and the "
                 "finding fails the check again: renew the waiver (a new date and approval) or fix the finding.")


class StaleWaiver(WaiversRule):
    id = "SVC4902"
    summary = "every waiver matches a finding"
    severity = "warning"
    rationale = ("A waiver that matches no finding is left over from a finding that was fixed, or names the "
                 "wrong rule, service or path, so it does not waive what it was written for. Left in place, it "
                 "would silently accept the problem should it come back.")


def _not_blank(value: str) -> str:
    if not value.strip():
        raise problem("must not be blank, got only spaces")
    return value


NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class WaiverSpec(Strict):
    """One entry of the waivers file."""

    rule: str = Field(description="The ID of the rule whose findings are waived (`svcgen rules` lists them).")
    service: Annotated[str, StringConstraints(pattern=SERVICE_NAME)] = Field(
        description="The service whose findings are waived.")
    path: NonEmpty | None = Field(None, description="Only findings at this key path (dotted, like "
                                  "functions.post.timeout) or below it; without it, every finding of the rule.")
    reason: NonEmpty = Field(description="Why the finding is accepted.")
    approver: NonEmpty = Field(description="Who accepted it.")
    expires: datetime.date = Field(description="The last day the waiver is in force (YYYY-MM-DD).")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        rules = {r.id: r for r in all_rules()}
        if value not in rules:
            close = did_you_mean(value.strip().upper(), rules).strip().strip("()")
            raise problem(f"must be the ID of a rule svcgen has, got {shown(repr(value))}",
                          close or "`svcgen rules` lists every rule")
        if not rules[value].waivable:
            raise problem(f"must be a rule that can be waived, got {value!r}",
                          "only the platform's own policy rules can be waived; what AWS or svcgen needs "
                          "cannot be waived into working: fix the finding instead")
        return value

    @field_validator("reason", "approver", "path")
    @classmethod
    def _said(cls, value: str | None) -> str | None:
        return value if value is None else _not_blank(value)

    @field_validator("expires", mode="before")
    @classmethod
    def _a_date(cls, value: Any) -> Any:
        # YAML 1.2 has no date type: the loader gives the text, read here as an ISO date only
        # (pydantic's lax dates would also take a number of seconds since 1970).
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and DATE.fullmatch(value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise problem(f"must be a date that exists, got {shown(repr(value))}",
                              "write it as YYYY-MM-DD, for example 2027-03-31") from None
        given = ("nothing" if value is None else "a mapping" if isinstance(value, dict)
                 else "a list" if isinstance(value, list) else shown(repr(value)))
        raise problem(f"must be a date written YYYY-MM-DD, got {given}", "for example `expires: 2027-03-31`")


class WaiversFile(Strict):
    waivers: list[WaiverSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Waiver:
    """A valid entry of the waivers file, with where it is written."""

    rule: str
    service: str
    path: str  # "" for every finding of the rule in the service
    reason: str
    approver: str
    expires: datetime.date
    file: str
    line: int
    col: int
    index: int  # its position in the file's `waivers` list
    doc: Document | None = field(default=None, compare=False, repr=False)

    def covers(self, finding: CheckFinding) -> bool:
        """Same rule, same service, and the finding's key path is the waiver's or below it."""
        error = finding.error
        if error.rule != self.rule or finding.service != self.service:
            return False
        return not self.path or is_under(error.path, self.path)

    def expired(self, today: datetime.date) -> bool:
        return today > self.expires

    def describe(self) -> str:
        """`waived by jane.doe until 2027-03-31: the reason`."""
        return f"waived by {self.approver} until {self.expires.isoformat()}: {self.reason}"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "service": self.service, "path": self.path, "reason": self.reason,
                "approver": self.approver, "expires": self.expires.isoformat(), "file": self.file,
                "line": self.line, "col": self.col}


def is_under(path: str, prefix: str) -> bool:
    """`functions.post.timeout` is under `functions.post` and under itself, not under `functions.po`
    (key by key, list indexes included: `x.subscribe[0]` is under `x.subscribe`)."""
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")


def default_path(platform_path: Path) -> Path:
    """Where the waivers file is unless named: beside platform.yaml."""
    return platform_path.parent / WAIVERS_FILE


def load_waivers(path: Path, *, explicit: bool = False,
                 display: str | None = None) -> tuple[list[Waiver], list[SpecError]]:
    """The valid waivers of the file and the errors of the others (file:line:col, key path).

    A missing file means no waivers, unless it was named explicitly (`explicit`): then it is an
    error. A file holding only comments has no waivers. An invalid entry waives nothing; the
    valid ones still apply."""
    file = display if display is not None else str(path)
    if not path.exists():
        if not explicit:
            return [], []
        hint = "check the path given, or leave it out to use waivers.yaml beside platform.yaml"
        return [], [SpecError(file, 1, 1, "", "the waivers file does not exist", hint)]
    try:
        doc = load_document(path, file)
    except SpecErrors as exc:
        return ([], []) if _only_comments(path) else ([], list(exc.errors))
    errors: list[SpecError] = []
    try:
        validate_document(doc, WaiversFile)
    except SpecErrors as exc:
        errors = list(exc.errors)
    entries = doc.data.get("waivers")
    waivers = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        try:
            spec = WaiverSpec.model_validate(entry)
        except Exception:  # noqa: BLE001 — its errors are in `errors`, at their keys
            continue
        line, col = doc.locate(("waivers", index))
        waivers.append(Waiver(spec.rule, spec.service, spec.path or "", spec.reason, spec.approver, spec.expires,
                              doc.file, line, col, index, doc))
    return waivers, errors


def _only_comments(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


def apply_waivers(findings: list[CheckFinding], waivers: list[Waiver], today: datetime.date | None = None,
                  waivers_doc: Document | None = None, *,
                  services: Collection[str] | None = None) -> tuple[list[CheckFinding], list[CheckFinding]]:
    """`findings` with `waiver` set where an unexpired waiver covers them (the first in the file
    that does), and the findings about the waivers themselves: each expired waiver (SVC4901, an
    error; it waives nothing) and each waiver that matched no finding (SVC4902, a warning).

    `today` defaults to the current date in UTC; a waiver is in force through its `expires` day.
    `services`: the services that were checked. Waivers of other services are neither stale nor
    expired for this run (checking one service must not fail over another's waiver); None judges
    every waiver. `waivers_doc` locates the findings about the waivers; without it, each waiver's
    own document is used."""
    today = today or utc_today()
    live = [w for w in waivers if not w.expired(today)]
    used: set[int] = set()  # every waiver that covers a finding, the one applied or not
    out = []
    for finding in findings:
        covering = [w for w in live if w.covers(finding)]
        used.update(w.index for w in covering)
        if covering and finding.waiver is None:
            finding = dataclasses.replace(finding, waiver=covering[0])
        out.append(finding)
    about: list[CheckFinding] = []
    for waiver in waivers:
        if services is not None and waiver.service not in services:
            continue
        what = f"the waiver of {waiver.rule} for {waiver.service}" + (f" at {waiver.path}" if waiver.path else "")
        if waiver.expired(today):
            days = (today - waiver.expires).days
            message = (f"{what} expired on {waiver.expires.isoformat()} ({days} day{'s' if days != 1 else ''} ago), "
                       f"so it waives nothing")
            hint = "renew it with a new `expires` date and approval, or fix the finding and delete the waiver"
            about.append(_about(ExpiredWaiver(), waiver, waivers_doc, ("expires",), message, hint))
        elif waiver.index not in used:
            message = f"{what} matches no finding"
            hint = ("delete it if the finding was fixed; otherwise correct its rule, service or path: "
                    "a path waives that key and the keys below it")
            about.append(_about(StaleWaiver(), waiver, waivers_doc, (), message, hint))
    return out, about


def _about(rule: Rule, waiver: Waiver, doc: Document | None, key: tuple, message: str, hint: str) -> CheckFinding:
    doc = doc or waiver.doc
    if doc is not None:
        error = rule.error(doc, ("waivers", waiver.index, *key), message, hint)
    else:
        error = SpecError(waiver.file, waiver.line, waiver.col, f"waivers[{waiver.index}]" + "".join(
            f".{k}" for k in key), message, hint, rule.severity, rule.id)
    return CheckFinding("", error)
