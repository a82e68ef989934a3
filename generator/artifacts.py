"""Rendered templates of a build: each with the text that is written and linted, and what is
needed to point a finding back at the spec (its document and each resource's origin)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.platform_stack import render_platform
from generator.render import render_service
from generator.resolve import resolve_service
from generator.serialize import to_yaml
from generator.spec.load import Document
from generator.stages import Stage
from generator.workspace import Workspace
from generator.progress import OFF, Progress

TEMPLATE_FILE = "template.yaml"
PLATFORM_DIR = "platform"


@dataclass(frozen=True)
class Artifact:
    """One rendered template, with what is needed to point its lint findings back at the spec."""

    stack: str  # service name, or "platform"
    relpath: Path
    text: str
    doc: Document | None
    origins: dict[str, tuple]
    template: dict  # the same template as data (for discovery and checks)
    # Logical IDs two resources (or outputs) asked for: rendering keeps the first and goes on,
    # rule SVC3001 reports them at the spec (components/base.Collision).
    collisions: tuple = ()
    svc: object = None  # the ResolvedService it was rendered from (None: the platform stack)


def render_all(ws: Workspace, stage: Stage, items: list | None = None,
               progress: Progress = OFF) -> list[Artifact]:
    """The stage's platform stack (an ephemeral stage's is a light one: its own bus) and the
    templates of `items` (default: every target); `progress` (progress.Progress) hears of each."""
    artifacts = [render_platform_artifact(ws, stage)]
    targets = sorted(ws.target_services if items is None else items, key=lambda s: s.spec.service)
    progress.phase("rendering", len(targets))
    for item in targets:
        artifacts.append(render_one(item, ws, stage))
        progress.advance(item.spec.service)
    return artifacts


def render_platform_artifact(ws: Workspace, stage: Stage) -> Artifact:
    def make() -> tuple[str, dict]:
        template = render_platform(ws.platform, stage).to_dict()
        return to_yaml(template), template

    cache = ws.cache
    if cache is None:
        text, template = make()
    else:
        text, template = cache.product(cache.platform_key(ws.platform_doc, stage), "template", PLATFORM_DIR, make)
    return Artifact(PLATFORM_DIR, Path(stage.name, PLATFORM_DIR, TEMPLATE_FILE), text, ws.platform_doc, {}, template)


def render_one(item, ws: Workspace, stage: Stage) -> Artifact:
    """The service's template, from the workspace's service cache when nothing it depends on changed."""
    def make() -> tuple:
        return template_product(render_service(resolve_service(item.spec, ws.platform, stage)))

    text, origins, template, collisions, svc = per_service(ws, stage, item, "template", make)
    return Artifact(item.spec.service, Path(stage.name, item.spec.service, TEMPLATE_FILE),
                    text, item.doc, origins, template, collisions, svc)


def per_service(ws: Workspace, stage: Stage, item, product: str, make):
    """`make()`, or what it made before for the same inputs of `item` (service_cache.py)."""
    if ws.cache is None:
        return make()
    key = ws.cache.service_key(item, ws.services, ws.platform_doc, stage)
    return ws.cache.product(key, product, item.spec.service, make)


def template_product(ctx) -> tuple:
    """What an Artifact holds of a rendered service (render_context.RenderContext), as the service
    cache keeps it: text, origins, template, collisions, the ResolvedService."""
    template = ctx.template.to_dict()
    return to_yaml(template), ctx.origins, template, tuple(ctx.collisions), ctx.svc
