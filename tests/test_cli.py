"""The `svcgen` command: exit codes, file outcomes, determinism across processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


def test_build_writes_every_template_and_reports_created_then_identical(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SPECS), "--out", str(out), "--no-lint", "--no-code"]) == 0
    first = capsys.readouterr().out
    services = sorted(p.stem for p in SPECS.glob("*.yaml") if p.stem != "platform")
    for service in [*services, "platform"]:
        assert (out / "dev" / service / "template.yaml").is_file()
        assert f"created   {out / 'dev' / service / 'template.yaml'}" in first
    for service in services:  # and each service's manifest beside its template (fleet/manifest.py)
        assert f"created   {out / 'dev' / service / 'manifest.json'}" in first
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*.yaml")}
    assert main(["build", str(SPECS), "--out", str(out), "--no-lint", "--no-code"]) == 0
    second = capsys.readouterr().out
    assert "created" not in second and f"{2 * len(services) + 1} identical" in second
    assert mtimes == {p: p.stat().st_mtime_ns for p in out.rglob("*.yaml")}  # nothing rewritten


def test_changed_spec_reports_updated_and_dry_run_writes_nothing(tmp_path, capsys):
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    out = tmp_path / "out"
    assert main(["build", str(specs), "--out", str(out), "--no-lint", "--no-code"]) == 0
    ledger = specs / "ledger.yaml"
    ledger.write_text(ledger.read_text().replace("memory: 512", "memory: 1024"))
    template = out / "dev" / "ledger" / "template.yaml"
    before = template.read_bytes()
    capsys.readouterr()
    assert main(["build", str(specs), "--out", str(out), "--no-lint", "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("would be updated") and line.endswith(str(template)) for line in lines)
    assert template.read_bytes() == before
    assert main(["build", str(specs), "--out", str(out), "--no-lint", "--no-code"]) == 0
    assert f"updated   {template}" in capsys.readouterr().out
    assert b"MemorySize: 1024" in template.read_bytes()


def test_invalid_spec_exits_1_and_writes_nothing(tmp_path, capsys):
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    (specs / "payments.yaml").write_text((specs / "payments.yaml").read_text().replace("timeout: 30", "timeout: 3000"))
    out = tmp_path / "out"
    assert main(["build", str(specs), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = next(i for i, text in enumerate((specs / "payments.yaml").read_text().splitlines(), 1) if "timeout:" in text)
    assert f"payments.yaml:{line}:5: functions.send-payment.timeout: must be ≤ 900, got 3000" in err
    assert "nothing was written" in err and "Traceback" not in err
    assert not out.exists()


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["frobnicate"]) == 2
    assert main(["build", str(tmp_path / "missing")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["build", str(SPECS), "--stage", "Bad_Stage", "--out", str(tmp_path)]) == 2
    assert "not a valid stage name" in capsys.readouterr().err
    assert main(["build", str(SPECS), "--branch", "dev", "--out", str(tmp_path)]) == 2
    assert "persistent stage" in capsys.readouterr().err
    # An unset CI variable passed as `--branch "$GITHUB_HEAD_REF"` must not quietly build dev.
    assert main(["build", str(SPECS), "--branch", "", "--out", str(tmp_path)]) == 2
    assert "branch '' has no letters or digits to name a stage after" in capsys.readouterr().err
    assert main(["build", str(SPECS), "--stage", "", "--out", str(tmp_path)]) == 2
    assert "--stage '' is not a valid stage name" in capsys.readouterr().err
    assert main(["stage", "///"]) == 2
    assert "branch '///' has no letters or digits" in capsys.readouterr().err
    assert not (tmp_path / "dev").exists()


def test_branch_builds_an_ephemeral_stage_with_its_own_light_platform_stack(tmp_path, capsys):
    assert main(["build", str(SPECS), "--branch", "feature/JIRA-12/add-retry", "--out", str(tmp_path), "--no-lint",
                 "--no-code"]) == 0
    (stage_dir,) = [p for p in tmp_path.iterdir() if p.name != ".svcgen-cache"]  # the build record beside it
    platform = (stage_dir / "platform" / "template.yaml").read_text()
    assert stage_dir.name.startswith("jira-12") and "AWS::Events::EventBus" in platform
    assert "AWS::S3::Bucket" not in platform and "AWS::Events::Archive" not in platform
    assert "ephemeral, own bus, code from dev's bucket" in capsys.readouterr().out


def test_validate_reports_valid_specs(capsys):
    assert main(["validate", str(SPECS)]) == 0
    assert "5 spec(s)" in capsys.readouterr().out


def test_checked_in_schemas_are_current(tmp_path):
    from generator.schema_gen import SCHEMA_DIR, schema_texts

    for name, text in schema_texts().items():
        assert (SCHEMA_DIR / name).read_text() == text, f"{name} is stale: run `svcgen schema`"


def test_two_processes_build_byte_identical_output(tmp_path):
    """Separate processes with different hash seeds: no set/dict-order leaks into the output."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "generator.cli", "build", str(SPECS), "--out", str(out), "--no-lint", "--no-code"],
                       check=True, env=env, cwd=ROOT, capture_output=True)
        outs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.yaml"))})
    assert outs[0] == outs[1] and len(outs[0]) == 6


