"""Benchmark: svcgen build's speed table beside the Serverless Framework's, in Markdown.

One command measures, as whole processes, medians of wall and CPU seconds (user + system of the
child process and its descendants) and their peak memory (max RSS), and prints a Markdown table:

* one service (specs/ledger.yaml, the demo platform's other specs as context), `svcgen build`
  without and with lint, into a fresh `--out` directory each run (the spec and its code are a
  scratch copy of specs/, so the checkout is never written);
* a service of N functions (bench/wide_service.py), N = 10, 40, 80, with lint;
* a generated fleet (bench/fleet.py, 100 services): cold, no-op (the same command again) and one
  spec changed (a function's description); without lint, and with lint under `--lint-fleet`
  (off by default: a cold linted fleet takes minutes);
* for each case, `serverless package` (Serverless Framework v3, offline) of an equivalent
  serverless.yml (bench/serverless_equivalent.py says how a spec maps) and the CPU ratio
  svcgen/Serverless beside the targets. The fleet's Serverless figure is one package per service
  run one after another, extrapolated from a measured sample (`--sls-sample`, default 10).

Serverless runs offline: a scratch HOME (no ~/.aws, no ~/.serverless), dummy AWS credentials and
region, telemetry, notifications and interactive setup off. `package` calls no AWS API unless
the configuration resolves variables remotely (SSM, S3, CloudFormation outputs), which these
files never do.

    python bench/speed.py [--runs 3] [--quick] [--lint-fleet] [--only one|wide|fleet]
                          [--serverless path/to/node_modules/.bin/serverless]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_bench import medians, run_timed, summary, timed  # noqa: E402  (bench/ is not a package)
from fleet import write_fleet  # noqa: E402
from fleet_bench import fleet_samples  # noqa: E402
from serverless_equivalent import write_equivalent  # noqa: E402
from wide_service import write_wide  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
START = time.perf_counter()
SLS_ENV = {"SLS_TELEMETRY_DISABLED": "1", "SLS_TRACKING_DISABLED": "1", "SLS_NOTIFICATIONS_MODE": "off",
           "SLS_INTERACTIVE_SETUP_DISABLE": "1", "SERVERLESS_PLATFORM_VENDOR": "aws", "CI": "1",
           "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "eu-west-1",
           "AWS_DEFAULT_REGION": "eu-west-1"}
SLS_PACKAGE = ["package", "--stage", "dev", "--region", "eu-west-1"]
HOW_TO_GET = ("Serverless Framework rows skipped: no serverless found. Get it with `npm install serverless@3` "
              "in a scratch folder, then pass --serverless path/to/node_modules/.bin/serverless "
              "(or set SVCGEN_BENCH_SERVERLESS).")

Sample = tuple[float, float, int]


def progress(line: str) -> None:
    print(f"[{time.perf_counter() - START:6.0f} s] {line}", file=sys.stderr, flush=True)


class Serverless:
    """`serverless package`, offline, with a scratch HOME of its own."""

    def __init__(self, executable: Path, scratch: Path) -> None:
        self.executable = executable
        home = scratch / "home"
        home.mkdir()
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("AWS_", "SLS_", "SERVERLESS_"))}
        self.env.update(SLS_ENV, HOME=str(home))

    def package(self, service: Path) -> Sample:
        shutil.rmtree(service / ".serverless", ignore_errors=True)
        return run_timed([str(self.executable), *SLS_PACKAGE], service, env=self.env, check=True)

    def samples(self, service: Path, runs: int) -> list[Sample]:
        self.package(service)  # warm-up, as for svcgen: file caches, node's compile cache
        return [self.package(service) for _ in range(runs)]

    def sequence(self, services: list[Path], runs: int) -> list[Sample]:
        """Per run: the packages of `services` one after another (wall and CPU summed, peak max)."""
        out = []
        for run in range(runs):
            each = [self.package(service) for service in services]
            out.append((sum(s[0] for s in each), sum(s[1] for s in each), max(s[2] for s in each)))
            progress(f"serverless, {len(services)} packages in sequence, run {run + 1}/{runs}: {out[-1][0]:.1f} s wall")
        return out


def find_serverless(given: str | None) -> Path | None:
    path = given or os.environ.get("SVCGEN_BENCH_SERVERLESS")
    if not path:
        return None
    if not Path(path).is_file():
        sys.exit(f"speed.py: no serverless executable at {path}")
    return Path(path).resolve()


def build_samples(spec: Path, platform_file: Path, out: Path, runs: int, lint: bool) -> list[Sample]:
    """`svcgen build SPEC` into a fresh out directory per run, after one warm-up build (which
    brings the scratch copy's generated code up to date, as it is in a checked-in repository)."""
    base = [str(spec), "--platform", str(platform_file), *([] if lint else ["--no-lint"])]
    timed(["build", *base, "--out", str(out / "warm-up"), "--force"], ROOT, check=True)
    return [timed(["build", *base, "--out", str(out / f"run{run}")], ROOT, check=True) for run in range(runs)]


class Row:
    def __init__(self, case: str, svcgen: Sample, serverless: Sample | None = None, what: str = "",
                 target: str = "", met: bool | None = None) -> None:
        self.case, self.svcgen, self.serverless, self.what = case, svcgen, serverless, what
        self.target, self.met = target, met


def ratio_target(row: Row, limit: float) -> Row:
    """`row` with the target 'CPU ratio ≤ limit' and whether it is met."""
    row.target = f"≤ {limit:g}×"
    if row.serverless:
        row.met = row.svcgen[1] / row.serverless[1] <= limit
    return row


def one_service(scratch: Path, runs: int, sls: Serverless | None) -> list[Row]:
    specs = scratch / "one" / "specs"
    shutil.copytree(SPECS, specs, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", "*.pyc"))
    spec, platform_file = specs / "ledger.yaml", specs / "platform.yaml"
    their = sls.samples(write_equivalent(spec, scratch / "one" / "sls"), runs) if sls else None
    if their:
        progress(medians("serverless, ledger", their))
    rows = []
    for lint in (False, True):
        ours = build_samples(spec, platform_file, scratch / "one" / f"out-{lint}", runs, lint)
        progress(medians(f"svcgen, ledger, {'lint' if lint else 'no lint'}", ours))
        row = Row(f"one service (ledger, 4 functions), {'lint' if lint else 'no lint'}", summary(ours),
                  summary(their) if their else None, "1 package")
        rows.append(ratio_target(row, 0.5) if lint else row)
    return rows


def wide_services(scratch: Path, sizes: list[int], runs: int, sls: Serverless | None) -> list[Row]:
    rows = []
    for size in sizes:
        spec = write_wide(scratch / f"wide{size}" / "specs", size)
        ours = build_samples(spec, spec.parent / "platform.yaml", scratch / f"wide{size}" / "out", runs, True)
        progress(medians(f"svcgen, {size} functions, lint", ours))
        their = sls.samples(write_equivalent(spec, scratch / f"wide{size}" / "sls"), runs) if sls else None
        if their:
            progress(medians(f"serverless, {size} functions", their))
        row = Row(f"{size}-function service, lint", summary(ours), summary(their) if their else None, "1 package")
        rows.append(ratio_target(row, 1.0) if size == 80 else row)
    return rows


def fleet_rows(scratch: Path, services: int, sample: int, runs: int, lints: list[bool],
               sls: Serverless | None) -> list[Row]:
    their = per_package = None
    what = f"{services} packages"
    if sls:
        specs = write_fleet(scratch / "fleet-specs", services)[:sample]
        dirs = [write_equivalent(spec, scratch / "fleet-sls" / spec.stem) for spec in specs]
        sls.package(dirs[0])  # warm-up
        measured = summary(sls.sequence(dirs, runs))
        scale = services / len(dirs)
        their = (measured[0] * scale, measured[1] * scale, measured[2])
        per_package = (measured[0] / len(dirs), measured[1] / len(dirs), measured[2])
        if scale != 1:
            what += f", extrapolated ×{scale:g} from {len(dirs)} measured"
    rows = []
    for lint in lints:
        samples = fleet_samples(services, runs, lint, progress)
        label = f"fleet of {services}, {'lint' if lint else 'no lint'}"
        cold, noop, changed = (summary(samples[case]) for case in ("cold", "no-op", "one spec changed"))
        rows.append(ratio_target(Row(f"{label}, cold", cold, their, what), 0.1))
        rows.append(Row(f"{label}, no-op", noop, None, "— (no incremental mode)", "< 1 s wall", noop[0] < 1.0))
        rows.append(Row(f"{label}, one spec changed", changed, per_package,
                        "1 package (of the changed service only)"))
    return rows


def table(rows: list[Row]) -> str:
    lines = ["| case | svcgen wall s | svcgen CPU s | svcgen peak MB | Serverless: what ran | Serverless wall s "
             "| Serverless CPU s | Serverless peak MB | CPU svcgen/Serverless | target | met |",
             "|---|--:|--:|--:|---|--:|--:|--:|--:|---|---|"]
    for row in rows:
        ours = f"{row.svcgen[0]:.2f} | {row.svcgen[1]:.2f} | {row.svcgen[2]}"
        if row.serverless:
            theirs = f"{row.serverless[0]:.2f} | {row.serverless[1]:.2f} | {row.serverless[2]}"
            ratio = f"{row.svcgen[1] / row.serverless[1]:.2f}×"
        else:
            theirs, ratio = "— | — | —", "—"
        met = "—" if row.met is None else ("yes" if row.met else "**no**")
        what = row.what if row.serverless or row.what.startswith("—") else "not run"
        lines.append(f"| {row.case} | {ours} | {what} | {theirs} | {ratio} | {row.target or '—'} | {met} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case; medians are printed (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 1 run, a 10-function service, a fleet of 20, a Serverless sample of 2")
    parser.add_argument("--lint-fleet", action="store_true",
                        help="also the fleet with lint (off by default: a cold linted fleet takes minutes)")
    parser.add_argument("--only", action="append", choices=("one", "wide", "fleet"),
                        help="only these groups of rows (repeatable; default all)")
    parser.add_argument("--services", type=int, default=100, help="services in the fleet (default 100)")
    parser.add_argument("--sls-sample", type=int, default=10,
                        help="Serverless packages measured for the fleet row, then extrapolated (default 10)")
    parser.add_argument("--serverless", metavar="PATH",
                        help="the serverless v3 executable, e.g. path/to/node_modules/.bin/serverless "
                             "(default: $SVCGEN_BENCH_SERVERLESS; without it the Serverless rows are skipped)")
    args = parser.parse_args()
    runs, sizes, services, sample = args.runs, [10, 40, 80], args.services, args.sls_sample
    if args.quick:
        runs, sizes, services, sample = 1, [10], min(services, 20), min(sample, 2)
    groups = args.only or ["one", "wide", "fleet"]
    executable = find_serverless(args.serverless)
    notes = []
    if executable is None:
        notes.append(HOW_TO_GET)
        print(HOW_TO_GET, file=sys.stderr)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="svcgen-speed-") as scratch_dir:
        scratch = Path(scratch_dir)
        sls = Serverless(executable, scratch) if executable else None
        if "one" in groups:
            rows += one_service(scratch, runs, sls)
        if "wide" in groups:
            rows += wide_services(scratch, sizes, runs, sls)
        if "fleet" in groups:
            rows += fleet_rows(scratch, services, min(sample, services), runs,
                               [False, True] if args.lint_fleet else [False], sls)
            if not args.lint_fleet:
                notes.append("The fleet with lint was not measured (pass --lint-fleet; a cold linted fleet "
                             "takes minutes).")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"svcgen speed, {when}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"medians of {runs} run(s); CPU = user + system of the process and its children.\n")
    print(table(rows))
    for note in notes:
        print(f"\n{note}")


if __name__ == "__main__":
    main()
