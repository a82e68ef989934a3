"""`svcgen local up|down|status`, and the target of `svcgen deploy|diff|teardown|prune --local`.

generator/cli.py registers the commands with `add_commands(sub)` and runs them from `RUNNERS`, as it
does the deploy commands; each returns the exit code (0 done, 1 failed) and raises UsageError (exit 2)
when moto is not installed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from generator.errors import UsageError

EXIT_OK, EXIT_FAILED = 0, 1
# moto accepts any credentials, but boto3 signs every request and finds none on a fresh machine; the
# local AWS must never be reached with a developer's real keys either.
LOCAL_CREDENTIALS = {"aws_access_key_id": "svcgen-local", "aws_secret_access_key": "svcgen-local"}
LOCAL_REGION = "eu-west-1"


def add_commands(sub) -> None:
    from generator.deploy.local import DEFAULT_PORT

    local = sub.add_parser("local", help="a local AWS (moto) to deploy to with --local",
                           description="Start, stop or check a local AWS: moto's server mode on 127.0.0.1, "
                                       "running in the background until `svcgen local down`. `svcgen deploy "
                                       "--local` (and diff, teardown, prune) deploy to it. Needs moto "
                                       "(svcgen's [test] extra). See docs/deploy.md.")
    actions = local.add_subparsers(dest="local_command", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="start the local AWS (or say where it runs)",
                            description="Start moto's server on 127.0.0.1 in the background, wait until it "
                                        "answers, and print its endpoint. Its PID, port and log are recorded "
                                        "in the state directory ($SVCGEN_LOCAL_HOME, else "
                                        "~/.cache/svcgen/local).")
    up.add_argument("--port", type=_port, default=None,
                    help=f"port on 127.0.0.1 (default: {DEFAULT_PORT}; 0 picks a free one)")
    actions.add_parser("down", help="stop the local AWS (everything deployed to it is gone)",
                       description="Stop the server `svcgen local up` started (by its recorded PID) and "
                                   "remove its record. moto keeps nothing on disk.")
    actions.add_parser("status", help="whether the local AWS runs, and where",
                       description="Say whether the local AWS runs, its endpoint, PID and log; exit 1 when "
                                   "it does not run.")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0-65535, got {text!r}")
    return value


def run_local(args: argparse.Namespace) -> int:
    from generator.deploy.local import server

    try:
        if args.local_command == "up":
            if not server.moto_installed() and server.running() is None:
                raise UsageError(server.INSTALL_HINT)
            state, started = server.start(server.DEFAULT_PORT if args.port is None else args.port)
            verb = "started" if started else "already running"
            print(f"local AWS {verb}: {state.endpoint} (pid {state.pid}, log {state.log})")
            if not started and args.port not in (None, 0, state.port):
                print(f"svcgen: note: it runs on port {state.port}, not {args.port}; `svcgen local down` "
                      "first to move it", file=sys.stderr)
            print("deploy to it with `svcgen deploy --local`; stop it with `svcgen local down`")
            return EXIT_OK
        if args.local_command == "down":
            state, stopped = server.stop()
            if state is None:
                print("local AWS: not running; nothing to stop")
            elif not stopped:
                print(f"local AWS: its recorded process (pid {state.pid}) no longer runs moto; record removed")
            else:
                print(f"local AWS stopped: {state.endpoint} (pid {state.pid}); everything deployed to it is gone")
            return EXIT_OK
        state = server.running()
        if state is None:
            print("local AWS: not running (start it with `svcgen local up`)")
            return EXIT_FAILED
        print(f"local AWS: running at {state.endpoint} (pid {state.pid}, log {state.log})")
        return EXIT_OK
    except server.LocalError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_FAILED


def local_endpoint() -> str:
    """The running local AWS's endpoint, or a usage error saying how to start it."""
    from generator.deploy.local import server

    state = server.running()
    if state is None:
        hint = "" if server.moto_installed() else f" ({server.INSTALL_HINT})"
        raise UsageError(f"--local: no local AWS is running; start one with `svcgen local up`{hint}")
    return state.endpoint


def local_session(region: str | None):
    """(a boto3 session with the local AWS's dummy credentials, its endpoint): never the
    developer's real keys."""
    import boto3

    return boto3.session.Session(region_name=region or LOCAL_REGION, **LOCAL_CREDENTIALS), local_endpoint()


def local_target(region: str | None):
    """A MotoTarget bound to the running local AWS, with its own dummy credentials (never the
    developer's real ones)."""
    from generator.deploy.moto_target import MotoTarget
    from generator.deploy.target import client_config

    session, endpoint = local_session(region)
    config = client_config(max_attempts=1)  # a retried CreateStack after a moto 500 meets its leftover
    return MotoTarget(session.client("cloudformation", endpoint_url=endpoint, config=config),
                      session.client("s3", endpoint_url=endpoint, config=config), poll_seconds=0.1)


RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {"local": run_local}
