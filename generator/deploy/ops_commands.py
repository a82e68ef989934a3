"""The CLI's commands for a deployed stage: `status` and `replay`.

Registered by generator/cli.py like the deploy commands (generator/deploy/commands.py, whose
error handling and target they reuse): `add_commands(sub)` and `RUNNERS`. Exit 0 done, 1 failed
(or, for status, an unhealthy stage), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from generator.cli_args import aws_arguments
from generator.deploy.commands import _guarded, _note, _platform_only, _stage_name, _target
from generator.errors import UsageError

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_RATE = 10.0


def _rate(text: str) -> float:
    number = text[:-2] if text.endswith("/s") else text
    try:
        value = float(number)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of messages a second (e.g. 10/s), got {text!r}")
    return value


def add_commands(sub) -> None:
    """Add `status` and `replay` to the subparsers `sub` of svcgen's parser."""
    def aws(p):  # status and replay reach more than CloudFormation
        aws_arguments(p, endpoint="an AWS-compatible endpoint")

    status = sub.add_parser("status", help="a deployed stage's stacks, last deploys and DLQ depths",
                            description="Each stack tagged with the stage: its state, the commit and time of its "
                                        "last deploy; then every dead-letter queue of those stacks with its "
                                        "approximate number of messages. Exit 1 when a stack is in a failed "
                                        "state, a DLQ holds messages, or the stage has no stack.")
    group = status.add_mutually_exclusive_group(required=True)
    group.add_argument("--stage", help="stage name")
    group.add_argument("--branch", help="the ephemeral stage of a git branch")
    aws(status)
    status.add_argument("--platform", type=Path, help="platform.yaml, for its region and persistent stages "
                                                      "(default: specs/platform.yaml or ./platform.yaml)")
    status.add_argument("--format", choices=("text", "json"), default="text")

    replay = sub.add_parser("replay", help="send archived milestones or stored events again, to one function",
                            description="Replay a time window to SERVICE.FUNCTION only: its milestones through "
                                        "EventBridge's archive, limited to its own rules (persistent stages); its "
                                        "store subscriptions' events from the event store table, straight into "
                                        "its queue, rate-limited. See docs/deploy.md.")
    replay.add_argument("target", metavar="SERVICE.FUNCTION")
    replay.add_argument("--from", dest="start", required=True, metavar="TIME", help="ISO 8601; UTC unless an offset")
    replay.add_argument("--to", dest="end", required=True, metavar="TIME", help="ISO 8601, after --from")
    replay.add_argument("--stage", default="dev", help="stage name (default: dev)")
    replay.add_argument("--rate", type=_rate, default=DEFAULT_RATE, metavar="N/s",
                        help=f"stored events sent a second (default: {DEFAULT_RATE:g}/s)")
    replay.add_argument("--no-wait", action="store_true", help="start the EventBridge replay, do not wait for it")
    replay.add_argument("paths", nargs="*", type=Path, default=[], help="spec files or directories (default: specs/)")
    replay.add_argument("--platform", type=Path, help="platform.yaml (default: beside the specs)")
    aws(replay)
    replay.add_argument("--dry-run", action="store_true", help="say how many events would be sent where; send nothing")


def _client(service: str, args: argparse.Namespace, region: str | None):
    import os

    import boto3

    from generator.deploy.target import client_config

    if getattr(args, "local", False):  # the running local AWS, with its dummy credentials only
        from generator.deploy.local.commands import local_session

        session, endpoint = local_session(region)
        return session.client(service, endpoint_url=endpoint, config=client_config())
    endpoint_url = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    session = boto3.session.Session(region_name=region) if region else boto3.session.Session()
    return session.client(service, endpoint_url=endpoint_url, config=client_config())


@_guarded
def run_status(args: argparse.Namespace) -> int:
    from generator.deploy.status import collect, render

    platform = _platform_only(args.platform)
    if args.stage is not None:
        stage = args.stage
    elif platform is not None:
        stage = _stage_name(args, platform)
    else:
        from generator.stages import stage_from_branch

        stage = stage_from_branch(args.branch)
    region = args.region or (platform.region if platform else None)
    target = _target(args, region)
    result = collect(target, _client("sqs", args, region), stage)
    if not result.stacks:
        _note(f"stage {stage}: no stack is tagged svcgen:stage={stage}")
    print(result.to_json() if args.format == "json" else render(result))
    return EXIT_OK if result.healthy else EXIT_FAILED


