"""A generated fleet for benchmarks: copies of the demo platform's five services, each copy's
references (`from:`, cross-service `starts:`) pointing at its own copies, so every copy is a
complete, valid fleet of its own and the whole is `count` services.

    python bench/fleet.py DIR [--services 100]
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
DEMO = sorted(p.stem for p in SPECS.glob("*.yaml") if p.name != "platform.yaml")


def renamed(text: str, copy: int) -> str:
    """A demo spec with every demo service name it mentions as a name made for copy `copy`."""
    names = "|".join(DEMO)
    text = re.sub(rf"^service: ({names})$", lambda m: f"service: {m[1]}{copy}", text, flags=re.M)
    text = re.sub(rf"\bfrom: ({names})\b", lambda m: f"from: {m[1]}{copy}", text)
    return re.sub(rf"\b({names})\.([a-z][a-z0-9-]*)", lambda m: f"{m[1]}{copy}.{m[2]}", text)


def write_fleet(out: Path, services: int = 100) -> list[Path]:
    """`services` specs (copies of the demo, five per copy) and the demo's platform.yaml in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(SPECS / "platform.yaml", out / "platform.yaml")
    # the budget check sums reserved concurrency over every copy: give the generated fleet room
    platform = (out / "platform.yaml").read_text()
    (out / "platform.yaml").write_text(platform.replace("account_concurrency_limit: 1000", "account_concurrency_limit: "
                                                        "100000").replace("fleet_budget: 100", "fleet_budget: 100000"))
    written = []
    for index in range(services):
        copy, demo = divmod(index, len(DEMO))
        name = DEMO[demo]
        path = out / f"{name}{copy}.yaml"
        path.write_text(renamed((SPECS / f"{name}.yaml").read_text(), copy))
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--services", type=int, default=100)
    args = parser.parse_args()
    print(f"{len(write_fleet(args.directory, args.services))} specs in {args.directory}")


if __name__ == "__main__":
    main()