def test_code_ownership_user_files_kept_generated_edits_are_conflicts(tmp_path, capsys):
    """Edit a user file and a generated file, rebuild: skipped and conflict; --force regenerates."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs, ignore=shutil.ignore_patterns("ledger", "accounts", "onboarding",
                                                                "notifications", "payments"))
    out = tmp_path / "out"
    assert main(["build", str(specs), "--out", str(out), "--no-lint"]) == 0
    code = specs / "payments"
    user_file, generated = code / "handlers" / "send_payment.py", code / "plumbing" / "send_payment.py"
    assert user_file.is_file() and generated.read_text().startswith("# Generated by svcgen")
    every_file = sorted(p for p in code.rglob("*") if p.is_file())
    mtimes = {p: p.stat().st_mtime_ns for p in every_file}
    capsys.readouterr()
    assert main(["build", str(specs), "--out", str(out), "--no-lint"]) == 0
    assert "created" not in capsys.readouterr().out
    assert mtimes == {p: p.stat().st_mtime_ns for p in every_file}  # re-running writes nothing

    user_file.write_text(user_file.read_text() + "\n# my business logic\n")
    generated.write_text(generated.read_text() + "\n# a hand edit\n")
    capsys.readouterr()
    assert main(["build", str(specs), "--out", str(out), "--no-lint"]) == 1
    captured = capsys.readouterr()
    assert f"skipped   {user_file}" in captured.out and f"conflict  {generated}" in captured.out
    assert "edited by hand and were not overwritten" in captured.err
    assert generated.read_text().endswith("# a hand edit\n")
    assert user_file.read_text().endswith("# my business logic\n")

    assert main(["build", str(specs), "--out", str(out), "--no-lint", "--force"]) == 0
    assert f"updated   {generated}" in capsys.readouterr().out
    assert "# a hand edit" not in generated.read_text()
    assert user_file.read_text().endswith("# my business logic\n")  # --force never touches user files


def test_a_path_the_file_system_refuses_is_one_line_not_a_traceback(tmp_path, capsys):
    not_a_dir = tmp_path / "out.txt"
    not_a_dir.write_text("a file, not a directory")
    assert main(["build", str(SPECS), "--out", str(not_a_dir), "--no-lint", "--no-code"]) == 1
    err = capsys.readouterr().err
    assert f"svcgen: error: cannot write {not_a_dir}/dev/" in err and "Not a directory" in err
    out = tmp_path / "out"
    (out / "dev" / "ledger" / "template.yaml").mkdir(parents=True)
    assert main(["build", str(SPECS), "--out", str(out), "--no-lint", "--no-code"]) == 1
    err = capsys.readouterr().err
    assert f"svcgen: error: cannot write {out}/dev/ledger/template.yaml: something other than a file is in the way" in err
    assert "Traceback" not in err


def test_stage_command_never_maps_a_branch_to_a_persistent_stage(capsys):
    assert main(["stage", "prod", "--platform", str(SPECS / "platform.yaml")]) == 2
    assert "maps to persistent stage 'prod'" in capsys.readouterr().err
    # Only a branch named exactly like a persistent stage maps to it; `feature/PROD` is hashed.
    assert main(["stage", "feature/PROD", "--platform", str(SPECS / "platform.yaml")]) == 0
    assert capsys.readouterr().out.strip().startswith("prod-")
    assert main(["stage", "feature/add-retry", "--platform", str(SPECS / "platform.yaml")]) == 0
    assert capsys.readouterr().out.strip().startswith("add-retry-")
