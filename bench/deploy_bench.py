"""Benchmark: the deploy engine. Prints seconds; a benchmark, not a test: nothing here fails.

- packaging one demo service: with its dependencies taken from the cache (the usual case), and,
  with `--cold`, installing them into an empty cache first (pip, needs the package index);
- the engine on a local moto server (started here, 127.0.0.1): N small stacks, each importing from
  the first, created, then deployed again (all skipped: no change set), then torn down.

    python bench/deploy_bench.py [--stacks 20] [--concurrency 4] [--cold]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.deploy.commands import make_target  # noqa: E402
from generator.deploy.engine import Deployer  # noqa: E402
from generator.deploy.package import package_service  # noqa: E402
from generator.deploy.plan import StageTags, make_plan  # noqa: E402
from generator.deploy.teardown import teardown  # noqa: E402


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def bench_package(cold: bool) -> None:
    code = ROOT / "specs" / "payments"
    with tempfile.TemporaryDirectory() as scratch:
        cache = Path(scratch) / "cache" if cold else None
        first, result = timed(lambda: package_service(code, Path(scratch) / "a", "python3.12", "arm64", cache=cache))
        second, _ = timed(lambda: package_service(code, Path(scratch) / "b", "python3.12", "arm64", cache=cache))
    label = "cold cache" if cold else f"dependencies {result.dependencies}"
    print(f"package payments ({result.files} files): first {first:.1f} s ({label}), again {second:.1f} s")


def bench_engine(stacks: int, concurrency: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "DOCKER_HOST": "unix:///nonexistent/bench.sock"}
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{url}/moto-api/config", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        target = make_target(url, "eu-west-1")
        tags = StageTags("bench", "bench", "bench", "bench", True)
        first = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "bench-q"}}},
                 "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}, "Export": {"Name": "bench-q-arn"}}}}
        plans = [make_plan("bench-s00", "s00", first, json.dumps(first), {}, tags.for_stack("bench", "s00"))]
        for i in range(1, stacks):
            template = {"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {
                "Name": f"/bench/{i}", "Type": "String", "Value": {"Fn::ImportValue": "bench-q-arn"}}}}}
            plans.append(make_plan(f"bench-s{i:02d}", f"s{i:02d}", template, json.dumps(template), {},
                                   tags.for_stack("bench", f"s{i:02d}"), ["bench-s00"]))
        deployer = Deployer(target, concurrency=concurrency)
        created, _ = timed(lambda: deployer.deploy(plans))
        skipped, _ = timed(lambda: deployer.deploy(plans))
        removed, _ = timed(lambda: teardown(target, "bench", persistent=False))
        print(f"engine on moto, {stacks} stacks, concurrency {concurrency}: create {created:.1f} s, "
              f"redeploy (all skipped) {skipped:.1f} s, teardown {removed:.1f} s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stacks", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--cold", action="store_true", help="also install the dependencies into an empty cache")
    args = parser.parse_args()
    bench_package(cold=False)
    if args.cold:
        bench_package(cold=True)
    bench_engine(args.stacks, args.concurrency)


if __name__ == "__main__":
    main()
