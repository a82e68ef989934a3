"""Benchmark: whole-process `svcgen check`, `graph`, `inventory` on the demo platform and on a
generated fleet (bench/fleet.py). Prints medians of wall and CPU seconds, and peak memory. A
benchmark, not a test: nothing here fails a build.

    python bench/check_bench.py [--runs 3] [--services 100]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fleet import SPECS, write_fleet  # noqa: E402  (bench/ is not a package)


def run_timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
              check: bool = False) -> tuple[float, float, int]:
    """Run `argv` once: wall seconds, CPU seconds (user + system of the child and the processes it
    waited for, from RUSAGE_CHILDREN deltas) and the peak RSS in MB of that child and its
    descendants (from wait4: RUSAGE_CHILDREN's maximum never goes down, so it would carry an
    earlier, larger child's peak). `check`: a non-zero exit raises, with the end of its stderr."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                   stderr=errors if check else subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if check and process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(argv)} exited {process.returncode} in {cwd}:\n{tail}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, usage.ru_maxrss // 1024


def timed(args: list[str], cwd: Path, check: bool = False) -> tuple[float, float, int]:
    """One whole-process `svcgen ARGS` (python -m generator.cli): as `run_timed`."""
    return run_timed([sys.executable, "-m", "generator.cli", *args], cwd, check=check)


def summary(samples: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """The median wall and CPU seconds of `samples` (from `timed`) and their peak memory in MB."""
    return (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples),
            max(s[2] for s in samples))


def medians(name: str, samples: list[tuple[float, float, int]]) -> str:
    """One line: the median wall and CPU seconds of `samples` (from `timed`) and their peak memory."""
    wall, cpu, peak = summary(samples)
    return f"{name:40} median {wall:7.2f} s wall, {cpu:7.2f} s CPU  (peak RSS ≤ {peak} MB, {len(samples)} runs)"


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
