"""Benchmark: `svcgen build` of a generated fleet (bench/fleet.py): cold, with nothing changed
(the no-op), and after one spec changed; whole process, medians of wall and CPU seconds, peak
memory. A benchmark, not a test: nothing here fails a build.

    python bench/fleet_bench.py [--services 100] [--runs 3] [--lint]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_bench import medians, timed  # noqa: E402  (bench/ is not a package)
from fleet import write_fleet  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lint", action="store_true", help="with cfn-lint (a cold build then takes minutes)")
    args = parser.parse_args()
    lint = [] if args.lint else ["--no-lint"]
    samples: dict[str, list] = {"cold": [], "no-op": [], "one spec changed": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as scratch:
            fleet = Path(scratch) / "specs"
            specs = write_fleet(fleet, args.services)
            command = ["build", str(fleet), "--out", str(Path(scratch) / "build"), "--quiet", *lint]
            samples["cold"].append(timed(command, ROOT))
            samples["no-op"].append(timed(command, ROOT))
            changed = specs[len(specs) // 2]
            changed.write_text(changed.read_text() + "# changed\n")
            samples["one spec changed"].append(timed(command, ROOT))
            shutil.rmtree(Path(scratch) / "build", ignore_errors=True)
    label = f"fleet of {args.services}, {'lint' if args.lint else 'no lint'}"
    for name, runs in samples.items():
        print(medians(f"{label}, {name}", runs))


if __name__ == "__main__":
    main()
