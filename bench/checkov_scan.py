"""What checkov, an independent IaC scanner, reports on svcgen's output (docs/security-scan.md).

Builds the demo (dev and a PR stage), the tuned platform (tests/tuned) and every example (dev and
a PR stage) into a temporary directory, runs checkov over it, and prints every failed check that
is not skipped (expected: none) and the skipped ones, counted per check with their reasons.
Exits 1 on any unskipped failure, 2 when checkov cannot run. A script, not a test: checkov lives
in a venv of its own (it is not one of svcgen's dependencies).

    python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov
    .venv/bin/python bench/checkov_scan.py --checkov /tmp/checkov-venv/bin/checkov
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import pipeline  # noqa: E402
from generator.workspace import load_workspace  # noqa: E402

# (name, spec directory, stages): what svcgen's own tests build (tests/test_golden.py,
# tests/test_examples.py).
BUILDS = [("demo", ROOT / "specs", ("dev", "pr-123")), ("tuned", ROOT / "tests" / "tuned", ("main", "pr-9"))] + [
    (f"examples/{p.name}", p, ("dev", "pr-42")) for p in sorted((ROOT / "examples").iterdir()) if p.is_dir()]


def build_all(out: Path) -> int:
    """Every template of BUILDS under `out/<name>/<stage>/...`; returns how many were written."""
    for name, specs, stages in BUILDS:
        workspace = load_workspace([specs])
        for stage in stages:
            result = pipeline.build(workspace, stage, out / name, lint=False, code=False)
            if result.findings:
                raise SystemExit(f"{name} {stage}: svcgen reports findings: "
                                 + "; ".join(f"{a.relpath}: {f.rule_id} {f.message}" for a, f in result.findings))
    return len(list(out.rglob("template.yaml")))


def scan(checkov: str, directory: Path) -> dict:
    """checkov's JSON report of the CloudFormation templates under `directory`."""
    # From inside the directory: checkov's parser keeps each mapping's file path in it (`__file__`),
    # and CKV_AWS_45 runs its secret detector over a function's environment, path included; an
    # absolute temporary path (/tmp/svcgen-checkov-k3j…/demo/…) can look like a secret to it.
    command = [checkov, "-d", ".", "--framework", "cloudformation", "-o", "json", "--skip-download"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=directory)
    except FileNotFoundError:
        print(f"checkov not found: {checkov} (give --checkov PATH)", file=sys.stderr)
        raise SystemExit(2)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        print(f"checkov did not answer with JSON (exit {done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        raise SystemExit(2)
    reports = report if isinstance(report, list) else [report]
    found = [r for r in reports if r.get("check_type") == "cloudformation"]
    # checkov prints a bare summary, without "results", when it found nothing to scan.
    return found[0] if found else {"results": {}, "summary": reports[0] if reports else {}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkov", default="checkov", help="the checkov executable (default: checkov on PATH)")
    parser.add_argument("--out", type=Path, help="build into this (new) directory and keep it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="svcgen-checkov-") as tmp:
        out = args.out or Path(tmp)
        count = build_all(out)
        report = scan(args.checkov, out)
    results = report.get("results", {})
    failed, skipped = results.get("failed_checks", []), results.get("skipped_checks", [])
    summary = report.get("summary", {})
    print(f"checkov {summary.get('checkov_version', '?')} over {count} templates "
          f"({summary.get('resource_count', '?')} resources): {summary.get('passed', 0)} passed, "
          f"{len(failed)} failed, {len(skipped)} skipped")
    for check in sorted(failed, key=lambda c: (c["check_id"], c.get("file_path", ""), c.get("resource", ""))):
        print(f"FAILED  {check['check_id']} {check.get('check_name', '')}: {check.get('resource')} "
              f"in {check.get('file_path', '').lstrip('/')}")
    counts = Counter((c["check_id"], c.get("resource", "").split(".")[0]) for c in skipped)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for check in skipped:
        reasons[check["check_id"]][check.get("check_result", {}).get("suppress_comment", "")] += 1
    for (check_id, resource_type), n in sorted(counts.items()):
        print(f"skipped {check_id} on {n} {resource_type}")
        if (check_id, resource_type) == min(k for k in counts if k[0] == check_id):
            for reason, times in sorted(reasons[check_id].items()):
                print(f"    {times:4}x {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
