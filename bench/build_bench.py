"""Benchmark: whole-process `svcgen build` for one service and for the demo platform, with and
without lint. Prints medians. A benchmark, not a test: nothing here fails a build.

    python bench/build_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
ONE_SERVICE = SPECS / "ledger.yaml"


def timed(args: list[str], warm: bool = False) -> float:
    """One whole-process build into a fresh directory; `warm`: the second of two builds into the
    same directory (templates and lint findings cached, code files identical)."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "generator.cli", "build", *args, "--out", out]
        if warm:
            subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    cases = {
        "one service, no lint": [str(ONE_SERVICE), "--platform", str(SPECS / "platform.yaml"), "--no-lint"],
        "one service, lint": [str(ONE_SERVICE), "--platform", str(SPECS / "platform.yaml")],
        "demo platform, no lint": [str(SPECS), "--no-lint"],
        "demo platform, lint": [str(SPECS)],
        "demo platform, lint, warm": [str(SPECS)],
    }
    for name, args in cases.items():
        samples = [timed(args, warm=name.endswith("warm")) for _ in range(runs)]
        print(f"{name:26} median {statistics.median(samples):6.2f} s  "
              f"(min {min(samples):.2f}, max {max(samples):.2f}, {runs} runs)")


if __name__ == "__main__":
    main()
