"""Benchmark: `svcgen build` of a generated fleet (bench/fleet.py): cold, with nothing changed
(the no-op), and after one spec changed (a function's description, which its template carries);
whole process, medians of wall and CPU seconds, peak memory. A benchmark, not a test: nothing here
fails a build.

    python bench/fleet_bench.py [--services 100] [--runs 3] [--lint]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_bench import medians, timed  # noqa: E402  (bench/ is not a package)
from fleet import write_fleet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ("cold", "no-op", "one spec changed")


def change_one(spec: Path) -> None:
    """A real change to `spec`: its first function's description gets a prefix, so that
    function's template (its Lambda's Description) changes, not only the spec's text."""
    text = spec.read_text()
    functions = text.index("\nfunctions:\n")
    at = text.index("\n    description: ", functions) + len("\n    description: ")
    spec.write_text(text[:at] + "Revised. " + text[at:])


def fleet_samples(services: int, runs: int, lint: bool,
                  progress: Callable[[str], None] = lambda line: None) -> dict[str, list]:
    """`timed` samples of each case in CASES: per run, a fresh fleet and a fresh out directory."""
    samples: dict[str, list] = {case: [] for case in CASES}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as scratch:
            fleet = Path(scratch) / "specs"
            specs = write_fleet(fleet, services)
            command = ["build", str(fleet), "--out", str(Path(scratch) / "build"), "--quiet",
                       *([] if lint else ["--no-lint"])]
            for case in CASES:
                if case == "one spec changed":
                    change_one(specs[len(specs) // 2])
                samples[case].append(timed(command, ROOT, check=True))
                progress(f"fleet of {services}, {'lint' if lint else 'no lint'}, {case}, run {run + 1}/{runs}: "
                         f"{samples[case][-1][0]:.2f} s wall")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lint", action="store_true", help="with cfn-lint (a cold build then takes minutes)")
    args = parser.parse_args()
    label = f"fleet of {args.services}, {'lint' if args.lint else 'no lint'}"
    for name, runs in fleet_samples(args.services, args.runs, args.lint).items():
        print(medians(f"{label}, {name}", runs))


if __name__ == "__main__":
    main()
