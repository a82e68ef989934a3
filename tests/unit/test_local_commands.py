"""`svcgen local up|down|status` and `--local` on the deploy commands, without a server: usage, the
hints, exit codes; the moto template transform as the moto target's. The real server is
tests/e2e/test_local_deploy.py's."""

from __future__ import annotations

import pytest

from generator.cli import main
from generator.deploy.local import compat, server
from generator.deploy.moto_target import MotoTarget
from tests.conftest import SPECS


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SVCGEN_LOCAL_HOME", str(tmp_path / "local"))
    return tmp_path / "local"


def test_status_when_nothing_runs_is_exit_1_with_how_to_start(capsys):
    assert main(["local", "status"]) == 1
    assert capsys.readouterr().out == "local AWS: not running (start it with `svcgen local up`)\n"


def test_down_when_nothing_runs_is_fine(capsys):
    assert main(["local", "down"]) == 0
    assert "not running; nothing to stop" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["deploy", "--local", "--stage", "dev", str(SPECS)],
    ["diff", "--local", str(SPECS)],
    ["teardown", "--local", "--stage", "pr-1"],
    ["prune", "--local", "--dry-run"],
    ["status", "--local", "--stage", "dev", "--platform", str(SPECS / "platform.yaml")],
    ["replay", "ledger.post-transaction", str(SPECS), "--local", "--from", "2026-11-01T00:00:00",
     "--to", "2026-11-02T00:00:00", "--dry-run"],
])
def test_local_without_a_running_server_is_a_usage_error_with_the_hint(argv, capsys, monkeypatch):
    monkeypatch.setattr(server, "moto_installed", lambda: True)
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["svcgen: error: --local: no local AWS is running; start one with `svcgen local up`"]


def test_without_moto_local_up_and_local_say_how_to_install_it(capsys, monkeypatch):
    monkeypatch.setattr(server, "moto_installed", lambda: False)
    assert main(["local", "up"]) == 2
    assert "pip install 'moto[server]==5.2.1'" in capsys.readouterr().err
    assert main(["deploy", "--local", str(SPECS)]) == 2
    assert "svcgen local up` (the local AWS needs moto's server mode" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["local"], ["local", "sideways"], ["local", "up", "--port", "70000"], ["local", "up", "--port", "x"],
    ["deploy", "--local", "--endpoint-url", "http://127.0.0.1:1"],
])
def test_wrong_usage_exits_2(argv, capsys):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_the_moto_target_transforms_templates_for_moto():
    assert MotoTarget.transform is not None
    template = {"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17"},
                                                         "Tags": [{"Key": "k", "Value": "v"}]}},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "b"}},
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"EventBusName": {"Ref": "Bus"}}},
    }, "Outputs": {"AlarmName": {"Value": {"Ref": "Alarm"}}}}
    adapted = MotoTarget(None, None).transform(template)
    key = adapted["Resources"]["Key"]["Properties"]
    assert key["KeyPolicy"] == {"Fn::ToJsonString": {"Version": "2012-10-17"}}
    assert key["Tags"] == [{"TagKey": "k", "TagValue": "v"}]
    assert adapted["Resources"]["Rule"]["Properties"]["EventBusName"] == {"Fn::GetAtt": ["Bus", "Name"]}
    assert adapted["Outputs"]["AlarmName"]["Value"] == compat.SKIPPED_PLACEHOLDER + "Alarm"
    assert template["Resources"]["Rule"]["Properties"]["EventBusName"] == {"Ref": "Bus"}  # a copy


def test_the_test_harness_uses_the_products_transform():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).parents[1] / "e2e" / "moto_compat.py"
    spec = importlib.util.spec_from_file_location("moto_compat_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.moto_deployable is compat.moto_deployable
    assert module.KNOWN_MOTO_SKIPS is compat.KNOWN_MOTO_SKIPS


def test_down_of_a_record_whose_process_is_gone_says_so(home, capsys):
    import json
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    home.mkdir(parents=True)
    (home / server.STATE_FILE).write_text(json.dumps(
        {"pid": dead.pid, "port": 1, "endpoint": "http://127.0.0.1:1", "log": "moto.log"}))
    assert main(["local", "down"]) == 0
    assert capsys.readouterr().out == f"local AWS: its recorded process (pid {dead.pid}) no longer runs moto; record removed\n"
    assert not (home / server.STATE_FILE).exists()
