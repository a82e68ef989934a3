"""`svcgen invoke`: run one function's generated Lambda entry locally, with a real event shape.

The handler runs in a child Python process with PYTHONPATH=<code dir>, as Lambda has it: every
service has top-level `plumbing` and `handlers` packages, so two services never share an
interpreter (nor svcgen's). Events are built as the service's generated tests build them: with
svcgen_runtime.testing's builders and the samples in the service's tests/svcgen_support.py, so
`invoke` and the tests agree on what an event looks like. The child runs on the runtime library
installed with svcgen (the version svcgen generates code for, codegen/runtime_pin.py).

The child gets the function's environment from the rendered template for the stage: literal
values as deployed, references to other resources (table names, ARNs) as `local-…` placeholders.
AWS credentials are dummies, so nothing reaches an account: with `--aws local` (the default)
every call goes to an in-memory AWS (moto, see local_aws.py) and what the function changed there
is reported; with `--aws none` every endpoint is a closed local port, so a handler that only logs
runs fine and one that calls AWS fails fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator import local_aws
from generator.codegen import code_dir
from generator.codegen.functions import snake
from generator.codegen import runtime_pin
from generator.concerns import registry as concerns
from generator.errors import InvokeError, UsageError, did_you_mean
from generator.pipeline import render_one
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from generator.workspace import SPEC_SUFFIXES, ServiceInput, Workspace, load_workspace

# Every AWS SDK call goes here and is refused at once (port 9 is "discard"; nothing listens).
NOWHERE = "http://127.0.0.1:9"
# Interpreter start and imports, on top of the function's own timeout.
STARTUP_SECONDS = 30
# The child's exit codes: 2 the function raised (its error is the response, as Lambda reports
# it), 3 tests/svcgen_support.py is missing or lacks the sample (stale code).
EXIT_FUNCTION_ERROR, EXIT_NO_SAMPLE = 2, 3

_CHILD = r"""
import json, os, sys, traceback

request = json.loads(open(sys.argv[1]).read())
if request.get("local_aws"):
    exec(request["local_aws"]["prelude"])
import svcgen_runtime.testing as t

event, recipe = request["event"], request["recipe"]
try:
    if recipe == "sqs":
        if event is None:  # the contract's sample, from tests/svcgen_support.py as the tests take it
            sys.path.insert(0, request["support_dir"])
            import svcgen_support
            event = svcgen_support.sample_envelope(request["source"], request["detail_type"])
        event = t.sqs_event([t.sqs_record(event, "message-1", message_group=request["message_group"])])
    elif recipe == "sqs-detail":
        event = t.sqs_event([t.sqs_record(t.envelope(request["source"], request["detail_type"], event),
                                          "message-1", message_group=request["message_group"])])
    elif recipe == "http":
        event = t.http_event(request["method"], request["route"], request["path_parameters"], event)
    elif recipe == "task":
        event = t.task_event(event, execution="local-invoke", step=request["step"])
except ModuleNotFoundError as exc:
    if exc.name != "svcgen_support":
        raise
    print("no tests/svcgen_support.py", file=sys.stderr)
    sys.exit(3)
except KeyError as exc:
    print(f"no sample for {exc.args[0]} in tests/svcgen_support.py", file=sys.stderr)
    sys.exit(3)
try:
    module = __import__(request["module"], fromlist=["handler"])
    response = module.handler(event, t.lambda_context(request["function_name"]))
except Exception as exc:  # reported as Lambda reports a function error
    response = {"errorType": type(exc).__name__, "errorMessage": str(exc),
                "stackTrace": [line.rstrip() for line in traceback.format_tb(exc.__traceback__)]}
    json.dump(response, open(sys.argv[2], "w"))
    sys.exit(2)
if request.get("local_aws"):
    exec(request["local_aws"]["report"])
