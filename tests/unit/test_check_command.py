"""`svcgen check`: every rule over the whole fleet, the platform's rules and waivers, as a user
runs it (generator.cli.main), on small fleets written to a temporary directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2026-11-30"

PLATFORM = """\
org: acme
runtimes: {allowed: [python3.12], deprecated: [python3.11], sunset: {python3.11: 2026-10-31}}
rules:
  concurrency: {fleet_budget: 400}
"""
ACCOUNTS = """\
service: accounts
owner: team-accounts
description: Opens accounts.
publishes: [AccountOpened]
events: {AccountOpened: {fields: {account_id: {type: string}}}}
functions:
  open-account: {reserved_concurrency: 250}
"""
LEDGER = """\
service: ledger
owner: team-ledger
description: Keeps the books.
alerts: {email: [ledger@example.com]}
functions:
  post-entry:
    reserved_concurrency: 250
    subscribe: [{event: AccountOpened, from: accounts}]
"""


def fleet(tmp_path: Path, platform: str = PLATFORM, **specs: str) -> Path:
    root = tmp_path / "specs"
    root.mkdir()
    (root / "platform.yaml").write_text(platform)
    for name, text in (specs or {"accounts": ACCOUNTS, "ledger": LEDGER}).items():
        (root / f"{name}.yaml").write_text(text)
    return root


def check(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", "--today", TODAY, *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_demo_fleet_passes(capsys):
    code, out, _ = check(capsys, ROOT / "specs")
    assert code == 0, out
    assert "5 services checked: 0 errors" in out


def test_the_fleet_budget_fails_check_where_validating_each_service_alone_passes(tmp_path, capsys):
    root = fleet(tmp_path)
    assert main(["validate", str(root / "accounts.yaml")]) == 0
    assert main(["validate", str(root / "ledger.yaml"), str(root / "accounts.yaml")]) == 0
    capsys.readouterr()
    code, out, _ = check(capsys, root)
    assert code == 1
    assert "SVC4006" in out and "must be ≤ 400, got 500" in out
    assert "service accounts" in out.lower() and "service ledger" in out.lower()


def test_a_waiver_accepts_a_platform_finding_and_the_check_passes(tmp_path, capsys):
    root = fleet(tmp_path)
    (root / "waivers.yaml").write_text(
        "waivers:\n"
        "  - {rule: SVC4006, service: accounts, reason: launch traffic, approver: jane, expires: 2027-01-31}\n"
        "  - {rule: SVC4006, service: ledger, reason: launch traffic, approver: jane, expires: 2027-01-31}\n")
    code, out, _ = check(capsys, root)
    assert code == 0, out
    assert "2 waived" in out and "launch traffic" in out


def test_an_expired_waiver_waives_nothing_and_fails(tmp_path, capsys):
    root = fleet(tmp_path)
    (root / "waivers.yaml").write_text(
        "waivers:\n"
        "  - {rule: SVC4006, service: accounts, reason: r, approver: jane, expires: 2026-11-01}\n")
    code, out, _ = check(capsys, root)
    assert code == 1
    assert "SVC4901" in out and "expired on 2026-11-01" in out


def test_a_waiver_cannot_accept_what_aws_needs(tmp_path, capsys):
    root = fleet(tmp_path, platform="org: acme\n")
    (root / "waivers.yaml").write_text(
        "waivers:\n  - {rule: SVC1104, service: ledger, reason: r, approver: jane, expires: 2027-01-01}\n")
    code, out, _ = check(capsys, root)
    assert code == 1
    assert "waivers.yaml:2:6: error: SVC0000 waivers[0].rule: must be a rule that can be waived, got 'SVC1104'" in out


def test_a_service_spec_cannot_waive_anything(tmp_path, capsys):
    root = fleet(tmp_path, ledger=LEDGER + "waivers: [{rule: SVC4006}]\n", accounts=ACCOUNTS)
    code, out, _ = check(capsys, root)
    assert code == 1
    assert "ledger.yaml:9:1: error: SVC0000 waivers: unknown key 'waivers'" in out


def test_a_sunset_runtime_fails_after_its_day_and_warns_before(tmp_path, capsys):
    root = fleet(tmp_path, platform="org: acme\n" + PLATFORM.splitlines()[1] + "\n",
                 accounts=ACCOUNTS.replace("publishes:", "runtime: python3.11\npublishes:"), ledger=LEDGER)
    code, out, _ = check(capsys, root)
    assert code == 1 and "SVC4002" in out
    code = main(["check", "--today", "2026-10-01", str(root)])
    out = capsys.readouterr().out
    assert code == 0 and "SVC1902" in out and "SVC4002" not in out


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit"])
def test_every_format_reports_the_same_findings(tmp_path, capsys, fmt):
    root = fleet(tmp_path)
    code, out, _ = check(capsys, root, "--format", fmt)
    assert code == 1
    assert out.count("SVC4006") >= 2
    if fmt != "junit":
        json.loads(out)


def test_out_writes_the_report_and_says_so(tmp_path, capsys):
    root = fleet(tmp_path)
    code, out, err = check(capsys, root, "--format", "sarif", "--out", tmp_path / "check.sarif")
    assert code == 1
    assert json.loads((tmp_path / "check.sarif").read_text())["version"] == "2.1.0"
    assert "2 services checked: 2 errors" in out  # the log gets the text report
    assert f"wrote {tmp_path / 'check.sarif'} (sarif)" in err


def test_spec_errors_are_findings_too(tmp_path, capsys):
    root = fleet(tmp_path, accounts=ACCOUNTS.replace("owner: team-accounts\n", "owner: team-accounts\ntimout: 3\n"),
                 ledger=LEDGER)
    code, out, _ = check(capsys, root)
    assert code == 1
    assert "accounts.yaml:3:1: error: SVC0000 timout: unknown key" in out


def test_baseline_from_git_finds_a_contract_changed_without_a_new_version(tmp_path, capsys):
    root = fleet(tmp_path, platform="org: acme\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(tmp_path)]
    subprocess.run([*git[:5], "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "released"], check=True)
    accounts = root / "accounts.yaml"
    accounts.write_text(ACCOUNTS.replace("{type: string}", "{type: integer}"))
    # a service the base commit does not have yet: nothing of it was released, nothing to compare
    (root / "audit.yaml").write_text("service: audit\nowner: t\ndescription: d\nalerts: {email: [a@example.com]}\n"
                                     "functions:\n  record:\n    subscribe: [{event: AccountOpened, from: accounts}]\n")
    code, out, _ = check(capsys, root, "--baseline", "git:HEAD")
    assert code == 1
    assert "SVC4010" in out and "retyped from string to integer" in out
    code, out, _ = check(capsys, root)
    assert code == 0, out  # no baseline: nothing to compare with


def test_baseline_from_a_directory_of_released_specs(tmp_path, capsys):
    released = tmp_path / "released"
    released.mkdir()
    (released / "accounts.yaml").write_text(ACCOUNTS)
    root = fleet(tmp_path, platform="org: acme\n", ledger=LEDGER,
                 accounts=ACCOUNTS.replace("{account_id: {type: string}}", "{id: {type: string}}"))
    code, out, _ = check(capsys, root, "--baseline", released)
    assert code == 1 and "field 'account_id' removed" in out


def test_unknown_baseline_is_a_usage_error(tmp_path, capsys):
    root = fleet(tmp_path)
    code, _, err = check(capsys, root, "--baseline", tmp_path / "nowhere")
    assert code == 2 and "--baseline" in err


def write_manifest(item_path: Path, out: Path, platform: Path) -> Path:
    from generator.fleet.manifest import manifest_text
    from generator.fleet.model import describe_service
    from generator.stages import resolve_stage
    from generator.workspace import read_workspace

    ws = read_workspace([item_path], platform)
    item = ws.target_services[0]
    view = describe_service(item, ws.platform, resolve_stage("dev", ws.platform))
    path = out / f"{item.spec.service}.manifest.json"
    path.write_text(manifest_text(item, view, "0.1.0", "dev"))
    return path


def test_a_fleet_of_manifests_is_checked_like_its_specs(tmp_path, capsys):
    root = fleet(tmp_path)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    for name in ("accounts", "ledger"):
        write_manifest(root / f"{name}.yaml", manifests, root / "platform.yaml")
    platform_only = tmp_path / "platform-repo"
    platform_only.mkdir()
    shutil.copy(root / "platform.yaml", platform_only / "platform.yaml")
    shutil.rmtree(root)
    code, out, _ = check(capsys, platform_only, "--manifests", manifests)
    assert code == 1
    assert "2 services checked" in out and "SVC4006" in out
    # findings point at the spec in its own repository (here, outside any: its file name)
    assert "\n  ledger.yaml:7:5: error: SVC4006" in out


def test_a_publishers_manifest_is_context_for_a_subscriber_without_its_spec(tmp_path, capsys):
    root = fleet(tmp_path, platform="org: acme\n")
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    # The publisher's own spec subscribes to a service this repository has never heard of:
    # its build checked that; this one must not fail over it.
    publisher = root / "accounts.yaml"
    publisher.write_text(ACCOUNTS + "  watch:\n    subscribe: [{event: Elsewhere, from: faraway}]\n")
    faraway = root / "faraway.yaml"
    faraway.write_text("service: faraway\nowner: t\ndescription: d\npublishes: [Elsewhere]\n"
                       "events: {Elsewhere: {fields: {id: {type: string}}}}\nfunctions: {emit: {}}\n")
    write_manifest(publisher, manifests, root / "platform.yaml")
    publisher.unlink()
    faraway.unlink()
    assert main(["validate", str(root / "ledger.yaml")]) == 1  # without it, the publisher is unknown
    assert "SVC1707" in capsys.readouterr().err
    assert main(["validate", str(root / "ledger.yaml"), "--manifests", str(manifests)]) == 0, capsys.readouterr().err


def test_a_broken_manifest_is_an_error_at_the_manifest(tmp_path, capsys):
    root = fleet(tmp_path)
    bad = tmp_path / "x.manifest.json"
    bad.write_text('{"svcgen_manifest": 99}')
    assert main(["validate", str(root), "--manifests", str(bad)]) == 1
    assert f"{bad}:1:1: svcgen_manifest: must be manifest format 1, got 99" in capsys.readouterr().err


def test_build_writes_each_services_manifest_and_it_reads_back_as_its_spec(tmp_path, capsys):
    from generator.fleet.manifest import load_manifest
    from generator.spec.load import load_document

    out = tmp_path / "build"
    assert main(["build", str(ROOT / "specs"), "--out", str(out), "--no-lint", "--no-code"]) == 0
    assert "created   " + str(out / "dev" / "ledger" / "manifest.json") in capsys.readouterr().out
    manifest = out / "dev" / "ledger" / "manifest.json"
    doc, service = load_manifest(manifest)
    spec = load_document(ROOT / "specs" / "ledger.yaml")
    assert (service, doc.file) == ("ledger", "specs/ledger.yaml")  # its path in its repository
    assert doc.data == spec.data and doc.positions == spec.positions
    view = json.loads(manifest.read_text())["view"]
    settle = next(f for f in view["functions"] if f["name"] == "settle-balance")
    assert settle["queue"] == {"fifo": True, "max_receive_count": 5} and settle["trigger"] == "queue"
    first = manifest.read_bytes()
    assert main(["build", str(ROOT / "specs"), "--out", str(out), "--no-lint", "--no-code"]) == 0
    assert manifest.read_bytes() == first and "identical" in capsys.readouterr().out
