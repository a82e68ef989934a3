"""The one validation stage (pipeline.check): `svcgen validate` and `svcgen build` report the same
findings in one pass, template rules included, and a service whose spec is wrong does not keep the
others from being checked."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main

PUBLISHER = """\
service: accounts
owner: team
description: d
publishes: [AccountOpened]
events: {AccountOpened: {fields: {account_id: {type: string}}}}
functions: {open-account: {}}
"""
# `charge-dlq` is the logical ID of charge's DLQ (ChargeDlq): SVC1010 says so before rendering.
COLLIDING = """\
service: billing
owner: team
description: d
functions:
  charge:
    subscribe: [{event: AccountOpened, from: accounts}]
  charge-dlq: {}
"""
BROKEN = "service: ledger\nowner: team\ndescription: d\nfunctions:\n  post: {timeout: 901}\n"


def run(tmp_path: Path, capsys, *specs: tuple[str, str], command: str = "validate") -> tuple[int, list[str]]:
    (tmp_path / "platform.yaml").write_text("org: acme\n")
    for name, text in specs:
        (tmp_path / name).write_text(text)
    extra = ["--out", str(tmp_path / "out"), "--no-lint"] if command == "build" else []
    code = main([command, str(tmp_path), *extra])
    return code, capsys.readouterr().err.splitlines()


def test_a_collision_is_reported_before_rendering(tmp_path, capsys):
    code, err = run(tmp_path, capsys, ("accounts.yaml", PUBLISHER), ("billing.yaml", COLLIDING))
    assert code == 1 and any(line.endswith("[SVC1010]") for line in err), err


def test_the_template_rule_catches_what_spec_rules_miss(tmp_path, capsys, monkeypatch):
    """With SVC1010 silenced, the rendered template still has one ChargeDlq: SVC3001 reports the
    collision at the spec key of the function that caused it, in validate and build alike."""
    monkeypatch.setattr(_svc1010(), "check", lambda self, ctx: iter(()))
    for command in ("validate", "build"):
        code, err = run(tmp_path, capsys, ("accounts.yaml", PUBLISHER), ("billing.yaml", COLLIDING), command=command)
        assert code == 1, err
        tagged = [line for line in err if line.endswith("[SVC3001]")]
        assert tagged and tagged[0].startswith(f"{tmp_path}/billing.yaml:7:3: functions.charge-dlq: "), err
    assert not (tmp_path / "out").exists()


def test_a_broken_service_does_not_hide_the_template_findings_of_another(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_svc1010(), "check", lambda self, ctx: iter(()))
    code, err = run(tmp_path, capsys, ("accounts.yaml", PUBLISHER), ("billing.yaml", COLLIDING),
                    ("ledger.yaml", BROKEN))
    assert code == 1
    assert any("ledger.yaml:5:10: functions.post.timeout" in line for line in err), err
    assert any(line.endswith("[SVC3001]") for line in err), err  # billing was still rendered and checked


def _svc1010():
    from generator.rules.registry import rule

    return type(rule("SVC1010"))


def test_an_invalid_publisher_spec_does_not_cascade_into_missing_spec_errors(tmp_path, capsys):
    """accounts.yaml is there but invalid: its own error is reported, and nothing claims that the
    subscriber's publisher has no spec in the build."""
    subscriber = COLLIDING.replace("  charge-dlq: {}\n", "")
    code, err = run(tmp_path, capsys, ("accounts.yaml", PUBLISHER.replace("owner: team", "owner: Team!")),
                    ("billing.yaml", subscriber))
    assert code == 1
    assert [line for line in err if "accounts.yaml" in line and line.startswith(str(tmp_path / "accounts.yaml"))]
    assert not any("got no spec for accounts" in line for line in err), err


def test_a_reference_too_long_for_a_file_name_is_an_error_not_a_traceback(tmp_path, capsys):
    spec = f"service: ledger\nowner: team\ndescription: d\nfunctions:\n  post: {{starts: [{'a' * 300}.flow]}}\n"
    code, err = run(tmp_path, capsys, ("ledger.yaml", spec))
    assert code == 1, err
    assert any("functions.post.starts[0]: must name a workflow of a service in this build" in line for line in err)
    assert all(len(line) < 400 for line in err), err  # the 300-character name is cut when quoted


def test_a_rule_never_quotes_a_long_value_in_full(tmp_path, capsys):
    spec = f"service: ledger\nowner: team\ndescription: d\nruntime: python3.{'1' * 5000}\nfunctions:\n  post: {{}}\n"
    code, err = run(tmp_path, capsys, ("ledger.yaml", spec))
    (line,) = [line for line in err if line.endswith("[SVC1901]")]
    assert code == 1 and len(line) < 300 and "python3.111" in line and "..." in line


def test_a_handler_longer_than_lambda_allows_is_refused(tmp_path, capsys):
    spec = f"service: ledger\nowner: team\ndescription: d\nfunctions:\n  post: {{handler: handlers.{'h' * 300}.handle}}\n"
    code, err = run(tmp_path, capsys, ("ledger.yaml", spec))
    assert code == 1 and any("functions.post.handler" in line for line in err), err