json.dump(response, open(sys.argv[2], "w"), default=str)
"""


@dataclass(frozen=True)
class Call:
    """What the child builds and runs."""

    function: object  # ResolvedFunction
    kind: str  # the invoking concern's kind (generator/concerns/registry.py)
    request: dict
    description: str


def run(service: str, function: str, paths: list[Path], platform: Path | None, stage_name: str,
        event_file: Path | None = None, sample: str | None = None, aws: str = "local",
        manifests: list[Path] = ()) -> int:
    ws, item = _load(service, paths, platform, manifests)
    stage = resolve_stage(stage_name, ws.platform)
    svc = resolve_service(item.spec, ws.platform, stage)
    fn = _function(svc, function)
    root = code_dir(item.doc.file)
    entry = root / "plumbing" / f"{snake(fn.key)}.py"
    if not entry.is_file():
        raise InvokeError(f"{entry} does not exist: generate the code first (svcgen build {item.doc.file})")
    note = runtime_mismatch(root)
    if note:
        print(f"svcgen: warning: {note}", file=sys.stderr)
    call = _call(item, svc, fn, _read_event(event_file), sample)
    template = render_one(item, ws, stage).template
    env = environment(template["Resources"][fn.logical_id]["Properties"], svc.region)
    if aws == "local":
        if not local_aws.available():
            raise UsageError("--aws local needs moto: pip install 'svcgen[test]' (or pass --aws none)")
        del env["AWS_ENDPOINT_URL"]  # moto intercepts every call in memory
        call.request["local_aws"] = {"prelude": local_aws.PRELUDE, "report": local_aws.REPORT}
    print(f"invoking {fn.entry} ({call.description}), stage {stage.name}", file=sys.stderr)
    return _spawn(root, call, env, fn.timeout + STARTUP_SECONDS)


def runtime_mismatch(root: Path) -> str | None:
    """The code pins the runtime it was generated for (requirements.txt); the child runs the one
    installed with this svcgen. Different versions may not fit each other: say so."""
    pin = f"{runtime_pin.RUNTIME_DISTRIBUTION}=="
    path = root / "requirements.txt"
    lines = path.read_text(errors="replace").splitlines() if path.is_file() else []
    pinned = next((line.removeprefix(pin).strip() for line in lines if line.startswith(pin)), None)
    if pinned == runtime_pin.RUNTIME_VERSION:
        return None
    found = f"pins {pin}{pinned}" if pinned else f"does not pin {runtime_pin.RUNTIME_DISTRIBUTION}"
    return (f"{path} {found}, and this svcgen runs its code on {runtime_pin.RUNTIME_VERSION}: run `svcgen build` "
            f"to regenerate the code for it")


def _load(service: str, paths: list[Path], platform: Path | None,
          manifests: list[Path] = ()) -> tuple[Workspace, ServiceInput]:
    """Only the service's own spec (plus what it references) is loaded when it is found by
    file name: a broken spec of another service does not stop this one from running."""
    candidates = [p / f"{service}{s}" for p in paths if p.is_dir() for s in SPEC_SUFFIXES]
    candidates += [p for p in paths if p.is_file() and p.stem == service]
    found = [p for p in candidates if p.is_file()]
    for inputs in ([found[:1]] if found else []) + [paths]:  # else every spec: the file may be named otherwise
        ws = load_workspace(inputs, platform, manifests)
        for item in ws.target_services:
            if item.spec.service == service:
                return ws, item
    known = sorted(s.spec.service for s in ws.target_services)
    raise UsageError(f"unknown service {service!r}{did_you_mean(service, known)}; "
                     f"services in {', '.join(map(str, paths))}: {', '.join(known) or 'none'}")


def _function(svc, name: str):
    for fn in svc.functions:
        if fn.key == name:
            return fn
    known = [fn.key for fn in svc.functions]
    raise UsageError(f"unknown function {name!r} of {svc.service}{did_you_mean(name, known)}; "
                     f"its functions: {', '.join(known)}")


def _read_event(path: Path | None):
    if path is None:
        return None
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        event = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvokeError(f"{path}: not a JSON file ({exc})") from None
    if event is None:  # None means "no --event" below: a file holding null would silently use the sample
        raise InvokeError(f"{path}: an event must be a JSON value other than null, got null")
    return event


def _call(item: ServiceInput, svc, fn, event, sample: str | None) -> Call:
    """What the concern that invokes the function (generator/concerns/registry.py) runs it with."""
    concern = concerns.trigger_of(item.spec, fn.key)
    if sample is not None and concern.kind != "queue":
        raise UsageError(f"--sample names an event a queue consumer subscribes to; {fn.key} is {concern.described_as} "
                         f"(use --event FILE)")
    request, description = concern.invoke_request(fn, event, sample)
    base = {"function_name": fn.name, "module": f"plumbing.{snake(fn.key)}",
            "support_dir": str((code_dir(item.doc.file) / "tests").resolve())}
    return Call(fn, concern.kind, {**base, **request}, description)


def environment(properties: dict, region: str) -> dict[str, str]:
    """The function's variables as the template sets them; a reference to another resource
    (Ref, ImportValue, GetAtt) becomes a `local-…` placeholder."""
    variables = properties.get("Environment", {}).get("Variables", {})
    env = {key: value if isinstance(value, str) else f"local-{key.lower().replace('_', '-')}"
           for key, value in variables.items()}
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "POWERTOOLS_", "PYTHON")) and k not in env}
    return {
        **keep, **env,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_ENDPOINT_URL": NOWHERE,
        # No profile, config file or instance metadata may supply real credentials instead.
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
        "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_IDEMPOTENCY_DISABLED": "true",
    }


def _spawn(root: Path, call: Call, env: dict[str, str], timeout: int) -> int:
    with tempfile.TemporaryDirectory(prefix="svcgen-invoke-") as tmp:
        request, response = Path(tmp, "request.json"), Path(tmp, "response.json")
        request.write_text(json.dumps(call.request))
        try:
            run = subprocess.run([sys.executable, "-c", _CHILD, str(request), str(response)], cwd=root,
                                 env={**env, "PYTHONPATH": str(root.resolve())}, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True, timeout=timeout)  # one stream: in order
        except subprocess.TimeoutExpired:
            raise InvokeError(f"{call.function.key} did not return within {timeout} s "
                              f"(its timeout is {call.function.timeout} s)") from None
        for line in run.stdout.splitlines():
            print(line, file=sys.stderr)
        if run.returncode == EXIT_NO_SAMPLE:
            raise InvokeError("the generated code is stale: run `svcgen build` for the service")
        if run.returncode not in (0, EXIT_FUNCTION_ERROR) or not response.is_file():
            raise InvokeError(f"{call.function.key} could not be run (exit {run.returncode}); its output is above")
        result = json.loads(response.read_text())
        print(json.dumps(result, indent=2))
    if run.returncode == EXIT_FUNCTION_ERROR:
        hint = (" (install the function's dependencies into this Python: pip install 'svcgen[test]')"
                if result["errorType"] == "ModuleNotFoundError" else "")
        message = (result["errorMessage"].splitlines() or [""])[0]  # the rest is in the response above
        raise InvokeError(f"{call.function.key} raised {result['errorType']}: {message}{hint}")
    return 0
