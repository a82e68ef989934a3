"""`svcgen check [PATHS]`: every rule over the whole fleet, as the platform team runs it.

Spec, fleet and template rules (what `validate` checks) and the platform team's rules (SVC4xxx,
configured in platform.yaml), over specs and manifests together; the platform team's waivers
applied; one report in text, JSON, SARIF or JUnit. Exit 1 when an error nobody waived remains.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from generator.cli_args import input_arguments

FORMATS = ("text", "json", "sarif", "junit")


def add_commands(sub) -> None:
    check = sub.add_parser(
        "check", help="every rule over the whole fleet, platform rules and waivers; text, JSON, SARIF or JUnit",
        description="Run every rule over the whole fleet: spec, fleet and template rules (as `validate`), and the "
                    "platform team's rules from platform.yaml's `rules:` (SVC4xxx), with the waivers file applied. "
                    "Exit 1 when an error-level finding is not waived.")
    input_arguments(check)
    check.add_argument("--stage", default="dev", help="the stage templates are rendered for (default: dev)")
    check.add_argument("--waivers", type=Path, help="the platform team's waivers file (default: waivers.yaml "
                                                    "beside platform.yaml, when there is one)")
    check.add_argument("--baseline", metavar="SOURCE",
                       help="the released fleet, to find contracts changed incompatibly without a new version "
                            "(SVC4010): git:REF (e.g. git:origin/main), or a directory of specs or manifests")
    check.add_argument("--format", choices=FORMATS, default="text", help="default: text")
    check.add_argument("--out", type=Path, help="write the report to this file (standard output then gets the "
                                                "text report, for people reading a CI log)")
    check.add_argument("--today", type=_date, help="judge sunsets and waiver expiries as of this day, "
                                                   "YYYY-MM-DD (default: today, UTC)")


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date YYYY-MM-DD, got {value!r}") from None


def cmd_check(args: argparse.Namespace) -> int:
    from generator.check.report import render
    from generator.check.run import run_check
    from generator.check.waivers import utc_today
    from generator.output import write_file
    from generator.version import svcgen_version

    outcome = run_check(args.paths, args.platform, args.manifests, stage_name=args.stage,
                        waivers_path=args.waivers, baseline=args.baseline, today=args.today or utc_today())
    report = render(outcome.findings, args.format, tool_version=svcgen_version(), root=Path.cwd(),
                    services=outcome.services)
    if args.out:  # the file for tools; the log (a person reading CI's output) gets the text report
        write_file(args.out, report)
        if args.format != "text":
            sys.stdout.write(render(outcome.findings, "text", tool_version=svcgen_version(), root=Path.cwd(),
                                    services=outcome.services))
        print(f"wrote {args.out} ({args.format})", file=sys.stderr)
    else:
        sys.stdout.write(report)
    return 1 if any(f.blocking for f in outcome.findings) else 0


RUNNERS = {"check": cmd_check}
