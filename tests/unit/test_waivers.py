"""The platform team's waivers file (generator/check/waivers.py): what it may say, what each
mistake in it is reported as (file:line:col, key path), and which findings a waiver accepts."""

from __future__ import annotations

import datetime
import shutil
import textwrap
from pathlib import Path

import pytest

from generator.check.model import CheckFinding
from generator.check.waivers import (ExpiredWaiver, StaleWaiver, apply_waivers, default_path, is_under,
                                     load_waivers, utc_today)
from generator.cli import main
from generator.errors import SpecError
from generator.rules.registry import all_rules, rule
from generator.workspace import read_workspace
from tests.conftest import ROOT

TODAY = datetime.date(2027, 1, 15)
ENTRY = """\
waivers:
  - rule: SVC1104
    service: ledger
    path: functions.post
    reason: "the partner's queue needs the longer timeout"
    approver: jane.doe
    expires: 2027-03-31
"""


@pytest.fixture(autouse=True)
def waivable_rule(monkeypatch):
    """The entries here waive SVC1104 (any rule would do): made waivable, as a platform rule is."""
    monkeypatch.setattr(type(rule("SVC1104")), "waivable", True)


def write(tmp_path: Path, text: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str):
    return load_waivers(write(tmp_path, text))


def finding(path: str = "functions.post.timeout", rule_id: str = "SVC1104", service: str = "ledger",
            severity: str = "error") -> CheckFinding:
    return CheckFinding(service, SpecError("specs/ledger.yaml", 12, 5, path, "a message", "", severity, rule_id))


def rendered(errors: list[SpecError]) -> list[str]:
    return [e.render() for e in sorted(errors)]


# --- loading -------------------------------------------------------------------------------------

def test_a_valid_entry_loads_with_where_it_is_written(tmp_path):
    waivers, errors = load(tmp_path, ENTRY)
    assert errors == []
    (w,) = waivers
    assert (w.rule, w.service, w.path, w.approver, w.expires) == (
        "SVC1104", "ledger", "functions.post", "jane.doe", datetime.date(2027, 3, 31))
    assert (w.file, w.line, w.col, w.index) == (str(tmp_path / "waivers.yaml"), 2, 5, 0)
    assert w.describe() == "waived by jane.doe until 2027-03-31: the partner's queue needs the longer timeout"


@pytest.mark.parametrize("key, line", [("reason", 5), ("approver", 6), ("expires", 7)])
def test_reason_approver_and_expiry_are_required(tmp_path, key, line):
    text = "\n".join(row for row in ENTRY.splitlines() if not row.strip().startswith(f"{key}:")) + "\n"
    waivers, errors = load(tmp_path, text)
    assert waivers == []  # an invalid entry waives nothing
    file = tmp_path / "waivers.yaml"
    assert rendered(errors) == [f"{file}:2:5: waivers[0].{key}: is required, got no `{key}` key (add `{key}:`)"]


@pytest.mark.parametrize("key", ["reason", "approver"])
def test_reason_and_approver_must_say_something(tmp_path, key):
    _, errors = load(tmp_path, ENTRY.replace(f"    {key}: ", f"    {key}: '   ' #"))
    (error,) = errors
    assert error.path == f"waivers[0].{key}" and "must not be blank" in error.message
    assert error.line == (5 if key == "reason" else 6) and error.col == 5


def test_an_unknown_rule_is_an_error_with_the_closest_id(tmp_path):
    _, errors = load(tmp_path, ENTRY.replace("SVC1104", "SVC1140"))
    (error,) = errors
    assert (error.line, error.col, error.path) == (2, 5, "waivers[0].rule")
    assert error.message == "must be the ID of a rule svcgen has, got 'SVC1140'"
    assert error.hint.startswith("did you mean 'SVC") and error.rule == ""
    _, errors = load(tmp_path, ENTRY.replace("SVC1104", "svc1104"))
    assert errors[0].hint == "did you mean 'SVC1104'?"


def test_a_rule_that_is_not_waivable_cannot_be_waived(tmp_path, monkeypatch):
    for rule_id in ("SVC4901", "SVC0000"):
        _, errors = load(tmp_path, ENTRY.replace("SVC1104", rule_id))
        assert [(e.path, e.message) for e in errors] == [
            ("waivers[0].rule", f"must be a rule that can be waived, got '{rule_id}'")]
    monkeypatch.setattr(type(rule("SVC1104")), "waivable", False)  # as every rule of AWS's or svcgen's is
    waivers, errors = load(tmp_path, ENTRY)
    assert waivers == [] and errors[0].hint.startswith("only the platform's own policy rules can be waived")
    waivers, errors = load(tmp_path, ENTRY.replace("SVC1104", "SVC4004"))  # a platform rule (limits)
    assert [w.rule for w in waivers] == ["SVC4004"] and errors == []


