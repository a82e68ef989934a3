"""A generated service with N functions, for benchmarks: every fourth answers an HTTP route,
every 24th consumes another service's milestone through its own queue, the rest are invoked
directly. The mix keeps 80 functions under CloudFormation's 500 resources per stack (a subscriber
renders 13 resources, a route 8, a plain function 5). The demo platform's specs sit beside it as
context: `accounts` is the publisher it subscribes to.

    python bench/wide_service.py DIR [--functions 40]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

HEADER = """\
service: wide
owner: team-core-banking
description: A generated service with {count} functions.
tags:
  cost-center: cc-core
  data-classification: internal
publishes: [WideThingDone]
events:
  WideThingDone:
    version: 1
    fields:
      thing_id: {{type: string}}
      done_at: {{type: datetime}}
functions:
"""

HTTP = """\
  get-thing-{i}:
    description: Returns thing {i}.
    http: GET /things-{i}/{{id}}
"""

SUBSCRIBER = """\
  on-account-opened-{i}:
    description: Reacts to an opened account, variant {i}.
    subscribe:
      - event: AccountOpened
        from: accounts
"""

PLAIN = """\
  do-thing-{i}:
    description: Does thing {i} when invoked.
    publishes: [WideThingDone]
"""


def _shape(index: int) -> str:
    if index % 4 == 0:
        return HTTP
    return SUBSCRIBER if index % 24 == 23 else PLAIN


def wide_spec(functions: int) -> str:
    body = "".join(_shape(i).format(i=i) for i in range(functions))
    return HEADER.format(count=functions) + body + "alerts:\n  email: [wide-oncall@example.com]\n"


def write_wide(out: Path, functions: int) -> Path:
    """`wide.yaml` with `functions` functions beside the demo platform's specs, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "platform.yaml", out / "platform.yaml")
    platform = (out / "platform.yaml").read_text()
    # 80 functions at the default concurrency exceed the demo's per-service limit: not what is measured
    (out / "platform.yaml").write_text(platform.replace("per_service: 50", "per_service: 100000"))
    for demo in SPECS.glob("*.yaml"):
        if demo.name != "platform.yaml":
            shutil.copy(demo, out / demo.name)
    path = out / "wide.yaml"
    path.write_text(wide_spec(functions))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--functions", type=int, default=40)
    args = parser.parse_args()
    print(f"wrote {write_wide(args.directory, args.functions)}")


if __name__ == "__main__":
    main()
