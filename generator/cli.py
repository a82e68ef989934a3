"""`svcgen`: arguments -> pipeline -> exit code. 0 ok, 1 invalid input or findings, 2 usage,
130 interrupted (Ctrl-C), 141 standard output closed (a reader such as `head` left).

Only what builds the parser is imported here: each command imports the pipeline it needs when it
runs, so `svcgen --help` and a build with nothing to do (build_cache.py) stay fast."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.cli_args import INVOKE_EPILOG, NEW_OPTIONS, input_arguments, stage_arguments
from generator.deploy.commands import RUNNERS as DEPLOY_RUNNERS, add_commands as add_deploy_commands
from generator.deploy.local.commands import RUNNERS as LOCAL_RUNNERS, add_commands as add_local_commands
from generator.deploy.ops_commands import RUNNERS as OPS_RUNNERS, add_commands as add_ops_commands
from generator.errors import SpecErrors, UsageError
from generator.check.command import RUNNERS as CHECK_RUNNERS, add_commands as add_check_commands
from generator.fleet.commands import RUNNERS as FLEET_RUNNERS, add_commands as add_fleet_commands
from generator.output import WriteError, out_dir, summary, write_file  # out_dir refuses `--out ""`
from generator.version import svcgen_version
from generator.inputs import NOT_A_PLATFORM, default_inputs, specs_dir

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# The shell's codes for a process ended by SIGINT and by SIGPIPE (128 + signal number).
EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 130, 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="svcgen", description="svcgen: serverless services from one spec.")
    parser.add_argument("--version", action="version", version=f"svcgen {svcgen_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="create a platform repository: platform.yaml, .gitignore, CI, README",
                          description="Create a platform repository in DIR: specs/platform.yaml (commented), "
                                      "the specs' JSON Schemas, .gitignore, a CI workflow and a README, asking "
                                      "for what is not given. Nothing existing is overwritten.")
    init.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="the repository's root (default: the current directory)")
    init.add_argument("--org", help="first part of every resource name (default: from DIR's name)")
    init.add_argument("--region", help="AWS region (default: eu-west-1)")
    init.add_argument("--svcgen-source", metavar="SOURCE",
                      help="where CI installs svcgen from, as `pip install` arguments: a requirement "
                           "(svcgen==0.1.0), a URL (git+https://git.example.com/platform/svcgen@v0.1.0), a path in "
                           "DIR, or several (\"--find-links DIR/tools svcgen==0.1.0\"); default: where this svcgen "
                           "came from, when that is not a path of this machine")
    init.add_argument("--no-input", action="store_true", help="ask nothing: the options, else the defaults")

    build = sub.add_parser("build", help="validate, render and lint templates into build/<stage>/")
    input_arguments(build)
    stage_arguments(build)
    build.add_argument("--out", type=out_dir, default=Path("build"), help="output directory (default: build/)")
    build.add_argument("--no-lint", action="store_true", help="skip cfn-lint (faster; CI must not)")
    build.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    build.add_argument("--force", action="store_true",
                       help="overwrite generated files that were edited by hand (conflicts)")
    build.add_argument("--no-code", action="store_true", help="templates only; do not generate handler code")
    build.add_argument("--quiet", "-q", action="store_true",
                       help="print only problems (warnings, findings, conflicts) and the summary; no progress")
    build.add_argument("--prune-orphans", action="store_true",
                       help="remove generated files no function generates any more (a renamed or removed "
                            "function's); edited ones only with --force")

    validate = sub.add_parser("validate", help="every check build makes, without linting or writing anything",
                              description="Load, validate and check the specs and platform.yaml exactly as "
                                          "`svcgen build` does (every rule, rendering, code planning), for one "
                                          "stage; write nothing. cfn-lint runs only in build.")
    input_arguments(validate)
    stage_arguments(validate)

    schema = sub.add_parser("schema", help="write JSON Schemas for specs and platform.yaml")
    schema.add_argument("--out", type=out_dir, default=None,
                        help="directory (default: beside platform.yaml, in specs/ or here, where the specs' "
                             "$schema lines point; svcgen's own checkout: generator/schema/)")

    outputs = sub.add_parser("outputs", help="what each stack exports and imports")
    input_arguments(outputs)
    outputs.add_argument("--stage", default="dev", help="stage name (default: dev)")
    outputs.add_argument("--json", action="store_true", help="machine-readable output")

    stage_cmd = sub.add_parser("stage", help="print the stage name for a git branch")
    stage_cmd.add_argument("branch")
    stage_cmd.add_argument("--platform", type=Path, default=Path("specs") / "platform.yaml",
                           help="refuse a branch that maps to one of its persistent stages (default: "
                                "specs/platform.yaml, when it exists)")

    rules = sub.add_parser("rules", help="list the rules svcgen checks (IDs, what must hold, why, source)",
                           description="Every rule with its stable ID: SVC1xxx spec rules, SVC2xxx fleet rules, "
                                       "SVC3xxx template rules. Errors name the rule that found them.")
    rules.add_argument("ids", nargs="*", metavar="ID", help="only these rules (e.g. SVC1101)")
    rules.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    rules.add_argument("--update-readme", type=Path, metavar="FILE",
                       help="rewrite the rule table between the rules:begin/end markers of FILE")

    new = sub.add_parser("new", help="create a service: spec, code, tests, README and CI workflow",
                         description="Create a service from svcgen's cookiecutter template, asking for what "
                                     "is not given, then build it once (lint included) so it is complete.",
                         epilog=f"--option keys: {', '.join(NEW_OPTIONS)}. The spec goes to DIR/NAME.yaml, "
                                "the code to DIR/NAME/; nothing existing is overwritten.")
    new.add_argument("name", help="service name (kebab-case)")
    new.add_argument("--dir", type=Path, default=None,
                     help="beside platform.yaml (default: specs/, or . when it holds platform.yaml)")
    new.add_argument("--platform", type=Path, help="platform.yaml (default: DIR/platform.yaml)")
    new.add_argument("--no-input", action="store_true", help="ask nothing: --option values, else defaults")
    new.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                     help="set a template variable (repeatable)")


    invoke = sub.add_parser("invoke", help="run one function locally with a real event shape",
                            description="Run a function's generated Lambda entry in a local Python process "
                                        "(PYTHONPATH=its code directory) with the event shape Lambda passes it; "
                                        "print its response and log lines. Needs no AWS access.",
                            epilog=INVOKE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    invoke.add_argument("service")
    invoke.add_argument("function", help="the function's name in the spec")
    source = invoke.add_mutually_exclusive_group()
    source.add_argument("--event", type=Path, metavar="FILE", help="JSON event (see below)")
    source.add_argument("--sample", metavar="EVENT", help="a sample of EVENT built from its contract")
    invoke.add_argument("--stage", default="dev", help="stage whose environment the function gets (default: dev)")
    invoke.add_argument("--aws", choices=("local", "none"), default="local",
                        help="local: an in-memory AWS (moto) with the function's table, bus, topic and "
                             "workflows, and a report of what it changed; none: every AWS call fails at once")
    input_arguments(invoke)
    add_deploy_commands(sub)  # package, deploy, diff, teardown, prune (generator/deploy/commands.py)
    add_ops_commands(sub)  # status, replay (generator/deploy/ops_commands.py)
    add_local_commands(sub)  # local up, down, status (generator/deploy/local/commands.py)
    add_check_commands(sub)  # check (generator/check/command.py)
    add_fleet_commands(sub)  # graph, inventory, catalog (generator/fleet/commands.py)
    parser.commands = sub.choices  # main() parses `invoke` on its own: see there
    return parser


def main(argv: list[str] | None = None) -> int:
    """Every way a command can end is handled here, once: an exit code and at most one line on
    standard error, never a traceback."""
    try:
        code = _run(sys.argv[1:] if argv is None else list(argv))
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit as a traceback
        return code
    except KeyboardInterrupt:
        print("svcgen: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except EOFError:  # a prompt met a closed standard input
        print("svcgen: error: standard input is closed; pass --no-input (and the values as options) to "
              "ask nothing", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # `svcgen rules | head -1`: the reader left; nothing more to say
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that Python's own flush at exit does not report the
    closed pipe again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (captured output): nothing to flush
        pass


def _run(argv: list[str]) -> int:
    parser = _parser()
    try:
        if argv[:1] == ["invoke"]:
            # `invoke SERVICE FUNCTION --sample X specs/`: PATHS after options is an intermixed
            # parse, which argparse supports only on a parser without subcommands.
            args = parser.commands["invoke"].parse_intermixed_args(argv[1:])
            args.command = "invoke"
        else:
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help and --version
        return int(exc.code or 0)
    try:
        if getattr(args, "paths", None) == []:
            args.paths = default_inputs(getattr(args, "platform", None))
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except WriteError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except SpecErrors as exc:
        print(exc.render(), file=sys.stderr)
        count = sum(1 for e in exc.errors if e.severity != "warning")
        print(f"{count} error(s); nothing was written", file=sys.stderr)
        return EXIT_INVALID


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build_command import cmd_build as build

    return build(args, _stage_name)


def _branch_stage(branch: str, platform) -> str:
    from generator.stages import stage_from_branch

    name = stage_from_branch(branch)
    if name in platform.stages.persistent:
        raise UsageError(f"branch {branch!r} maps to persistent stage {name!r}; pass --stage explicitly")
    return name


def _stage_name(args: argparse.Namespace, platform) -> str:
    # `--stage ""` or `--branch ""` (an unset CI variable) must fail, not quietly build dev.
    if args.stage is not None:
        return args.stage
    return "dev" if args.branch is None else _branch_stage(args.branch, platform)


def cmd_validate(args: argparse.Namespace) -> int:
    from generator import pipeline
    from generator.workspace import read_workspace

    ws = read_workspace(args.paths, args.platform, args.manifests)
    checked = pipeline.check(ws, _stage_name(args, ws.platform))
    for warning in checked.warnings:
        print(warning.render(), file=sys.stderr)
    context = len(ws.services) - len(ws.targets)
    extra = f" ({context} referenced spec(s) checked as context)" if context else ""
    print(f"{len(ws.targets)} spec(s) and {ws.platform_doc.file} are valid for stage {checked.stage.name}{extra}")
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from generator.rules import docs
    from generator.rules.registry import all_rules

    rules = all_rules()
    if args.ids:
        known = {r.id for r in rules}
        unknown = [i for i in args.ids if i.upper() not in known]
        if unknown:
            raise UsageError(f"no rule {', '.join(unknown)} (`svcgen rules` lists them all)")
        rules = tuple(r for r in rules if r.id in {i.upper() for i in args.ids})
    if args.update_readme is not None:
        try:
            readme = args.update_readme.read_text(encoding="utf-8")
            updated = docs.with_table(readme, all_rules())
        except (OSError, ValueError) as exc:
            raise UsageError(f"{args.update_readme}: {exc}") from None
        print(f"{write_file(args.update_readme, updated).outcome.value:9} {args.update_readme}")
        return EXIT_OK
    render = {"text": lambda r: docs.text(r, verbose=bool(args.ids)), "markdown": docs.markdown,
              "json": docs.as_json}[args.format]
    print(render(rules))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from generator.schema_gen import schema_home, schema_texts

    out = args.out
    if out is None:
        directory = specs_dir()
        if not (directory / "platform.yaml").is_file():
            raise UsageError(f"{NOT_A_PLATFORM}, or pass --out DIR")
        out = schema_home(directory)
    results = [write_file(out / name, text) for name, text in schema_texts().items()]
    for item in results:
        print(f"{item.outcome.value:9} {item.path}")
    print(summary(results))
    return EXIT_OK


def cmd_outputs(args: argparse.Namespace) -> int:
    from generator import pipeline
    from generator.discovery import interfaces, render_json, render_table
    from generator.stages import resolve_stage
    from generator.workspace import load_workspace

    ws = load_workspace(args.paths, args.platform, args.manifests)
    stage = resolve_stage(args.stage, ws.platform)
    items = interfaces(pipeline.render_all(ws, stage), ws, stage)
    print(render_json(items, stage.name) if args.json else render_table(items))
    return EXIT_OK


def cmd_stage(args: argparse.Namespace) -> int:
    from generator.stages import stage_from_branch
    from generator.workspace import load_workspace

    # A branch named `prod` must never become a CI build of the prod stage.
    if args.platform.is_file():
        print(_branch_stage(args.branch, load_workspace([], args.platform).platform))
    else:
        print(stage_from_branch(args.branch))
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from generator import scaffold

    try:
        scaffold.check_name(args.name)
        options = scaffold.parse_options(args.option)
        target = scaffold.inspect(args.dir or specs_dir(), args.name, args.platform)
        values = scaffold.answers(target, args.name, options, args.no_input)
        created = scaffold.create(target, args.name, scaffold.template_context(target, args.name, values))
    except scaffold.ScaffoldError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for line in created.warnings:
        print(line, file=sys.stderr)
    for path in created.files:
        print(f"created   {path}")
    code = target.code_dir
    print(f"service {args.name}: {len(created.files)} file(s) created. Next: edit {created.spec_path}, then "
          f"`svcgen build {created.spec_path}`; move {code / '.github'} to the repository root's .github/")
    return EXIT_OK


def cmd_invoke(args: argparse.Namespace) -> int:
    from generator import invoke

    try:
        return invoke.run(args.service, args.function, args.paths, args.platform, args.stage,
                          event_file=args.event, sample=args.sample, aws=args.aws,
                          manifests=args.manifests)
    except invoke.InvokeError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID


def cmd_init(args: argparse.Namespace) -> int:
    from generator import init_platform

    options = {"org": args.org, "region": args.region, "svcgen_source": args.svcgen_source}
    try:
        done = init_platform.init(args.directory, options, args.no_input)
    except init_platform.InitError as exc:
        print(f"svcgen: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for line in done.warnings:
        print(line, file=sys.stderr)
    for path in done.files:
        print(f"created   {path}")
    enter = "" if args.directory == Path(".") else f"cd {args.directory}, then "
    print(f"platform repository: {len(done.files)} file(s) created. Next: {enter}`git init`, `svcgen new NAME` "
          f"(a service in specs/) and `svcgen build`")
    return EXIT_OK


COMMANDS = {"init": cmd_init, "build": cmd_build, "validate": cmd_validate, "rules": cmd_rules, "schema": cmd_schema, "outputs": cmd_outputs,
            "stage": cmd_stage, "new": cmd_new, "invoke": cmd_invoke, **DEPLOY_RUNNERS, **OPS_RUNNERS,
            **LOCAL_RUNNERS, **CHECK_RUNNERS, **FLEET_RUNNERS}

if __name__ == "__main__":
    sys.exit(main())
