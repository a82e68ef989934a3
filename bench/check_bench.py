"""Benchmark: whole-process `svcgen check`, `graph`, `inventory` on the demo platform and on a
generated fleet (bench/fleet.py). Prints medians of wall and CPU seconds, and peak memory. A
benchmark, not a test: nothing here fails a build.

    python bench/check_bench.py [--runs 3] [--services 100]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet import SPECS, write_fleet  # noqa: E402  (bench/ is not a package)


def timed(args: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system of the child) and the child's peak RSS in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator.cli", *args], check=False, cwd=cwd,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss // 1024


def medians(name: str, samples: list[tuple[float, float, int]]) -> str:
    """One line: the median wall and CPU seconds of `samples` (from `timed`) and their peak memory."""
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    return (f"{name:40} median {wall:7.2f} s wall, {cpu:7.2f} s CPU  (peak RSS ≤ {max(s[2] for s in samples)} MB, "
            f"{len(samples)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", type=int, default=100)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as scratch:
        fleet = Path(scratch) / "fleet"
        write_fleet(fleet, args.services)
        cases = {
            "check, demo (5 services)": ["check", str(SPECS)],
            f"check, fleet of {args.services}": ["check", str(fleet)],
            f"graph html, fleet of {args.services}": ["graph", "--format", "html", str(fleet)],
            f"inventory, fleet of {args.services}": ["inventory", str(fleet)],
        }
        for name, command in cases.items():
            print(medians(name, [timed(command, root) for _ in range(args.runs)]))


if __name__ == "__main__":
    main()
