"""`svcgen build`: the pipeline's result as a report, and a build with nothing to do answered
from the last one's record (build_cache.py) without importing the pipeline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator import build_cache
from generator.output import FileResult, Outcome, summary

EXIT_OK, EXIT_INVALID = 0, 1
# What a file's outcome is when the same build runs again with nothing changed.
AGAIN = {Outcome.CREATED: Outcome.IDENTICAL, Outcome.UPDATED: Outcome.IDENTICAL, Outcome.IDENTICAL: Outcome.IDENTICAL,
         Outcome.SKIPPED: Outcome.SKIPPED, Outcome.ORPHANED: Outcome.ORPHANED}


def cmd_build(args: argparse.Namespace, stage_name) -> int:
    """`stage_name(args, platform)`: the stage the arguments ask for (cli.py says how)."""
    cached = build_cache.replay(args)
    if cached is not None:
        return _print(cached, verb="", quiet=args.quiet)
    from generator import pipeline
    from generator.progress import Progress
    from generator.service_cache import ServiceCache
    from generator.workspace import read_workspace

    progress = Progress(enabled=not args.quiet)
    cache = ServiceCache(args.out, keep=not args.dry_run)  # what earlier builds made of each service
    try:
        ws = read_workspace(args.paths, args.platform, args.manifests, progress=progress, cache=cache)
        result = pipeline.build(ws, stage_name(args, ws.platform), args.out, lint=not args.no_lint,
                                dry_run=args.dry_run, code=not args.no_code, force=args.force,
                                prune_orphans=args.prune_orphans, progress=progress)
    finally:
        progress.finish()
    errors = [warning.render() for warning in result.warnings]
    errors += [pipeline.describe_finding(args.out, artifact, finding) for artifact, finding in result.findings]
    if result.failed:
        for line in errors:
            print(line, file=sys.stderr)
        count = sum(1 for _, f in result.findings if f.severity == "error")
        print(f"{count} lint error(s); nothing was written", file=sys.stderr)
        return EXIT_INVALID
    orphaned = sum(1 for f in result.files if f.outcome is Outcome.ORPHANED)
    if orphaned:
        errors.append(f"{orphaned} generated file(s) belong to no function any more (renamed or removed?); "
                      "pass --prune-orphans to remove them")
    report = build_cache.Report([(f.outcome.value, str(f.path)) for f in result.files],
                                f"stage {result.stage.name} ({result.stage.described})", len(result.findings), errors)
    code = _print(report, verb="would be " if args.dry_run else "", quiet=args.quiet)
    if code == EXIT_OK:
        _keep(args, ws, result, report)
    return code


def _print(report: build_cache.Report, verb: str, quiet: bool) -> int:
    """The report; `quiet`: only its problems (warnings, findings, conflicts, orphans) and summary."""
    for line in report.errors:
        print(line, file=sys.stderr)
    files = [FileResult(Path(path), Outcome(outcome)) for outcome, path in report.files]
    for item in files:
        if not quiet or item.outcome in (Outcome.CONFLICT, Outcome.ORPHANED):
            print(f"{verb}{item.outcome.value:9} {item.path}")
    print(f"{report.stage}: {summary(files)}, {report.findings} finding(s)")
    conflicts = [f for f in files if f.outcome is Outcome.CONFLICT]
    if conflicts:
        print(f"{len(conflicts)} generated file(s) were edited by hand and were not overwritten; move the change "
              "into your handler modules, or pass --force to regenerate them", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _keep(args, ws, result, report: build_cache.Report) -> None:
    """Record this build (build_cache.py), with each file as the same build would report it again."""
    from generator.codegen import code_dir
    from generator.fleet.manifest import find_manifests
    from generator.inputs import discover

    platform_path, discovered = discover(list(args.paths), args.platform)
    code_dirs = [code_dir(item.doc.file) for item in ws.target_services] if not args.no_code else []
    inputs = [platform_path, *discovered, *find_manifests(list(args.manifests))]
    inputs += [Path(item.doc.file) for item in ws.services if Path(item.doc.file).is_file()]  # context specs
    written = (Outcome.CREATED, Outcome.UPDATED, Outcome.IDENTICAL)
    in_code = set(code_dirs)  # a file is in a code directory when one of its parents is one (not a scan per file)
    outputs = [f.path for f in result.files
               if f.outcome in written and in_code.isdisjoint((f.path, *f.path.parents))]
    again = build_cache.Report([(AGAIN[Outcome(o)].value, p) for o, p in report.files if Outcome(o) in AGAIN],
                               report.stage, report.findings, report.errors)
    build_cache.keep(args, discovered, inputs, code_dirs, outputs, again, platform_path.parent)