def test_unknown_keys_bad_dates_and_bad_service_names_are_errors_at_their_keys(tmp_path):
    text = ENTRY.replace("expires: 2027-03-31", "expires: 2027-02-30\n    until: 2027-03-31") \
        .replace("service: ledger", "service: Ledger")
    text += "owner: platform\n"
    waivers, errors = load(tmp_path, text)
    file = tmp_path / "waivers.yaml"
    assert waivers == []
    assert rendered(errors) == [
        f"{file}:3:5: waivers[0].service: service names must be kebab-case (lowercase letters, digits and '-', "
        f"starting with a letter), got 'Ledger' (for example `ledger`)",
        f"{file}:7:5: waivers[0].expires: must be a date that exists, got '2027-02-30' "
        f"(write it as YYYY-MM-DD, for example 2027-03-31)",
        f"{file}:8:5: waivers[0].until: unknown key 'until' (allowed keys: approver, expires, path, reason, rule, "
        f"service)",
        f"{file}:9:1: owner: unknown key 'owner' (allowed keys: waivers)",
    ]
    _, errors = load(tmp_path, ENTRY.replace("2027-03-31", "31/03/2027"))
    assert errors[0].message == "must be a date written YYYY-MM-DD, got '31/03/2027'"
    _, errors = load(tmp_path, ENTRY.replace("2027-03-31", "1800000000"))
    assert errors[0].message == "must be a date written YYYY-MM-DD, got 1800000000"


def test_one_bad_entry_does_not_drop_the_good_ones(tmp_path):
    bad = "  - rule: SVC1104\n    service: ledger\n"
    waivers, errors = load(tmp_path, ENTRY + bad)
    assert [w.index for w in waivers] == [0]
    assert sorted(e.path for e in errors) == ["waivers[1].approver", "waivers[1].expires", "waivers[1].reason"]


def test_invalid_yaml_is_an_error_of_the_file(tmp_path):
    waivers, errors = load(tmp_path, "waivers:\n  - rule: [SVC1104\n")
    assert waivers == [] and errors and errors[0].message.startswith("invalid YAML")


def test_a_missing_file_is_no_waivers_unless_it_was_named(tmp_path):
    missing = tmp_path / "waivers.yaml"
    assert load_waivers(missing) == ([], [])
    waivers, errors = load_waivers(missing, explicit=True)
    assert waivers == [] and rendered(errors) == [
        f"{missing}:1:1: the waivers file does not exist "
        f"(check the path given, or leave it out to use waivers.yaml beside platform.yaml)"]


def test_a_file_of_comments_or_an_empty_list_has_no_waivers(tmp_path):
    assert load(tmp_path, "# nothing waived yet\n\n") == ([], [])
    assert load(tmp_path, "waivers: []\n") == ([], [])


def test_the_default_file_is_beside_platform_yaml():
    assert default_path(Path("specs/platform.yaml")) == Path("specs/waivers.yaml")


# --- applying ------------------------------------------------------------------------------------

def test_a_waiver_with_a_path_waives_that_key_and_the_keys_below_it(tmp_path):
    waivers, _ = load(tmp_path, ENTRY)
    found = [finding("functions.post"), finding("functions.post.timeout"), finding("functions.post.subscribe[0]"),
             finding("functions.poster.timeout"), finding("functions"), finding("functions.post", "SVC1101"),
             finding("functions.post", service="payments")]
    out, about = apply_waivers(found, waivers, TODAY)
    assert [f.waiver is not None for f in out] == [True, True, True, False, False, False, False]
    assert out[0].waiver == waivers[0] and not out[0].blocking and out[3].blocking
    assert about == []


def test_a_waiver_without_a_path_waives_the_rule_for_the_whole_service(tmp_path):
    waivers, _ = load(tmp_path, ENTRY.replace("    path: functions.post\n", ""))
    out, about = apply_waivers([finding("functions.a.timeout"), finding(""), finding(severity="warning")],
                               waivers, TODAY)
    assert all(f.waiver == waivers[0] for f in out) and about == []


def test_is_under_compares_key_by_key():
    assert is_under("a.b", "a.b") and is_under("a.b.c", "a.b") and is_under("a.b[2]", "a.b")
    assert not is_under("a.bc", "a.b") and not is_under("a", "a.b")


