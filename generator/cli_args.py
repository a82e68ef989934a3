"""Arguments several commands share, said once: which specs, which stage, where AWS is.

Light (argparse only): generator/cli.py imports it to build every parser, including for `--help`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def input_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path, default=[],
                   help="spec files or directories (default: specs/, or . when it holds platform.yaml)")
    p.add_argument("--platform", type=Path, help="platform.yaml (default: beside the specs)")
    p.add_argument("--manifests", type=Path, action="append", default=[], metavar="PATH",
                   help="manifests other repositories' builds wrote (<out>/<stage>/<service>/manifest.json; a "
                        "file or a directory, repeatable): services subscribed to whose spec is not here")


def stage_arguments(p: argparse.ArgumentParser, required: bool = False) -> None:
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument("--stage", default=None, help="stage name" + ("" if required else " (default: dev)"))
    group.add_argument("--branch", help="the ephemeral stage of a git branch (never a persistent stage)")


def aws_arguments(p: argparse.ArgumentParser, endpoint: str = "a CloudFormation-compatible endpoint") -> None:
    """Where a command reaches AWS: --endpoint-url, or --local, and --region."""
    where = p.add_mutually_exclusive_group()
    where.add_argument("--endpoint-url", metavar="URL",
                       help=f"{endpoint} (default: AWS; a moto server is recognised)")
    where.add_argument("--local", action="store_true",
                       help="the local AWS of `svcgen local up` (moto on 127.0.0.1; no AWS account needed)")
    p.add_argument("--region", help="AWS region (default: platform.yaml's region)")


# `svcgen new --option` keys (scaffold.py answers them).
NEW_OPTIONS = ("owner", "description", "runtime", "event", "from", "function", "svcgen_install")

# `svcgen invoke --help`: what each kind of function takes as its event.
INVOKE_EPILOG = """\
events (--event FILE, JSON):
  queue consumer   a full SQS event ({"Records": [...]}) as is; an EventBridge envelope (has
                   "detail-type") or just its "detail" (for a function with one subscription)
                   is wrapped into an SQS batch of one record
  HTTP route       a full API Gateway HTTP API (payload 2.0) event (has "requestContext") as
                   is; anything else is the request body for the function's route
  workflow task    {"ids": ..., "execution": ..., "step": ...} as is; anything else is the ids
  other functions  the event as is
without --event: the sample of the function's first subscription (or --sample EVENT), a request
to its route with path parameters "<name>-1", or the task ids {"id": "id-1"}.

The response is printed on stdout, the function's log lines on stderr. Nothing reaches AWS:
credentials are dummies (AWS_ACCESS_KEY_ID=testing ...); with --aws local (the default) every call
goes to an in-memory AWS (moto) holding the function's event store table, bus, topic and
workflows, and what the function changed there is reported; with --aws none AWS_ENDPOINT_URL is a
closed local port. Idempotency and tracing are off; the environment is the stage's, with local
placeholders for other resources."""