def _function(args):
    from generator.deploy.commands import _workspace
    from generator.invoke import _function as find_function
    from generator.resolve import resolve_service
    from generator.stages import resolve_stage

    service, dot, function = args.target.partition(".")
    if not dot or not service or not function:
        raise UsageError(f"{args.target!r}: write SERVICE.FUNCTION, e.g. payments.send-payment")
    ws = _workspace(args)
    item = next((s for s in ws.target_services if s.spec.service == service), None)
    if item is None:
        known = ", ".join(sorted(s.spec.service for s in ws.target_services)) or "none"
        raise UsageError(f"unknown service {service!r}; services: {known}")
    stage = resolve_stage(args.stage, ws.platform)
    svc = resolve_service(item.spec, ws.platform, stage)
    return ws, svc, find_function(svc, function)


@_guarded
def run_replay(args: argparse.Namespace) -> int:
    from generator.deploy import replay as R

    try:
        start, end = R.parse_time(args.start), R.parse_time(args.end)
    except ValueError as exc:
        raise UsageError(f"--from/--to: {exc}") from None
    if not start < end:
        raise UsageError(f"--from {args.start} must be before --to {args.end}")
    ws, svc, fn = _function(args)
    if not fn.subscriptions or fn.queue is None:
        raise UsageError(f"{svc.service}.{fn.key} subscribes to nothing: there is nothing to replay to it")
    bus = R.bus_replay(svc, fn)
    if bus is not None and not svc.stage.persistent:
        raise UsageError(f"stage {svc.stage.name} is ephemeral: its light platform stack has no archive (only "
                         f"persistent stages archive milestones), so {svc.service}.{fn.key}'s milestones cannot be "
                         "replayed there; replay in a persistent stage with --stage")
    try:
        stores = R.store_replays(svc, fn)
    except R.ReplayError as exc:
        raise UsageError(str(exc)) from None
    region = args.region or ws.platform.region
    name = R.replay_name(svc.service, fn.key, datetime.now(timezone.utc))
    verb = "would send" if args.dry_run else "sent"
    window = f"{start:%Y-%m-%dT%H:%M:%SZ} to {end:%Y-%m-%dT%H:%M:%SZ}"
    failed = False
    try:
        if bus is not None:
            failed |= _replay_bus(args, bus, name, start, end, window, region)
        if stores:
            sqs = _client("sqs", args, region)
            dynamodb = _client("dynamodb", args, region)
            url = sqs.get_queue_url(QueueName=fn.queue.name)["QueueUrl"]
            bucket = R.TokenBucket(args.rate)
            for plan in stores:
                envelopes = R.stored_envelopes(list(R.scan(dynamodb, plan.table)), plan, start, end, name)
                if not args.dry_run:
                    R.send(sqs, url, envelopes, bucket, fn.queue.fifo, fn.queue.message_group)
                print(f"store {plan.table}: {verb} {len(envelopes)} event(s) ({', '.join(plan.events)}) of "
                      f"{window} to queue {fn.queue.name}")
    except R.ReplayError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_FAILED if failed else EXIT_OK


def _replay_bus(args, bus, name, start, end, window, region) -> bool:
    """True when the replay failed."""
    from generator.deploy import replay as R

    events = _client("events", args, region)
    archive_arn, bus_arn, held, rule_arns = R.resolve_arns(events, bus)
    rules = ", ".join(bus.rules)
    if args.dry_run:
        # EventBridge cannot count an archive's events in a window without replaying them.
        print(f"archive {bus.archive} ({held} event(s) in all): would replay {window} onto bus {bus.bus}, to "
              f"rule(s) {rules} only")
        return False
    # Nothing after now is archived yet: the request asks for no more than can exist.
    end = min(end, datetime.now(timezone.utc))
    request = R.start_request(bus, archive_arn, bus_arn, rule_arns, name, start, end)
    events.start_replay(**request)
    print(f"archive {bus.archive}: replay {name} of {window} started onto bus {bus.bus}, to rule(s) {rules} only")
    if args.no_wait:
        return False
    described = R.wait(events, name, note=print)
    if described.get("State") != "COMPLETED":
        _note(f"replay {name} ended {described.get('State')}: {described.get('StateReason') or 'no reason given'}")
        return True
    return False


RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {"status": run_status, "replay": run_replay}