def test_an_expired_waiver_is_an_error_and_waives_nothing(tmp_path):
    waivers, _ = load(tmp_path, ENTRY)
    on_the_day, about = apply_waivers([finding()], waivers, datetime.date(2027, 3, 31))
    assert on_the_day[0].waiver is not None and about == []  # in force through its expiry day
    out, about = apply_waivers([finding()], waivers, datetime.date(2027, 4, 2))
    assert out[0].waiver is None and out[0].blocking
    (expired,) = about
    file = tmp_path / "waivers.yaml"
    assert expired.service == "" and expired.blocking
    assert expired.error.render() == (
        f"{file}:7:5: waivers[0].expires: the waiver of SVC1104 for ledger at functions.post expired on 2027-03-31 "
        f"(2 days ago), so it waives nothing (renew it with a new `expires` date and approval, or fix the finding "
        f"and delete the waiver) [SVC4901]")


def test_a_waiver_that_matches_nothing_is_a_stale_warning(tmp_path):
    waivers, _ = load(tmp_path, ENTRY)
    out, about = apply_waivers([finding("functions.report.timeout")], waivers, TODAY)
    assert out[0].waiver is None
    (stale,) = about
    assert (stale.error.rule, stale.error.severity, stale.error.line, stale.error.col, stale.error.path) == (
        "SVC4902", "warning", 2, 5, "waivers[0]")
    assert stale.error.message == "the waiver of SVC1104 for ledger at functions.post matches no finding"
    assert not stale.blocking


def test_the_first_waiver_in_the_file_applies_and_an_overlapping_one_is_not_stale(tmp_path):
    broader = ENTRY.split("\n", 1)[1].replace("    path: functions.post\n", "").replace("jane.doe", "sam.roe")
    waivers, _ = load(tmp_path, ENTRY + broader)
    out, about = apply_waivers([finding()], waivers, TODAY)
    assert out[0].waiver == waivers[0] and about == []
    out, about = apply_waivers([finding("alerts")], waivers, TODAY)
    assert out[0].waiver == waivers[1] and [f.error.path for f in about] == ["waivers[0]"]


def test_only_the_services_checked_judge_their_waivers(tmp_path):
    waivers, _ = load(tmp_path, ENTRY)
    assert apply_waivers([], waivers, TODAY, services={"payments"}) == ([], [])
    assert apply_waivers([], waivers, datetime.date(2028, 1, 1), services=["payments"]) == ([], [])
    assert len(apply_waivers([], waivers, TODAY, services={"ledger"})[1]) == 1


def test_the_findings_about_waivers_are_located_without_the_document(tmp_path):
    import dataclasses

    waivers, _ = load(tmp_path, ENTRY)
    bare = [dataclasses.replace(waivers[0], doc=None)]
    _, about = apply_waivers([], bare, datetime.date(2027, 5, 1))
    assert (about[0].error.line, about[0].error.path, about[0].error.rule) == (2, "waivers[0].expires", "SVC4901")


def test_today_defaults_to_the_utc_date(tmp_path, monkeypatch):
    import generator.check.waivers as module

    assert utc_today() == datetime.datetime.now(datetime.timezone.utc).date()
    waivers, _ = load(tmp_path, ENTRY)
    monkeypatch.setattr(module, "utc_today", lambda: datetime.date(2030, 1, 1))
    assert [f.error.rule for f in apply_waivers([finding()], waivers)[1]] == ["SVC4901"]


# --- rules and specs -----------------------------------------------------------------------------

def test_the_waivers_rules_are_registered_and_explained(capsys):
    assert {r.id for r in all_rules()} >= {"SVC4901", "SVC4902", "SVC0000"}
    for rule_class in (ExpiredWaiver, StaleWaiver):
        registered = rule(rule_class.id)
        assert type(registered) is rule_class and registered.kind == "waivers"
        assert registered.summary and registered.rationale and (ROOT / registered.source).is_file()
    assert (rule("SVC4901").severity, rule("SVC4902").severity) == ("error", "warning")
    assert main(["rules", "SVC4902"]) == 0
    assert capsys.readouterr().out.startswith("SVC4902  waivers       every waiver matches a finding (warning)")


def test_a_service_spec_cannot_waive_anything(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(ROOT / "examples" / "minimal-function" / "platform.yaml", specs / "platform.yaml")
    spec = (ROOT / "examples" / "minimal-function" / "statements.yaml").read_text(encoding="utf-8")
    spec += "waivers:\n  - {rule: SVC1104, service: statements, reason: x, approver: me, expires: 2099-01-01}\n"
    (specs / "statements.yaml").write_text(spec, encoding="utf-8")
    ws = read_workspace([specs])
    line = spec.splitlines().index("waivers:") + 1
    assert [(e.file, e.line, e.col, e.path, e.message) for e in ws.errors] == [
        (str(specs / "statements.yaml"), line, 1, "waivers", "unknown key 'waivers'")]
    assert ws.services == [] and ws.broken == {"statements"}
