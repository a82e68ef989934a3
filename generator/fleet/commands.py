"""`svcgen graph`, `svcgen inventory` and `svcgen catalog`: the whole fleet at once, for the
platform team, from specs or from the manifests many repositories' builds wrote."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli_args import input_arguments

GRAPH_FORMATS = ("mermaid", "dot", "html")
INVENTORY_FORMATS = ("table", "json", "csv")


def add_commands(sub) -> None:
    graph = sub.add_parser(
        "graph", help="who publishes and who subscribes to which event, as mermaid, dot or an HTML page",
        description="The fleet's event flow: which service publishes each milestone and store event, who "
                    "subscribes (with filters), which workflows start from which events, cross-service starts.")
    fleet_arguments(graph)
    graph.add_argument("--format", choices=GRAPH_FORMATS, default="mermaid", help="default: mermaid")
    graph.add_argument("--out", type=Path, help="write to this file instead of standard output")

    inventory = sub.add_parser(
        "inventory", help="every function: service, owner, runtime (deprecated?), memory, timeout, triggers",
        description="One row per function: service, owner, runtime and whether the platform deprecated it (with "
                    "its sunset), memory, timeout, reserved concurrency, triggers and what it publishes.")
    fleet_arguments(inventory)
    inventory.add_argument("--format", choices=INVENTORY_FORMATS, default="table", help="default: table")
    inventory.add_argument("--runtime", help="only functions on this runtime, e.g. python3.11")

    catalog = sub.add_parser(
        "catalog", help="an AsyncAPI 3.0 document and a Backstage catalog-info.yaml per service",
        description="For each service: <out>/<service>/asyncapi.yaml (the bus events it sends and receives, "
                    "payloads from its contracts) and <out>/<service>/catalog-info.yaml (its Backstage Component "
                    "and API, the APIs it consumes).")
    fleet_arguments(catalog)
    catalog.add_argument("--out", type=Path, default=Path("catalog"), help="directory (default: catalog/)")


def fleet_arguments(p: argparse.ArgumentParser) -> None:
    input_arguments(p)
    p.add_argument("--stage", default="dev", help="the stage whose settings are shown (default: dev)")


def fleet_views(args: argparse.Namespace):
    """The fleet's services (specs, and manifests of services whose spec is not here) as views;
    SpecErrors when any of them is invalid: a view of a broken fleet would mislead."""
    from generator.errors import SpecErrors
    from generator.fleet.model import describe_fleet
    from generator.stages import resolve_stage
    from generator.workspace import read_workspace

    ws = read_workspace(args.paths, args.platform, args.manifests, manifest_targets=True)
    if ws.errors:
        raise SpecErrors(ws.errors + ws.warnings)
    return ws, describe_fleet(ws.target_services, ws.platform, resolve_stage(args.stage, ws.platform))


def cmd_graph(args: argparse.Namespace) -> int:
    from generator.fleet.graph import render_graph

    _, views = fleet_views(args)
    text = render_graph(views, args.format)
    if args.out:
        from generator.output import write_file

        write_file(args.out, text)
        print(f"wrote {args.out} ({len(views)} services)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_inventory(args: argparse.Namespace) -> int:
    from generator.fleet.inventory import render_inventory

    _, views = fleet_views(args)
    sys.stdout.write(render_inventory(views, args.format, runtime=args.runtime))  # it keeps that runtime's rows
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    from generator.fleet.catalog import catalog_files
    from generator.output import summary
    from generator.ownership import OUTPUT, PlannedFile, apply

    ws, views = fleet_views(args)
    files = [PlannedFile(args.out / rel, text, OUTPUT) for rel, text in sorted(catalog_files(views, ws.platform).items())]
    results = apply(files)
    for item in results:
        print(f"{item.outcome.value:9} {item.path}")
    print(f"catalog of {len(views)} services: {summary(results)}")
    return 0


RUNNERS = {"graph": cmd_graph, "inventory": cmd_inventory, "catalog": cmd_catalog}
